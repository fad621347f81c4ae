/**
 * A small fake of the `electron` module: only the surface src/main and src/preload use, recording what
 * they do so tests can assert it. vitest.config.ts aliases `electron` to this file.
 */
import { EventEmitter } from 'node:events'
import { pathToFileURL } from 'node:url'
import type {
  AboutPanelOptionsOptions,
  BrowserWindowConstructorOptions,
  ForkOptions,
  HandlerDetails,
  MenuItemConstructorOptions,
  Rectangle,
  WindowOpenHandlerResponse,
} from 'electron'

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown
type MainListener = (event: unknown, ...args: unknown[]) => void
type RendererListener = (event: { ports: unknown[]; sender: unknown }, ...args: unknown[]) => void

/** An IPC event as main's handlers and listeners get it: who sent it, and (sendSync) the answer. */
export interface FakeIpcEvent {
  sender: FakeWebContents
  senderFrame: FakeWebFrameMain | null
  frameId: number
  processId: number
  ports: unknown[]
  returnValue: unknown
  reply(channel: string, ...args: unknown[]): void
}

/** A display as `screen` describes it; only the fields src/main reads. */
interface FakeDisplay {
  id: number
  bounds: Rectangle
  workArea: Rectangle
}

const fullHd = (): FakeDisplay => ({
  id: 1,
  bounds: { x: 0, y: 0, width: 1920, height: 1080 },
  workArea: { x: 0, y: 0, width: 1920, height: 1040 },
})

/** What the fake recorded; tests read it and drive the fake through it. */
export const fake = {
  windows: [] as FakeBrowserWindow[],
  handlers: new Map<string, InvokeHandler>(),
  menu: null as FakeMenu | null,
  openedExternally: [] as string[],
  children: [] as FakeUtilityProcess[],
  exposed: {} as Record<string, unknown>,
  quitCalls: 0,
  /** Whether another instance already runs: requestSingleInstanceLock() is then refused. */
  singleInstanceHeld: false,
  /** What `app.getPath('userData')` answers; tests that save files point it at a temporary folder. */
  userData: '/nonexistent/interleave-fake-user-data',
  isPackaged: false,
  aboutPanel: null as AboutPanelOptionsOptions | null,
  /** What `dialog.showOpenDialog` answers next: a path, or null for Cancel. */
  openDialogAnswer: null as string | null,
  /** Options each open dialog was shown with. */
  openDialogs: [] as unknown[],
  /** Displays as `screen` reports them; the first is the primary one. */
  displays: [fullHd()],
  /** ipcMain.on listeners (send-style channels), by channel. */
  mainListeners: new Map<string, MainListener[]>(),
  /** What the preload sent to main with ipcRenderer.send. */
  sentToMain: [] as { channel: string; args: unknown[] }[],
  /** ipcRenderer.on listeners, by channel. */
  rendererListeners: new Map<string, RendererListener[]>(),
  /** Resolves `app.whenReady()`, as Electron does once it has started. */
  emitReady(): void {
    readyNow = true
    resolveReady()
  },
  reset(): void {
    fake.windows = []
    fake.handlers.clear()
    fake.menu = null
    fake.openedExternally = []
    fake.children = []
    fake.exposed = {}
    fake.quitCalls = 0
    fake.singleInstanceHeld = false
    fake.userData = '/nonexistent/interleave-fake-user-data'
    fake.isPackaged = false
    fake.aboutPanel = null
    fake.displays = [fullHd()]
    fake.openDialogAnswer = null
    fake.openDialogs = []
    fake.mainListeners.clear()
    fake.sentToMain = []
    fake.rendererListeners.clear()
  },
  /** The event of a message from `frame` (by default the page's main frame) of `sender`. */
  eventFrom(sender: FakeWebContents, frame: FakeWebFrameMain | null = sender.mainFrame): FakeIpcEvent {
    return {
      sender,
      senderFrame: frame,
      frameId: frame?.routingId ?? -1,
      processId: sender.id,
      ports: [],
      returnValue: undefined,
      reply: (channel, ...args) => sender.send(channel, ...args),
    }
  },
  /** A message from a page's main frame to main's ipcMain.on listeners, as Electron delivers `ipcRenderer.send`. */
  sendToMain(channel: string, sender: FakeWebContents, ...args: unknown[]): void {
    fake.sendFrom(fake.eventFrom(sender), channel, ...args)
  },
  /**
   * `ipcRenderer.send` as Electron delivers it: the arguments structured-cloned, the sender's
   * 'ipc-message' event, then ipcMain's listeners of the channel (none, for a channel nobody listens on).
   */
  sendFrom(event: FakeIpcEvent, channel: string, ...args: unknown[]): void {
    const cloned = structuredClone(args)
    event.sender.emit('ipc-message', event, channel, ...cloned)
    for (const listener of fake.mainListeners.get(channel) ?? []) listener(event, ...cloned)
  },
  /**
   * `ipcRenderer.sendSync`: as sendFrom, with the sender's 'ipc-message-sync' event, and the answer is
   * whatever main set as `event.returnValue` (where Electron's page would hang when nothing is set).
   */
  sendSyncFrom(event: FakeIpcEvent, channel: string, ...args: unknown[]): unknown {
    const cloned = structuredClone(args)
    event.sender.emit('ipc-message-sync', event, channel, ...cloned)
    for (const listener of fake.mainListeners.get(channel) ?? []) listener(event, ...cloned)
    return structuredClone(event.returnValue)
  },
  /**
   * `ipcRenderer.invoke` as Electron answers it: the arguments and the answer structured-cloned; no
   * handler, or one that throws, rejects with Electron's own message around the reason.
   * `clone: false` hands the arguments over as they are (for huge ones whose clone would only cost time).
   */
  async invokeFrom(
    event: FakeIpcEvent | Record<string, never>,
    channel: string,
    args: unknown[],
    { clone = true }: { clone?: boolean } = {},
  ): Promise<unknown> {
    const handler = fake.handlers.get(channel)
    if (!handler)
      throw new Error(
        `Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`,
      )
    let reply: unknown
    try {
      // A value that cannot cross (a function) fails here, as it would in Electron.
      reply = await handler(event, ...(clone ? structuredClone(args) : args))
    } catch (e) {
      throw new Error(`Error invoking remote method '${channel}': ${String(e)}`)
    }
    return structuredClone(reply)
  },
  /** Web contents of no window of the app's (a <webview>'s guest page, say), showing `url`. */
  detachedWebContents(url = ''): FakeWebContents {
    const contents = new FakeWebContents()
    contents.url = url
    return contents
  },
  /** A message from main to the preload's ipcRenderer.on listeners, with ports as `webContents.postMessage` sends them. */
  sendToRenderer(channel: string, ports: unknown[] = [], ...args: unknown[]): void {
    for (const listener of fake.rendererListeners.get(channel) ?? [])
      listener({ ports, sender: ipcRenderer }, ...args)
  },
}

let resolveReady: () => void = () => {}
let readyNow = false
const ready = new Promise<void>((resolve) => {
  resolveReady = resolve
})

class FakeApp extends EventEmitter {
  whenReady(): Promise<void> {
    return ready
  }

  quit(): void {
    fake.quitCalls += 1
  }

  /** Electron's: false when another instance of the app holds the lock (fake.singleInstanceHeld). */
  requestSingleInstanceLock(): boolean {
    return !fake.singleInstanceHeld
  }

  get isPackaged(): boolean {
    return fake.isPackaged
  }

  getPath(name: string): string {
    if (name !== 'userData') throw new Error(`the fake knows only app.getPath('userData'), not '${name}'`)
    return fake.userData
  }

  getVersion(): string {
    return '0.0.0-fake'
  }

  isReady(): boolean {
    return readyNow
  }

  setAboutPanelOptions(options: AboutPanelOptionsOptions): void {
    fake.aboutPanel = options
  }
}
export const app = new FakeApp()

let nextWebContentsId = 1
let nextRoutingId = 1

/** A frame of a page, as `event.senderFrame` tells main where a message came from. */
export class FakeWebFrameMain {
  readonly routingId = nextRoutingId++
  url = ''
  readonly frames: FakeWebFrameMain[] = []

  constructor(readonly parent: FakeWebFrameMain | null = null) {}

  get top(): FakeWebFrameMain {
    return this.parent?.top ?? this
  }

  /** An <iframe> in this frame, showing `url`. */
  addFrame(url: string): FakeWebFrameMain {
    const frame = new FakeWebFrameMain(this)
    frame.url = url
    this.frames.push(frame)
    return frame
  }
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++
  readonly mainFrame = new FakeWebFrameMain()
  windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null
  /** What main sent with postMessage: the channel, the message and the ports it transferred. */
  readonly posted: { channel: string; message: unknown; ports: FakeMessagePortMain[] }[] = []
  private destroyed = false

  postMessage(channel: string, message: unknown, transfer: FakeMessagePortMain[] = []): void {
    this.posted.push({ channel, message: structuredClone(message), ports: transfer })
  }

  /** What main sent with `send`, structured-cloned as Electron does. */
  readonly sent: { channel: string; args: unknown[] }[] = []

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args: structuredClone(args) })
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  /** The page is gone for good (its window closed), as Electron reports it. */
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.emit('destroyed')
  }

  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler
  }

  /** The window's session: what main answers when the page asks for a permission. */
  readonly session = {
    permissionRequest: null as
      ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
    permissionCheck: null as ((contents: unknown, permission: string) => boolean) | null,
    setPermissionRequestHandler(
      handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
    ): void {
      this.permissionRequest = handler
    },
    setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void {
      this.permissionCheck = handler
    },
  }

  /** The page's address: its main frame's. */
  get url(): string {
    return this.mainFrame.url
  }

  set url(url: string) {
    this.mainFrame.url = url
  }

  getURL(): string {
    return this.url
  }
}

class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents()
  minimized = false
  focused = false
  loadedUrl: string | null = null
  loadedFile: string | null = null
  shown = false
  /** The bounds when neither maximised nor full screen; tests move the window by setting them. */
  bounds: Rectangle
  maximized = false
  private destroyed = false

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super()
    const primary = fake.displays[0]?.workArea ?? { x: 0, y: 0, width: 800, height: 600 }
    const width = options.width ?? 800
    const height = options.height ?? 600
    this.bounds = {
      // Electron centres a window that is given no position.
      x: options.x ?? Math.round(primary.x + (primary.width - width) / 2),
      y: options.y ?? Math.round(primary.y + (primary.height - height) / 2),
      width,
      height,
    }
    fake.windows.push(this)
    app.emit('browser-window-created', {}, this)
  }

  static getAllWindows(): FakeBrowserWindow[] {
    return [...fake.windows]
  }

  /** The open window whose page `contents` is, or null. */
  static fromWebContents(contents: unknown): FakeBrowserWindow | null {
    return fake.windows.find((w) => w.webContents === contents) ?? null
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrl = url
    this.webContents.url = url
    return Promise.resolve()
  }

  loadFile(filePath: string): Promise<void> {
    this.loadedFile = filePath
    this.webContents.url = pathToFileURL(filePath).href
    return Promise.resolve()
  }

  show(): void {
    this.shown = true
  }

  getNormalBounds(): Rectangle {
    return { ...this.bounds }
  }

  isMaximized(): boolean {
    return this.maximized
  }

  isMinimized(): boolean {
    return this.minimized
  }

  minimize(): void {
    this.minimized = true
  }

  restore(): void {
    this.minimized = false
    this.shown = true
  }

  focus(): void {
    this.focused = true
  }

  maximize(): void {
    this.maximized = true
    this.shown = true // Electron's maximize() shows a hidden window too
    this.emit('maximize')
  }

  isDestroyed(): boolean {
    return this.destroyed
  }

  /** As the user closing it: 'close' (which a listener may prevent), then 'closed', and its page is destroyed. */
  close(): void {
    if (this.destroyed) return
    let prevented = false
    this.emit('close', { preventDefault: () => (prevented = true) })
    if (prevented) return
    this.destroyed = true
    fake.windows = fake.windows.filter((w) => w !== this)
    this.emit('closed')
    this.webContents.destroy()
  }
}
export { FakeBrowserWindow as BrowserWindow }

export const ipcMain = {
  handle(channel: string, handler: InvokeHandler): void {
    // Electron refuses a second handler for one channel; so does the fake.
    if (fake.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    fake.handlers.set(channel, handler)
  },
  removeHandler(channel: string): void {
    fake.handlers.delete(channel)
  },
  on(channel: string, listener: MainListener): void {
    fake.mainListeners.set(channel, [...(fake.mainListeners.get(channel) ?? []), listener])
  },
  listenerCount(channel: string): number {
    return fake.mainListeners.get(channel)?.length ?? 0
  },
}

class FakeMenu {
  constructor(readonly template: MenuItemConstructorOptions[]) {}
}
export const Menu = {
  buildFromTemplate(template: MenuItemConstructorOptions[]): FakeMenu {
    return new FakeMenu(template)
  },
  setApplicationMenu(menu: FakeMenu | null): void {
    fake.menu = menu
  },
}

export const dialog = {
  showOpenDialog(...args: unknown[]): Promise<{ canceled: boolean; filePaths: string[] }> {
    fake.openDialogs.push(args.at(-1))
    const answer = fake.openDialogAnswer
    return Promise.resolve(
      answer === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [answer] },
    )
  },
}

export const shell = {
  openExternal(url: string): Promise<void> {
    fake.openedExternally.push(url)
    return Promise.resolve()
  },
}

/** A utility process that never starts: it records what main sends, and tests emit what it would say. */
export class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = undefined
  readonly sent: unknown[] = []
  killed = false

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: ForkOptions,
  ) {
    super()
  }

  postMessage(message: unknown): void {
    this.sent.push(structuredClone(message))
  }

  kill(): boolean {
    this.killed = true
    return true
  }
}

export const utilityProcess = {
  fork(modulePath: string, args: string[] = [], options: ForkOptions = {}): FakeUtilityProcess {
    const child = new FakeUtilityProcess(modulePath, args, options)
    fake.children.push(child)
    return child
  },
}

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    fake.exposed[key] = api
  },
}

/** Invokes reach whatever handler main registered on the fake ipcMain, as they would through Electron. */
export const ipcRenderer = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    // The preload's tests register their own handlers, which do not look at the sender.
    return fake.invokeFrom({}, channel, args)
  },
  send(channel: string, ...args: unknown[]): void {
    fake.sentToMain.push({ channel, args: structuredClone(args) })
  },
  on(channel: string, listener: RendererListener): void {
    fake.rendererListeners.set(channel, [...(fake.rendererListeners.get(channel) ?? []), listener])
  },
}

/**
 * One end of a MessageChannelMain. As Electron's: what is posted is structured-cloned (so a message that
 * cannot be cloned throws), and arrives at the other end, in order and asynchronously, once that end has
 * been started; until then it waits in a queue. Closing either end closes both.
 */
export class FakeMessagePortMain extends EventEmitter {
  other: FakeMessagePortMain | null = null
  closed = false
  private started = false
  private readonly queue: unknown[] = []

  postMessage(message: unknown): void {
    const data = structuredClone(message)
    if (this.closed || !this.other || this.other.closed) return
    this.other.queue.push(data)
    this.other.deliverSoon()
  }

  start(): void {
    this.started = true
    this.deliverSoon()
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    this.emit('close')
    this.other?.close()
  }

  private deliverSoon(): void {
    if (!this.started) return
    setImmediate(() => {
      while (this.started && !this.closed && this.queue.length > 0) {
        this.emit('message', { data: this.queue.shift(), ports: [] })
      }
    })
  }
}

export class MessageChannelMain {
  readonly port1 = new FakeMessagePortMain()
  readonly port2 = new FakeMessagePortMain()

  constructor() {
    this.port1.other = this.port2
    this.port2.other = this.port1
  }
}

export const screen = {
  getAllDisplays(): FakeDisplay[] {
    return fake.displays.map((d) => structuredClone(d))
  },
  getPrimaryDisplay(): FakeDisplay {
    const [primary] = fake.displays
    if (!primary) throw new Error('the fake has no display')
    return structuredClone(primary)
  },
}
