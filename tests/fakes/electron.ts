/**
 * A small fake of the `electron` module: only the surface src/main and src/preload use, recording what
 * they do so tests can assert it. vitest.config.ts aliases `electron` to this file.
 */
import { EventEmitter } from 'node:events'
import type {
  BrowserWindowConstructorOptions,
  ForkOptions,
  HandlerDetails,
  MenuItemConstructorOptions,
  WindowOpenHandlerResponse,
} from 'electron'

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown

/** What the fake recorded; tests read it and drive the fake through it. */
export const fake = {
  windows: [] as FakeBrowserWindow[],
  handlers: new Map<string, InvokeHandler>(),
  menu: null as FakeMenu | null,
  openedExternally: [] as string[],
  children: [] as FakeUtilityProcess[],
  exposed: {} as Record<string, unknown>,
  quitCalls: 0,
  /** Resolves `app.whenReady()`, as Electron does once it has started. */
  emitReady(): void {
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
  },
}

let resolveReady: () => void = () => {}
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
}
export const app = new FakeApp()

class FakeWebContents extends EventEmitter {
  url = ''
  windowOpenHandler: ((details: HandlerDetails) => WindowOpenHandlerResponse) | null = null

  setWindowOpenHandler(handler: (details: HandlerDetails) => WindowOpenHandlerResponse): void {
    this.windowOpenHandler = handler
  }

  getURL(): string {
    return this.url
  }
}

class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents()
  loadedUrl: string | null = null
  loadedFile: string | null = null
  shown = false

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super()
    fake.windows.push(this)
  }

  static getAllWindows(): FakeBrowserWindow[] {
    return [...fake.windows]
  }

  loadURL(url: string): Promise<void> {
    this.loadedUrl = url
    this.webContents.url = url
    return Promise.resolve()
  }

  loadFile(filePath: string): Promise<void> {
    this.loadedFile = filePath
    this.webContents.url = `file://${filePath}`
    return Promise.resolve()
  }

  show(): void {
    this.shown = true
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
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = fake.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    // Electron structured-clones the reply; a value that cannot cross (a function) fails here too.
    return structuredClone(await handler({}, ...args))
  },
}
