import { join } from 'node:path'
import { app, BrowserWindow, ipcMain, Menu, shell, type MenuItemConstructorOptions } from 'electron'
import { scenarios } from '../scenarios/catalog'
import { scenarioSummary } from '../engine/scenario'
import type { ProcessLauncher } from '../engine/launcher'
import { IPC, type ScenarioSummary } from '../shared/protocol'
import { UtilityProcessLauncher } from './utilityProcessLauncher'

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 800,
    minHeight: 600,
    title: 'Interleave',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  window.once('ready-to-show', () => window.show())

  // The app is one page: links open in the user's browser, and the window never navigates away.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== window.webContents.getURL()) event.preventDefault()
  })

  const devServerUrl = process.env.ELECTRON_RENDERER_URL
  if (devServerUrl) void window.loadURL(devServerUrl)
  else void window.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return window
}

export function registerIpc(_launcher: ProcessLauncher): void {
  // run:start and run:stop use the launcher; they arrive with the run orchestrator.
  ipcMain.handle(IPC.scenariosList, (): ScenarioSummary[] => scenarios.map(scenarioSummary))
}

function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] },
  ]
  return Menu.buildFromTemplate(template)
}

function startApp(): void {
  Menu.setApplicationMenu(buildMenu())
  registerIpc(new UtilityProcessLauncher())
  createMainWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow()
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
void app.whenReady().then(startApp)
