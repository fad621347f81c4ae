import { contextBridge, ipcRenderer } from 'electron'
import { IPC } from '../shared/protocol'
import type { InterleaveApi } from './index.d'

// Each function is one named channel; ipcRenderer itself never reaches the page.
const api: InterleaveApi = {
  listScenarios: () => ipcRenderer.invoke(IPC.scenariosList),
}

contextBridge.exposeInMainWorld('interleave', api)
