import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ScenarioDefinition } from '../engine/scenario'
import { IPC } from '../shared/protocol'
import type { ScenarioSummary } from '../shared/scenario'
import { fake, type BrowserWindow } from '../../tests/fakes/electron'
import { createMainWindow, registerIpc } from './index'
import { buildMenu } from './menu'
import { UtilityProcessLauncher } from './utilityProcessLauncher'

const summary = vi.hoisted((): ScenarioSummary => ({
  id: 'race-counter',
  title: 'A race on a counter',
  concept: 'Race conditions',
  explanation: 'Two threads add to one counter without a lock.',
  lookFor: 'The final count falls short.',
  tags: ['threads', 'GIL'],
  params: [{ kind: 'int', name: 'threads', help: 'how many threads', default: 2, min: 1, max: 8 }],
}))

vi.mock('../scenarios/catalog', () => {
  const definition: ScenarioDefinition = {
    ...summary,
    program: 'counter = 0\n',
    functions: { main: () => {} },
    verdict: () => ({ text: 'lost updates', figures: {} }),
  }
  return {
    scenarios: [definition],
    findScenario: (id: string) => (id === definition.id ? definition : undefined),
  }
})

function onlyWindow(): BrowserWindow {
  expect(fake.windows).toHaveLength(1)
  const [window] = fake.windows
  if (!window) throw new Error('no window')
  return window
}

describe('the main window', () => {
  beforeEach(() => {
    fake.reset()
    vi.unstubAllEnvs()
  })

  it('is isolated and sandboxed, with no Node in the page', () => {
    createMainWindow()
    const { webPreferences } = onlyWindow().options
    expect(webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
    })
    expect(webPreferences?.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/)
  })

  it('loads the built page, or the dev server when electron-vite runs one', () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', '')
    createMainWindow()
    expect(onlyWindow().loadedFile).toMatch(/[/\\]renderer[/\\]index\.html$/)

    fake.reset()
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173')
    createMainWindow()
    expect(onlyWindow().loadedUrl).toBe('http://localhost:5173')
  })

  it('opens no other window, and sends web links to the browser', () => {
    createMainWindow()
    const handler = onlyWindow().webContents.windowOpenHandler
    if (!handler) throw new Error('no window open handler')
    const opened = (url: string) => handler({ url } as Parameters<typeof handler>[0])
    expect(opened('https://docs.python.org/3/library/threading.html')).toEqual({ action: 'deny' })
    expect(opened('file:///etc/passwd')).toEqual({ action: 'deny' })
    // Only Python's documentation, over https: a page cannot send the user elsewhere.
    for (const url of [
      'https://evil.example/',
      'http://docs.python.org/3/',
      'https://docs.python.org.evil.example/',
      'https://user@docs.python.org/',
      'javascript:alert(1)',
      'not a url',
    ])
      expect(opened(url)).toEqual({ action: 'deny' })
    expect(fake.openedExternally).toEqual(['https://docs.python.org/3/library/threading.html'])
  })

  it('refuses every permission the page asks for', () => {
    createMainWindow()
    const { session } = onlyWindow().webContents
    const answers: boolean[] = []
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read'])
      session.permissionRequest!(null, permission, (granted) => answers.push(granted))
    expect(answers).toEqual([false, false, false, false])
    expect(session.permissionCheck!(null, 'media')).toBe(false)
  })

  it('never navigates away from the app', () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/')
    createMainWindow()
    const navigate = (url: string) => {
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) }
      onlyWindow().webContents.emit('will-navigate', event, url)
      return !event.defaultPrevented
    }
    expect(navigate('https://example.com/')).toBe(false)
    expect(navigate('http://localhost:5173/')).toBe(true)
  })
})

describe('the page', () => {
  const html = readFileSync(new URL('../renderer/index.html', import.meta.url), 'utf8')

  // A built app loads the page from file://, where Electron cannot add a CSP response header; the
  // <meta> is the page's only policy, so it must be the strict one.
  it('carries a strict Content-Security-Policy in a <meta>', () => {
    const content = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1]
    if (!content) throw new Error('src/renderer/index.html has no CSP <meta>')
    const policy = new Map(
      content.split(';').map((directive) => {
        const [name = '', ...sources] = directive.trim().split(/\s+/)
        return [name, sources] as const
      }),
    )
    expect(policy.get('default-src')).toEqual(["'self'"])
    expect(policy.get('script-src')).toEqual(["'self'"])
    expect(content).not.toMatch(/unsafe-eval|https?:|\*/)
  })
})

describe('the window remembers where it was', () => {
  let userData: string
  const stateFile = () => join(userData, 'window-state.json')
  /** A new main window, as the fake that stands for it. */
  const open = (): BrowserWindow => {
    createMainWindow()
    const window = fake.windows.at(-1)
    if (!window) throw new Error('no window')
    return window
  }

  beforeEach(() => {
    fake.reset()
    userData = mkdtempSync(join(tmpdir(), 'interleave-user-data-'))
    fake.userData = userData
  })
  afterEach(() => rmSync(userData, { recursive: true, force: true }))

  it('opens where it was closed, maximised if it was', () => {
    writeFileSync(
      stateFile(),
      JSON.stringify({ bounds: { x: 100, y: 80, width: 1000, height: 700 }, maximized: true }),
    )
    const window = open()
    expect(window.options).toMatchObject({ x: 100, y: 80, width: 1000, height: 700 })
    expect(window.maximized).toBe(false) // not before the page is ready to show
    window.emit('ready-to-show')
    expect(window.maximized).toBe(true)
    expect(window.shown).toBe(true)
  })

  it('saves its place when it closes, for the next start', () => {
    const first = open()
    first.bounds = { x: 40, y: 30, width: 1200, height: 750 }
    first.close()
    expect(JSON.parse(readFileSync(stateFile(), 'utf8'))).toEqual({
      bounds: { x: 40, y: 30, width: 1200, height: 750 },
      maximized: false,
    })
    expect(open().options).toMatchObject({ x: 40, y: 30, width: 1200, height: 750 })
  })

  it('uses the default size, centred, when the saved place is corrupt or off every screen', () => {
    const defaults = (window: BrowserWindow) => {
      expect(window.options).toMatchObject({ width: 1440, height: 900 })
      expect(window.options).not.toHaveProperty('x')
      expect(window.options).not.toHaveProperty('y')
    }
    writeFileSync(stateFile(), '{"bounds": {"x": 10, "y"') // cut short, as a crash mid-write would
    defaults(open())
    writeFileSync(
      stateFile(),
      JSON.stringify({ bounds: { x: 5000, y: 0, width: 1000, height: 700 }, maximized: false }),
    )
    defaults(open())
  })

  it('fits its default size to a small screen', () => {
    const small = { x: 0, y: 0, width: 1366, height: 728 }
    fake.displays = [{ id: 1, bounds: { ...small, height: 768 }, workArea: small }]
    expect(open().options).toMatchObject({ width: 1366, height: 728 })
  })

  it('still opens when its place cannot be saved', () => {
    fake.userData = join(userData, 'a-file')
    writeFileSync(fake.userData, '') // a file where the folder should be
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const window = open()
    expect(() => window.close()).not.toThrow()
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("could not save the window's place"))
    warn.mockRestore()
  })
})

describe('the menu', () => {
  const submenu = (menu: ReturnType<typeof buildMenu>, role: string) =>
    (menu as unknown as { template: MenuItemConstructorOptions[] }).template.find(
      (item) => item.role === role,
    )?.submenu as MenuItemConstructorOptions[] | undefined
  const roles = (items: MenuItemConstructorOptions[] | undefined) => (items ?? []).map((item) => item.role)

  it('offers reload and the developer tools in development only', () => {
    expect(roles(submenu(buildMenu(true, 'linux'), 'viewMenu'))).toEqual(
      expect.arrayContaining([
        'reload',
        'toggleDevTools',
        'zoomIn',
        'zoomOut',
        'resetZoom',
        'togglefullscreen',
      ]),
    )
    const shipped = roles(submenu(buildMenu(false, 'linux'), 'viewMenu'))
    expect(shipped).toEqual(expect.arrayContaining(['zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen']))
    expect(shipped).not.toContain('reload')
    expect(shipped).not.toContain('forceReload')
    expect(shipped).not.toContain('toggleDevTools')
  })

  it('has About under Help, except on macOS where the app menu has it', () => {
    expect(roles(submenu(buildMenu(false, 'linux'), 'help'))).toContain('about')
    const mac = buildMenu(false, 'darwin') as unknown as { template: MenuItemConstructorOptions[] }
    expect(mac.template[0]?.role).toBe('appMenu')
    expect(roles(submenu(buildMenu(false, 'darwin'), 'help'))).not.toContain('about')
  })

  it("opens Python's concurrency docs in the browser from Help", () => {
    fake.reset()
    const docs = submenu(buildMenu(false, 'linux'), 'help')?.find((item) => item.label?.includes('Python'))
    if (!docs?.click) throw new Error('no link to the docs in Help')
    ;(docs.click as () => void)()
    expect(fake.openedExternally).toEqual(['https://docs.python.org/3/library/concurrency.html'])
  })
})

describe('IPC', () => {
  beforeEach(() => fake.reset())

  it('lists the scenarios as summaries, without their models', async () => {
    registerIpc(new UtilityProcessLauncher())
    createMainWindow()
    const reply = (await fake.invokeFrom(
      fake.eventFrom(onlyWindow().webContents),
      IPC.scenariosList,
      [],
    )) as {
      scenarios: Record<string, unknown>[]
    }
    expect(reply).toEqual({ ok: true, scenarios: [summary] })
    const listed = reply.scenarios
    for (const key of ['program', 'functions', 'verdict']) expect(listed[0]).not.toHaveProperty(key)
    // What crosses IPC is structured-cloned; functions would not survive it.
    expect(() => structuredClone(listed)).not.toThrow()
  })
})

describe('start-up', () => {
  it('once Electron is ready, sets the menu, answers IPC and opens one window', async () => {
    fake.reset()
    fake.emitReady()
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1))
    for (const channel of [IPC.scenariosList, IPC.runStart, IPC.runStop])
      expect(fake.handlers.has(channel)).toBe(true)
    expect(fake.mainListeners.has(IPC.runConnect)).toBe(true)
    expect(fake.aboutPanel).toMatchObject({ applicationName: 'Interleave' })
    const labels = fake.menu?.template.map((item) => item.role)
    expect(labels).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']))
  })

  it('leaves at once when another Interleave runs, which opens what this launch was given', async () => {
    // A fresh main module, and with it a fresh fake (its state is per module instance).
    vi.resetModules()
    const { fake: fresh } = await import('../../tests/fakes/electron')
    fresh.singleInstanceHeld = true
    await import('./index')
    fresh.emitReady()
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(fresh.quitCalls).toBe(1)
    expect(fresh.windows).toHaveLength(0)
    expect(fresh.handlers.size).toBe(0)
  })
})
