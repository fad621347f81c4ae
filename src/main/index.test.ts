import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ScenarioDefinition } from '../engine/scenario'
import { IPC } from '../shared/protocol'
import type { ScenarioSummary } from '../shared/scenario'
import { fake, type BrowserWindow } from '../../tests/fakes/electron'
import { createMainWindow, registerIpc } from './index'
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
  return { scenarios: [definition] }
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
    expect(fake.openedExternally).toEqual(['https://docs.python.org/3/library/threading.html'])
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

describe('IPC', () => {
  beforeEach(() => fake.reset())

  it('lists the scenarios as summaries, without their models', async () => {
    registerIpc(new UtilityProcessLauncher())
    const handler = fake.handlers.get(IPC.scenariosList)
    if (!handler) throw new Error(`nothing handles ${IPC.scenariosList}`)
    const listed = (await handler({})) as Record<string, unknown>[]
    expect(listed).toEqual([summary])
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
    expect(fake.handlers.has(IPC.scenariosList)).toBe(true)
    const labels = fake.menu?.template.map((item) => item.role)
    expect(labels).toEqual(expect.arrayContaining(['fileMenu', 'editMenu', 'viewMenu', 'windowMenu', 'help']))
  })
})
