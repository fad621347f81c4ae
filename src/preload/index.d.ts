import type {
  RecordingFile,
  RunControl,
  RunRequest,
  RunStreamMessage,
  RunStreamPageMessage,
  ScenarioSummary,
} from '../shared/protocol'
import type { PlayerTemplate } from '../shared/export/player'
import type { BatchRequest, BatchStreamMessage } from '../shared/batch'

/**
 * What the renderer may ask of its backend, as `window.interleave` in Electron; browser mode
 * implements the same interface over a WebSocket. The backend checks every call's arguments (main and the
 * server alike, with src/shared/requestSchema.ts): any call rejects, with the backend's own message, when
 * they are malformed.
 */
export interface InterleaveApi {
  /** Every scenario, in teaching order, without its model. */
  listScenarios(): Promise<ScenarioSummary[]>
  /** Starts a run; rejects with a readable message for bad input (unknown scenario, a bound broken). */
  startRun(request: RunRequest): Promise<{ runId: string }>
  /** Stops a run: every process of it is killed; its stream then ends with run:end. */
  stopRun(runId: string): Promise<void>
  /** Pauses, resumes or steps a live run; rejects with a readable message when the run cannot. */
  controlRun(runId: string, command: RunControl): Promise<void>
  /** Every run's stream, in order; returns a function that unsubscribes. */
  onRunMessage(listener: (message: RunStreamMessage) => void): () => void
  /**
   * Recordings the app was asked to open (its menu, its recent list, its command line); the page
   * checks and shows them. Browser mode has none: it opens files from the page. Returns an unsubscribe.
   */
  onOpenRecording(listener: (file: RecordingFile) => void): () => void
  /** The built HTML player's page, script and stylesheet, from which the page exports a run as one file. */
  playerTemplate(): Promise<PlayerTemplate>
  /** Run many: runs a lesson N times in the background; rejects with a readable message for bad input. */
  startBatch(request: BatchRequest): Promise<{ batchId: string }>
  /** Cancels a batch: the run under way is stopped, its processes killed; the batch then ends. */
  cancelBatch(batchId: string): Promise<void>
  /** A kept run of the page's last batch, as a gzipped recording's bytes; rejects when it was not kept. */
  batchRun(batchId: string, run: number): Promise<Uint8Array>
  /** Every batch's progress and end; returns a function that unsubscribes. */
  onBatchMessage(listener: (message: BatchStreamMessage) => void): () => void
}

/**
 * `window.interleave` in the app: InterleaveApi, whose run stream may also be had as it came. With
 * `{ frames: true }`, run:events arrive as the bytes main sent (an ArrayBuffer; decode it with
 * toRunStreamMessage, src/shared/eventCodec.ts): bytes cross the context bridge as one copy, where a
 * decoded batch would be copied object by object. The page's api layer listens so (preloadApi.ts).
 */
export interface InterleaveBridge extends InterleaveApi {
  onRunMessage(listener: (message: RunStreamMessage) => void): () => void
  onRunMessage(listener: (message: RunStreamPageMessage) => void, options: { frames: true }): () => void
}

declare global {
  interface Window {
    interleave: InterleaveBridge
  }
}
