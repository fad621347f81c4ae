/**
 * What the end-to-end tests share: browser mode's server on a free port with the checkout's runtime,
 * Debian's Chromium through playwright-core, and patience for real runs.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CHROMIUM_ARGS } from '../../src/cli/browserExport'
import { localLauncher } from '../../src/engine/localLauncher'
import { PrelaunchingLauncher } from '../../src/engine/prelaunch'
import { startServer, type InterleaveServer } from '../../src/server/server'

/** Where screenshots go, for people to judge: docs/screenshots/ with INTERLEAVE_SCREENSHOTS=docs. */
export const screenshots = fileURLToPath(
  new URL(
    process.env.INTERLEAVE_SCREENSHOTS === 'docs'
      ? '../../docs/screenshots/'
      : '../../test-results/screenshots/',
    import.meta.url,
  ),
)
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))
export const hasChromium = existsSync(CHROMIUM)
export { CHROMIUM_ARGS }

const bin = fileURLToPath(new URL('../../bin/interleave.js', import.meta.url))

/** The `interleave` command as a user runs it, in its own process. */
export function interleave(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [bin, ...args], { timeout: 300_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr })
    })
  })
}

/** What Chromium reads of a video file: its size and length, or an error if it cannot play it. */
export async function videoFacts(
  page: Page,
  path: string,
): Promise<{ width: number; height: number; duration: number }> {
  await page.goto(pathToFileURL(path).href)
  return page.evaluate(`
    new Promise((resolve, reject) => {
      const v = document.querySelector('video')
      const done = () => resolve({ width: v.videoWidth, height: v.videoHeight, duration: v.duration })
      if (v.readyState >= 1) done()
      v.addEventListener('loadedmetadata', done)
      v.addEventListener('error', () => reject(new Error('the video does not play')))
    })`)
}

/** Polls until `check` returns a truthy value; generous, since runs and CI machines vary. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** OS processes whose parent is this one (the runs' hosts are forked from here), as `pid command`. */
export function childProcesses(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s && !/^\d+ (ps |\S*esbuild)/.test(s)) // esbuild's service outlives builds by design
  } catch {
    return [] // ps exits 1 when there are none
  }
}

/** Of those, the hosts of runs (Chromium is a child too). */
export function runProcesses(): string[] {
  return childProcesses().filter((l) => /host\.mjs|engine\/host\/main\.ts/.test(l))
}

export interface BrowserMode {
  server: InterleaveServer
  browser: Browser
  page: Page
  /** Errors the page logged or threw: a test ends by expecting none. */
  pageErrors: string[]
  close(): Promise<void>
}

/** The server and a page on it (1280x720 unless asked), loaded with its lessons. */
export async function openBrowserMode(
  viewport: { width: number; height: number } = { width: 1280, height: 720 },
): Promise<BrowserMode> {
  if (!existsSync(`${rendererDir}/index.html`)) {
    throw new Error(`no built page in ${rendererDir}: run \`npm run build\` (npm test does) first`)
  }
  // As `npm run serve` does: hosts kept ready between runs.
  const server = await startServer({
    port: 0,
    rendererDir,
    launcher: async () => new PrelaunchingLauncher(await localLauncher()),
  })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const page = await browser.newPage({ viewport, acceptDownloads: true })
  const pageErrors: string[] = []
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text())
  })
  await page.goto(server.url)
  await page.locator('[data-scenario="race-counter"]').waitFor({ timeout: 30_000 })
  return {
    server,
    browser,
    page,
    pageErrors,
    async close() {
      await browser.close()
      await server.close()
      // Every run's processes were killed and waited for: none of them is left.
      await waitFor('the runs’ processes to exit', () => childProcesses().length === 0, 15_000).catch(() => {
        throw new Error(`processes left behind:\n${childProcesses().join('\n')}`)
      })
    },
  }
}
