import type { InterleaveApi } from '../../../preload/index.d'
import { hearRunStream } from './runStream'

/**
 * The Electron backend: each call crosses to the main process through the preload bridge. Calls
 * read `window.interleave` when made, so this module loads in browser mode too.
 */
export const preloadApi: InterleaveApi = {
  listScenarios: () => window.interleave.listScenarios(),
  // A request may hold Vue's reactive proxies, which cannot be cloned across to the preload and
  // main; it is plain JSON data (as browser mode sends it), so a JSON copy is exact.
  startRun: (request) => window.interleave.startRun(JSON.parse(JSON.stringify(request))),
  stopRun: (runId) => window.interleave.stopRun(runId),
  controlRun: (runId, command) => window.interleave.controlRun(runId, { ...command }),
  // As main sent them: run:events as bytes, decoded here in the page, so that the bridge copies one
  // block of bytes rather than each event's object.
  onRunMessage: (listener) => window.interleave.onRunMessage(hearRunStream(listener), { frames: true }),
  onOpenRecording: (listener) => window.interleave.onOpenRecording(listener),
  playerTemplate: () => window.interleave.playerTemplate(),
  startBatch: (request) => window.interleave.startBatch(JSON.parse(JSON.stringify(request))),
  cancelBatch: (batchId) => window.interleave.cancelBatch(batchId),
  batchRun: (batchId, run) => window.interleave.batchRun(batchId, run),
  onBatchMessage: (listener) => window.interleave.onBatchMessage(listener),
}
