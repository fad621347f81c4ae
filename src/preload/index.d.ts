import type { RecordingFile, RunRequest, RunStreamMessage, ScenarioSummary } from '../shared/protocol'
import type { PlayerTemplate } from '../shared/export/player'

/**
 * What the renderer may ask of its backend, as `window.interleave` in Electron; browser mode
 * implements the same interface over a WebSocket.
 */
export interface InterleaveApi {
  /** Every scenario, in teaching order, without its model. */
  listScenarios(): Promise<ScenarioSummary[]>
  /** Starts a run; rejects with a readable message for bad input (unknown scenario, a bound broken). */
  startRun(request: RunRequest): Promise<{ runId: string }>
  /** Stops a run: every process of it is killed; its stream then ends with run:end. */
  stopRun(runId: string): Promise<void>
  /** Every run's stream, in order; returns a function that unsubscribes. */
  onRunMessage(listener: (message: RunStreamMessage) => void): () => void
  /**
   * Recordings the app was asked to open (its menu, its recent list, its command line); the page
   * checks and shows them. Browser mode has none: it opens files from the page. Returns an unsubscribe.
   */
  onOpenRecording(listener: (file: RecordingFile) => void): () => void
  /** The built HTML player's page, script and stylesheet, from which the page exports a run as one file. */
  playerTemplate(): Promise<PlayerTemplate>
}

declare global {
  interface Window {
    interleave: InterleaveApi
  }
}
