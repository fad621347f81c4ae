import { join } from 'node:path'
import { app, BrowserWindow, Menu, screen, shell } from 'electron'
import { findScenario, scenarios } from '../scenarios/catalog'
import { scenarioSummary } from '../engine/scenario'
import type { ProcessLauncher } from '../engine/launcher'
import { IPC } from '../shared/protocol'
import { loadPlayerTemplate } from '../engine/export/player'
import { PrelaunchingLauncher } from '../engine/prelaunch'
import { registerBatchIpc } from './batches'
import { appPageFile, handle, listen, refuseUnknownChannels } from './ipcGuard'
import { channelArgs } from './ipcSchema'
import { buildMenu } from './menu'
import { chooseRecording, openRecordingIn, RecentRecordings, recordingPathsIn } from './recordings'
import { Runs } from './runs'
import { UtilityProcessLauncher } from './utilityProcessLauncher'
import { readWindowState, rememberWindowState } from './windowState'

const DEFAULT_SIZE = { width: 1440, height: 900 }

/** The main window, where it was last time if that is still on a screen. */
export function createMainWindow(): BrowserWindow {
  const stateFile = join(app.getPath('userData'), 'window-state.json')
  const saved = readWindowState(
    stateFile,
    screen.getAllDisplays().map((display) => display.workArea),
  )
  const fit = screen.getPrimaryDisplay().workArea
  const bounds = saved?.bounds ?? {
    // No position: Electron centres the window.
    width: Math.min(DEFAULT_SIZE.width, fit.width),
    height: Math.min(DEFAULT_SIZE.height, fit.height),
  }
  const window = new BrowserWindow({
    ...bounds,
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
      // A middle click must not open a link in a new window (Electron's security checklist).
      disableBlinkFeatures: 'Auxclick',
    },
  })
  // The app asks for nothing: camera, microphone, notifications, geolocation... are all refused.
  window.webContents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  )
  window.webContents.session.setPermissionCheckHandler(() => false)
  rememberWindowState(window, stateFile)
  window.once('ready-to-show', () => {
    if (saved?.maximized) window.maximize()
    window.show()
  })

  // The app is one page: links to Python's documentation open in the user's browser, nothing else
  // does (a page must not send the user to any site it likes), and the window never navigates away.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isTrustedExternal(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== window.webContents.getURL()) event.preventDefault()
  })
  refuseUnknownChannels(window.webContents)

  // The page's Content-Security-Policy is the <meta> in src/renderer/index.html: a built app loads
  // it from file://, where Electron cannot add response headers (webRequest does not see file://).
  const devServerUrl = process.env.ELECTRON_RENDERER_URL
  if (devServerUrl) void window.loadURL(devServerUrl)
  else void window.loadFile(appPageFile())
  return window
}

/** The only places the app opens in the user's browser: Python's documentation, over https. */
const EXTERNAL_HOSTS = new Set(['docs.python.org'])

export function isTrustedExternal(url: string): boolean {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' && EXTERNAL_HOSTS.has(u.hostname) && !u.username && !u.password && !u.port
  } catch {
    return false
  }
}

/**
 * Answers the preload's channels; runs use `launcher` (utility processes in the app, child processes
 * in tests). Each channel checks its sender and its arguments first (src/main/ipcGuard.ts), and answers
 * `{ ok: true, ... }` or `{ ok: false, message }`.
 */
export function registerIpc(launcher: ProcessLauncher): Runs {
  const runs = new Runs(launcher, findScenario)
  const batches = registerBatchIpc(launcher, findScenario) // Run many: src/main/batches.ts
  handle(IPC.scenariosList, channelArgs.none, () => ({ ok: true, scenarios: scenarios.map(scenarioSummary) }))
  // A page that loads (again) loses its batch and the runs of the page it replaces.
  listen(IPC.runConnect, channelArgs.none, (event) => {
    batches.release(event.sender)
    runs.connect(event.sender)
  })
  handle(IPC.runStart, channelArgs.runStart, (event, request) => runs.start(event.sender, request))
  handle(IPC.runStop, channelArgs.runStop, (event, runId) => {
    runs.stop(event.sender, runId)
    return { ok: true }
  })
  handle(IPC.runControl, channelArgs.runControl, (event, runId, command) =>
    runs.control(event.sender, runId, command),
  )
  // Built beside the page (out/player): vite.player.config.ts. Not built is an answer too.
  handle(IPC.playerTemplate, channelArgs.none, () => ({
    ok: true,
    template: loadPlayerTemplate(join(import.meta.dirname, '../player')),
  }))
  return runs
}

/**
 * Quitting waits until every run's processes, and the hosts kept ready for the next run, have
 * exited, so that none outlives the app.
 */
export function stopRunsBeforeQuit(runs: Runs, launcher?: PrelaunchingLauncher): void {
  app.on('will-quit', (event) => {
    if (!runs.busy && !launcher?.idleCount) return
    event.preventDefault()
    void runs
      .stopAll()
      .then(() => launcher?.close())
      .finally(() => app.quit())
  })
}

/**
 * Recordings the app opens: from the File menu, its recent list, the command line, and files the OS
 * hands over (macOS's open-file; elsewhere the command line). Each goes to the main window's page
 * once it has loaded.
 */
export function handleRecordings(
  recent: RecentRecordings,
  argv: readonly string[],
): { open(path: string): void } {
  const pending: string[] = [...recordingPathsIn(argv)]
  let loaded = false

  function target(): BrowserWindow {
    return BrowserWindow.getAllWindows()[0] ?? createMainWindow()
  }
  function open(path: string): void {
    const window = target()
    if (!loaded) {
      pending.push(path)
      return
    }
    openRecordingIn(window.webContents, path, recent)
    setMenu()
  }
  function setMenu(): void {
    Menu.setApplicationMenu(
      buildMenu(!app.isPackaged, process.platform, {
        open: () => void chooseRecording(BrowserWindow.getAllWindows()[0] ?? null).then((p) => p && open(p)),
        recent: recent.list(),
        openRecent: open,
        clearRecent: () => {
          recent.clear()
          setMenu()
        },
      }),
    )
  }
  // The app launched again (a recording double-clicked while it runs, on Windows and Linux): this
  // one opens what it was given, and comes to the front.
  app.on('second-instance', (_event, argv: string[]) => {
    for (const path of recordingPathsIn(argv.slice(1))) open(path)
    const window = target()
    if (window.isMinimized()) window.restore()
    window.focus()
  })
  app.on('browser-window-created', (_event, window: BrowserWindow) => {
    loaded = false
    window.webContents.on('did-finish-load', () => {
      loaded = true
      for (const path of pending.splice(0)) open(path)
    })
  })
  setMenu()
  return { open }
}

function startApp(): void {
  app.setAboutPanelOptions({
    applicationName: 'Interleave',
    applicationVersion: app.getVersion(),
    credits: 'Python concurrency, run for real and drawn as it runs.',
  })
  const recordings = handleRecordings(
    new RecentRecordings(join(app.getPath('userData'), 'recent-recordings.json')),
    process.argv.slice(1),
  )
  for (const path of openedEarly.splice(0)) recordings.open(path)
  app.on('open-file', (event, path) => {
    event.preventDefault()
    recordings.open(path)
  })
  // A host or two kept started between runs, so that Run shows its first events sooner.
  const launcher = new PrelaunchingLauncher(new UtilityProcessLauncher())
  stopRunsBeforeQuit(registerIpc(launcher), launcher)
  createMainWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow()
  })
}

// macOS hands over a double-clicked recording before the app is ready: keep it until then.
const openedEarly: string[] = []
app.on('open-file', (event, path) => {
  if (app.isReady()) return
  event.preventDefault()
  openedEarly.push(path)
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
// One app at a time: a second launch hands its recordings to this one ('second-instance') and leaves.
if (app.requestSingleInstanceLock()) void app.whenReady().then(startApp)
else app.quit()
