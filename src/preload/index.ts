import { contextBridge, ipcRenderer } from 'electron'
import { IPC, type RunStartReply, type RunStreamMessage } from '../shared/protocol'
import type { InterleaveApi } from './index.d'

const listeners = new Set<(message: RunStreamMessage) => void>()

// Main answers run:connect with one port on run:stream; every run this page starts streams over it.
// Messages wait in the port until it is started, so none is lost however late the port arrives.
ipcRenderer.on(IPC.runStream, (event) => {
  const [port] = event.ports
  if (!port) return
  // A DOM MessagePort in the page; typed here by Node's, whose events carry the same `data`.
  port.addEventListener('message', (event: Event) => {
    const { data } = event as Event & { data: RunStreamMessage }
    for (const listener of listeners) {
      try {
        listener(data)
      } catch (e) {
        console.error('interleave: a run message listener failed:', e) // the others still hear it
      }
    }
  })
  port.start()
})
ipcRenderer.send(IPC.runConnect)

// Each function is one named channel; ipcRenderer itself never reaches the page.
const api: InterleaveApi = {
  listScenarios: () => ipcRenderer.invoke(IPC.scenariosList),
  async startRun(request) {
    const reply = (await ipcRenderer.invoke(IPC.runStart, request)) as RunStartReply
    if (!reply.ok) throw new Error(reply.message)
    return { runId: reply.runId }
  },
  stopRun: async (runId) => {
    await ipcRenderer.invoke(IPC.runStop, runId)
  },
  onRunMessage(listener) {
    listeners.add(listener)
    return () => void listeners.delete(listener)
  },
}

contextBridge.exposeInMainWorld('interleave', api)
