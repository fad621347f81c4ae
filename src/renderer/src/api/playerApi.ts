import type { InterleaveApi } from '../../../preload/index.d'
import type { ScenarioSummary } from '../../../shared/protocol'

/**
 * The HTML player's backend: there is none. It knows the one lesson it replays; it cannot run.
 */
export function createPlayerApi(lesson: ScenarioSummary | null): InterleaveApi {
  return {
    listScenarios: () => Promise.resolve(lesson ? [lesson] : []),
    startRun: () => Promise.reject(new Error('This is a recording: runs need the Interleave app.')),
    stopRun: () => Promise.resolve(),
    controlRun: () => Promise.reject(new Error('A recording cannot be paused or stepped; it replays.')),
    onRunMessage: () => () => {},
    onOpenRecording: () => () => {},
    playerTemplate: () => Promise.reject(new Error('A recording’s player cannot export another player.')),
    startBatch: () =>
      Promise.reject(new Error('This is a recording: running many times needs the Interleave app.')),
    cancelBatch: () => Promise.resolve(),
    batchRun: () => Promise.reject(new Error('This is a recording: it has no other runs.')),
    onBatchMessage: () => () => {},
  }
}
