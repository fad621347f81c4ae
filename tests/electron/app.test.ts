/**
 * The built app in a real Electron, through playwright-core's `_electron`: the window, the bridge,
 * a real run streamed to the page, Stop, a refused parameter, and no process left after quitting.
 * Needs `electron-vite build` first (`npm test` does it) and an Electron binary, which these
 * machines cannot download (electron is installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1): where there
 * is none, every test here is skipped, and says so.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { InterleaveApi } from '../../src/preload/index.d'
import type { RunRequest, RunStreamMessage } from '../../src/shared/protocol'
import { BRIDGE_FUNCTIONS } from '../support/bridge'

/** The page's global, as the preload makes it (spelled out: this file is type-checked without the DOM). */
type PageGlobal = { interleave: InterleaveApi }

const root = fileURLToPath(new URL('../../', import.meta.url))

/**
 * The Electron binary, or null. Not `require('electron')`: that package's index.js starts a
 * download when the binary is missing.
 */
function electronBinary(): string | null {
  const pkg = join(root, 'node_modules/electron')
  let relative = ''
  try {
    relative = readFileSync(join(pkg, 'path.txt'), 'utf8').trim()
  } catch {
    // no path.txt: the binary was never installed
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const binary = override
    ? join(override, relative || 'electron')
    : relative
      ? join(pkg, 'dist', relative)
      : null
  return binary && existsSync(binary) ? binary : null
}

/** Why these tests cannot run here, or null if they can. */
function whySkipped(binary: string | null): string | null {
  if (!binary) return 'no Electron binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1)'
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'no display to open a window on (run under xvfb-run)'
  }
  return null
}

const binary = electronBinary()
const skipped = whySkipped(binary)
if (skipped) process.stderr.write(`SKIPPED Electron tests: ${skipped}\n`)

/** The run's messages as the page heard them through window.interleave, until run:end. */
async function runInPage(page: Page, request: RunRequest, stopAfterMs?: number): Promise<RunStreamMessage[]> {
  return page.evaluate(
    ({ request, stopAfterMs }) =>
      new Promise<RunStreamMessage[]>((resolve, reject) => {
        const { interleave } = globalThis as unknown as PageGlobal
        const heard: RunStreamMessage[] = []
        let runId: string | null = null
        const unsubscribe = interleave.onRunMessage((message) => {
          heard.push(message)
          if (message.type === 'run:end' && message.runId === runId) {
            unsubscribe()
            resolve(heard.filter((m) => m.runId === runId))
          }
        })
        interleave.startRun(request).then(({ runId: id }) => {
          runId = id
          if (stopAfterMs !== undefined) setTimeout(() => void interleave.stopRun(id), stopAfterMs)
        }, reject)
      }),
    { request, stopAfterMs },
  )
}

/** Whether the OS still has a process with this pid. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

// Functions given to page.evaluate run in the page: they may use nothing of this module but types.

// Skipped, with the reason above, where no Electron binary (or no display) exists.
describe.skipIf(skipped !== null)('the Electron app', () => {
  let app: ElectronApplication
  let page: Page
  let config: string

  beforeAll(async () => {
    if (!existsSync(join(root, 'out/main/index.js'))) {
      throw new Error('no built app in out/: run `electron-vite build` (npm test does) first')
    }
    // A fresh config folder, so the window's saved place is this run's, not the user's.
    config = mkdtempSync(join(tmpdir(), 'interleave-electron-config-'))
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      XDG_CONFIG_HOME: config,
    }
    delete env.ELECTRON_RENDERER_URL // the built page, not a dev server
    app = await _electron.launch({
      executablePath: binary as string,
      // Chromium will not start its sandbox as root (containers, CI).
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
      cwd: root,
      env,
      timeout: 60_000,
    })
    page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
  })

  afterAll(async () => {
    await app?.close().catch(() => {})
    if (config) rmSync(config, { recursive: true, force: true })
  })

  it('opens one window, with the bridge and nothing of Node in the page', async () => {
    expect(app.windows()).toHaveLength(1)
    expect(await page.title()).toBe('Interleave')
    const seen = await page.evaluate(() => ({
      keys: Object.keys((globalThis as unknown as PageGlobal).interleave).sort(),
      node: typeof (globalThis as { process?: unknown }).process,
      require: typeof (globalThis as { require?: unknown }).require,
    }))
    expect(seen).toEqual({
      keys: [...BRIDGE_FUNCTIONS],
      node: 'undefined',
      require: 'undefined',
    })
  })

  it('lists the lessons', async () => {
    const ids = await page.evaluate(async () => {
      const { interleave } = globalThis as unknown as PageGlobal
      return (await interleave.listScenarios()).map((s) => s.id)
    })
    expect(ids).toEqual(expect.arrayContaining(['race-counter', 'deadlock-two-locks']))
  })

  it('runs a lesson for real and streams it to the page, from run:started to run:end', async () => {
    const messages = await runInPage(page, {
      scenario: 'race-counter',
      params: { threads: 2, iterations: 50 },
    })
    expect(messages[0]?.type).toBe('run:started')
    const end = messages.at(-1)
    if (end?.type !== 'run:end') throw new Error('the stream did not end with run:end')
    expect(end.summary.outcome.status).toBe('finished')
    expect(end.summary.result.expected).toBe(100)
    expect(messages.some((m) => m.type === 'run:events' && m.events.length > 0)).toBe(true)
  })

  it("refuses a parameter out of bounds with the bound's own message", async () => {
    const message = await page.evaluate(() => {
      const { interleave } = globalThis as unknown as PageGlobal
      return interleave.startRun({ scenario: 'race-counter', params: { threads: 99 } }).then(
        () => 'started',
        (e: Error) => e.message,
      )
    })
    expect(message).toBe("parameter 'threads' must be at most 16; got 99")
  })

  it('refuses malformed calls from the page with main’s message, and goes on answering', async () => {
    const answers = await page.evaluate(() => {
      // What a compromised page could send: the bridge's types do not hold it back.
      const api = (globalThis as unknown as PageGlobal).interleave as unknown as Record<
        string,
        (...args: unknown[]) => Promise<unknown>
      >
      const refusal = (call: () => Promise<unknown>): Promise<string> =>
        call().then(
          () => 'accepted',
          (e: Error) => e.message,
        )
      return Promise.all([
        refusal(() => api.startRun!({ scenario: 'race-counter', params: {}, extra: 1 })),
        refusal(() => api.stopRun!(42)),
        refusal(() => api.controlRun!('run-1', { type: 'step', key: -1 })),
        refusal(() => api.batchRun!('batch-1', NaN)),
        refusal(() => api.startRun!({ scenario: 'x'.repeat(4_000_000), params: {} })),
        // Whether the bridge keeps an own __proto__ key or not, nothing may start.
        refusal(() =>
          api.startRun!(JSON.parse('{"scenario": "no-such-lesson", "params": {"__proto__": {"x": 1}}}')),
        ),
      ])
    })
    expect(answers.slice(0, 5)).toEqual([
      'request has a field it may not have: "extra"',
      'runId must be a run id',
      'a run control is pause, resume, or step with a thread key',
      'run must be a whole number from 0 to 999',
      'request.scenario must be a scenario id of at most 64 characters',
    ])
    expect(answers[5]).not.toBe('accepted')
    const count = await page.evaluate(
      async () => (await (globalThis as unknown as PageGlobal).interleave.listScenarios()).length,
    )
    expect(count).toBeGreaterThan(0)
  })

  it('stops a run, whose processes are then gone', async () => {
    const messages = await runInPage(
      page,
      { scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } },
      1000,
    )
    const end = messages.at(-1)
    if (end?.type !== 'run:end') throw new Error('the stream did not end with run:end')
    expect(end.summary.outcome.status).toBe('stopped')
    for (const p of end.summary.processes) if (p.osPid !== null) expect(alive(p.osPid)).toBe(false)
  })

  it('leaves no process of a run behind when it quits, and remembers where its window was', async () => {
    const osPids = await page.evaluate(
      () =>
        new Promise<number[]>((resolve, reject) => {
          const { interleave } = globalThis as unknown as PageGlobal
          const unsubscribe = interleave.onRunMessage((message) => {
            if (message.type === 'run:process' && message.process.osPid !== null) {
              unsubscribe()
              resolve([message.process.osPid])
            }
          })
          interleave
            .startRun({ scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } })
            .catch(reject)
        }),
    )
    expect(osPids.every(alive)).toBe(true)
    await app.close()
    const deadline = Date.now() + 10_000
    while (osPids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(osPids.filter(alive)).toEqual([])
    if (process.platform === 'linux') {
      const saved = JSON.parse(readFileSync(join(config, 'interleave', 'window-state.json'), 'utf8'))
      expect(saved).toMatchObject({ bounds: { width: expect.any(Number) }, maximized: expect.any(Boolean) })
    }
  })
})
