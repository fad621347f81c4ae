import { contextBridge, ipcRenderer } from 'electron'
import {
  IPC,
  type RecordingFile,
  type RunControlReply,
  type RunStartReply,
  type RunStreamMessage,
  type RunStreamPageMessage,
  type ScenarioSummary,
} from '../shared/protocol'
import { toRunStreamMessage } from '../shared/eventCodec'
import type { PlayerTemplate } from '../shared/export/player'
import type { InterleaveBridge } from './index.d'
import type { BatchRunReply, BatchStartReply, BatchStreamMessage } from '../shared/batch'

/** Every invoke channel's answer: `{ ok: true, ...value }`, or main's refusal (src/main/ipcGuard.ts). */
type Answer<T extends object = object> = ({ ok: true } & T) | { ok: false; message: string }

/** Who hears the run stream decoded, and who hears it as it came (run:events as bytes). */
const listeners = new Set<(message: RunStreamMessage) => void>()
const frameListeners = new Set<(message: RunStreamPageMessage) => void>()

/** Calls each listener; one that throws is reported, and the others still hear the message. */
function tell<M>(to: Set<(message: M) => void>, message: M): void {
  for (const listener of to) {
    try {
      listener(message)
    } catch (e) {
      console.error('interleave: a run message listener failed:', e)
    }
  }
}

// Main answers run:connect with one port on run:stream; every run this page starts streams over it.
// Messages wait in the port until it is started, so none is lost however late the port arrives.
ipcRenderer.on(IPC.runStream, (event) => {
  const [port] = event.ports
  if (!port) return
  // A DOM MessagePort in the page; typed here by Node's, whose events carry the same `data`.
  port.addEventListener('message', (event: Event) => {
    const { data } = event as Event & { data: RunStreamPageMessage }
    tell(frameListeners, data)
    if (listeners.size === 0) return
    let message: RunStreamMessage
    try {
      message = toRunStreamMessage(data)
    } catch (e) {
      // A frame that cannot be read is dropped; the run's end then tells the page it missed events.
      console.error('interleave: a run message could not be read:', e)
      return
    }
    tell(listeners, message)
  })
  port.start()
})
ipcRenderer.send(IPC.runConnect)

// Recordings main was asked to open. One may arrive before the page listens (a file on the command
// line): it waits here for the first listener.
const recordingListeners = new Set<(file: RecordingFile) => void>()
const waitingRecordings: RecordingFile[] = []
ipcRenderer.on(IPC.recordingOpen, (_event, file: RecordingFile) => {
  if (recordingListeners.size === 0) waitingRecordings.push(file)
  for (const listener of recordingListeners) listener(file)
})

// Run many: each batch's progress and end, sent by main on batch:stream.
const batchListeners = new Set<(message: BatchStreamMessage) => void>()
ipcRenderer.on(IPC.batchStream, (_event, message: BatchStreamMessage) => {
  for (const listener of batchListeners) listener(message)
})

/**
 * Invokes a channel, whose refusal is an answer (`{ ok: false, message }`: Electron would rewrite a
 * handler's thrown message, and print it), and rejects with main's own words.
 */
async function invokeAnswer<R extends { ok: boolean }>(
  channel: string,
  ...args: unknown[]
): Promise<Extract<R, { ok: true }>> {
  const reply = (await ipcRenderer.invoke(channel, ...args)) as R | { ok: false; message: string }
  if (!reply.ok) throw new Error((reply as { message: string }).message)
  return reply as Extract<R, { ok: true }>
}

// Each function is one named channel; ipcRenderer itself never reaches the page.
const api: InterleaveBridge = {
  async listScenarios() {
    return (await invokeAnswer<Answer<{ scenarios: ScenarioSummary[] }>>(IPC.scenariosList)).scenarios
  },
  async startRun(request) {
    const { runId } = await invokeAnswer<RunStartReply>(IPC.runStart, request)
    return { runId }
  },
  async stopRun(runId) {
    await invokeAnswer<Answer>(IPC.runStop, runId)
  },
  async controlRun(runId, command) {
    await invokeAnswer<RunControlReply>(IPC.runControl, runId, command)
  },
  onRunMessage(
    listener: ((message: RunStreamMessage) => void) | ((message: RunStreamPageMessage) => void),
    options?: { frames: true },
  ) {
    const to = (options?.frames === true ? frameListeners : listeners) as Set<typeof listener>
    to.add(listener)
    return () => void to.delete(listener)
  },
  async playerTemplate() {
    return (await invokeAnswer<Answer<{ template: PlayerTemplate }>>(IPC.playerTemplate)).template
  },
  onOpenRecording(listener) {
    recordingListeners.add(listener)
    for (const file of waitingRecordings.splice(0)) listener(file)
    return () => void recordingListeners.delete(listener)
  },
  async startBatch(request) {
    const { batchId } = await invokeAnswer<BatchStartReply>(IPC.batchStart, request)
    return { batchId }
  },
  async cancelBatch(batchId) {
    await invokeAnswer<Answer>(IPC.batchCancel, batchId)
  },
  async batchRun(batchId, run) {
    return (await invokeAnswer<BatchRunReply>(IPC.batchRun, batchId, run)).bytes
  },
  onBatchMessage(listener) {
    batchListeners.add(listener)
    return () => void batchListeners.delete(listener)
  },
}

contextBridge.exposeInMainWorld('interleave', api)
