/**
 * The page's figures, in a real browser: browser mode's server (real runs) and the built renderer in
 * Chromium through playwright-core.
 *
 * - `browser`: Run to the first event on screen (hello, after a warm-up run), frame intervals while
 *   race-counter 2x10000 streams and while the ended run is panned and zoomed.
 * - `recording`: a million-event recording opened, drawn, weighed and panned (bench/recordingPage.ts).
 * - `pipeline`: events a second from a worker thread into the page's store, against the raw
 *   WebSocket carrying the same bytes (bench/pipeline.ts).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { localLauncher } from '../src/engine/localLauncher'
import { PrelaunchingLauncher } from '../src/engine/prelaunch'
import { startServer, type InterleaveServer } from '../src/server/server'
import { CHROMIUM, CHROMIUM_ARGS, childProcesses, rendererDir } from '../tests/e2e/support'
import { figure, formatValue, median, notMeasured, spread, type Figure } from './figures'
import { loadNote } from './machine'
import {
  KEEP_SOCKETS,
  collectErrors,
  RUN_SCRIPT,
  PAN_ZOOM_SCRIPT,
  frameFigures,
  type FrameFigures,
  type PageFrames,
  type PageRun,
} from './pageScripts'
import { pipelineFigures } from './pipeline'
import { profileLines, topFunctions, type CpuProfile } from './profile'
import { recordingFigures } from './recordingPage'

const root = fileURLToPath(new URL('../', import.meta.url))

/** Runs measured for the time to the first event (after one warm-up run, not counted). */
const START_RUNS = 5
/**
 * Between those runs, as a person reads one run's outcome before pressing Run again: long enough for
 * the hosts kept ready between runs (src/engine/prelaunch.ts) to be replaced.
 */
const START_PAUSE_MS = 3000
const START_LESSON = { id: 'hello', params: {} }
const HEAVY_LESSON = { id: 'race-counter', params: { threads: '2', iterations: '10000' } }
/** One 60 Hz frame: a display paints every 16.7 ms, so an interval of one such frame meets 16 ms. */
const FRAME_TARGET = { op: '<=' as const, value: 1000 / 60 + 0.5, text: '<= 16 ms (one 60 Hz frame)' }

export type BrowserPart = 'browser' | 'recording' | 'pipeline'

/** Opens the page afresh (so that no earlier run's figures are on it) with a lesson picked. */
async function openLesson(
  page: Page,
  url: string,
  id: string,
  params: Record<string, string>,
): Promise<void> {
  await page.goto(url)
  await page.locator(`[data-scenario="${id}"]`).click({ timeout: 30_000 })
  for (const [name, value] of Object.entries(params)) {
    const field = page.locator(`#param-${name}`)
    if ((await page.locator(`select#param-${name}`).count()) > 0) await field.selectOption(value)
    else await field.fill(value)
  }
  // The pointer rests on Run, as a person's would.
  await page.getByRole('button', { name: 'Run', exact: true }).hover()
  // The timeline has drawn its empty canvas once: data-events counts from here.
  await page.locator('section.timeline[data-events="0"]').waitFor({ timeout: 30_000 })
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** The built page, building it if there is none; a reason to skip if that fails. */
function ensureBuiltPage(notes: string[]): string | null {
  const index = join(rendererDir, 'index.html')
  if (existsSync(index)) {
    if (newestMtime(join(root, 'src/renderer')) > statSync(index).mtimeMs)
      notes.push('the built page in out/renderer is older than src/renderer (npm run build rebuilds it)')
    return null
  }
  try {
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim()
    return `no built page in out/renderer and \`npm run build\` failed${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`
  }
  notes.push('built the page first (npm run build into out/)')
  return existsSync(index) ? null : '`npm run build` made no out/renderer/index.html'
}

const framesNote = (f: FrameFigures): string =>
  `p50 ${formatValue(f.p50)} ms, max ${formatValue(f.max)} ms over ${f.frames} frames; ${f.draws} draws; ` +
  `${f.longTasks} long tasks (> 50 ms)${f.longTasks ? `, longest ${formatValue(f.longestTaskMs)} ms` : ''}`

/** Time to first event, and frame times while a heavy run streams and while panning and zooming it. */
async function pageFigures(
  browser: Browser,
  server: InterleaveServer,
  errors: string[],
  profiles: string[],
  profile: boolean,
): Promise<Figure[]> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  collectErrors(page, 'the lessons page', errors)
  await page.addInitScript(KEEP_SOCKETS)
  const cdp = profile ? await page.context().newCDPSession(page) : null
  /** Profiles the page while `work` runs (with --profile), into `profiles`. */
  const profiled = async <T>(title: string, work: () => Promise<T>): Promise<T> => {
    if (!cdp) return work()
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.start')
    const result = await work()
    const { profile: p } = await cdp.send('Profiler.stop')
    profiles.push(...profileLines(title, topFunctions(p as unknown as CpuProfile, 15)))
    return result
  }
  try {
    const load = loadNote()
    const firstEventMs: number[] = []
    const startedMs: number[] = []
    const eventsMs: number[] = []
    const recordedMs: number[] = []
    for (let i = 0; i <= START_RUNS; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, START_PAUSE_MS))
      await openLesson(page, server.url, START_LESSON.id, START_LESSON.params)
      const r = (await page.evaluate(RUN_SCRIPT)) as PageRun
      if (r.firstEventMs === null) throw new Error(`${START_LESSON.id} ended with no event drawn`)
      if (i === 0) continue // the first run warms the page and the launcher
      firstEventMs.push(r.firstEventMs)
      if (r.stream.started !== null) startedMs.push(r.stream.started)
      if (r.stream.events !== null) eventsMs.push(r.stream.events)
      if (r.stream.firstUs !== null) recordedMs.push(r.stream.firstUs / 1000)
    }
    const start = spread(firstEventMs)

    const streamLoad = loadNote()
    await openLesson(page, server.url, HEAVY_LESSON.id, HEAVY_LESSON.params)
    const heavy = await profiled(
      'Chromium, while race-counter 2x10000 streams into the page',
      async () => (await page.evaluate(RUN_SCRIPT)) as PageRun,
    )
    // The end's own draw comes after the verdict: wait for the count to settle.
    let events = -1
    for (let settled = 0; settled < 3;) {
      await page.waitForTimeout(200)
      const now = Number(await page.locator('section.timeline').getAttribute('data-events'))
      settled = now === events ? settled + 1 : 0
      events = now
    }
    const streaming = frameFigures(heavy)
    const panZoom = frameFigures(
      await profiled(
        'Chromium, panning and zooming race-counter',
        async () => (await page.evaluate(PAN_ZOOM_SCRIPT)) as PageFrames,
      ),
    )
    return [
      figure(
        'Run to the first event on screen (worst of 5)',
        start.max,
        'ms',
        { op: '<=', value: 300 },
        `${START_LESSON.id}, ${START_RUNS} runs ${START_PAUSE_MS / 1000} s apart after a warm-up run: median ` +
          `${formatValue(start.median)} ms, min ${formatValue(start.min)} ms; medians from pressing Run: run:started ` +
          `came at ${formatValue(median(startedMs))} ms, the first events at ${formatValue(median(eventsMs))} ms, drawn at ` +
          `${formatValue(start.median)} ms; the run recorded its first event ${formatValue(median(recordedMs))} ms after ` +
          `it started; hosts kept ready as npm run serve does; ${load}`,
      ),
      figure(
        'frame interval while race-counter 2x10000 streams, p95',
        streaming.p95,
        'ms',
        FRAME_TARGET,
        `${events} events in ${(heavy.runMs / 1000).toFixed(1)} s; ${framesNote(streaming)}; ${streamLoad}`,
      ),
      figure(
        `frame interval panning and zooming race-counter's ${events} events, p95`,
        panZoom.p95,
        'ms',
        FRAME_TARGET,
        `${framesNote(panZoom)}; ${loadNote()}`,
      ),
    ]
  } finally {
    await page.close().catch(() => {})
  }
}

export interface BrowserResult {
  figures: Figure[]
  /** Notes on the whole part (an old build, errors the page reported), and profiles if asked. */
  lines: string[]
}

/** The figures of the page parts asked for, in one Chromium. */
export async function browserFigures(parts: readonly BrowserPart[], profile = false): Promise<BrowserResult> {
  const lines: string[] = []
  const skip = (why: string): BrowserResult => ({
    figures: parts.map((p) => notMeasured(`${p} figures`, '', null, why)),
    lines,
  })
  if (!existsSync(CHROMIUM)) return skip(`no Chromium at ${CHROMIUM} (apt-get install chromium)`)
  const problem = ensureBuiltPage(lines)
  if (problem) return skip(problem)

  let server: InterleaveServer | null = null
  let browser: Browser | null = null
  const figures: Figure[] = []
  // Where it is, as it goes: a step that hangs is named by the last line (bench.ts stops the part).
  const step = (what: string): void => void process.stdout.write(`  ${what}\n`)
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const errors: string[] = []
    browser.on('disconnected', () => errors.push('Chromium went away'))
    if (parts.includes('browser') || parts.includes('recording')) {
      // As `npm run serve`: hosts kept ready between runs.
      server = await startServer({
        port: 0,
        rendererDir,
        launcher: async () => new PrelaunchingLauncher(await localLauncher()),
      })
      if (parts.includes('browser')) {
        step('browser: Run to the first event, frames while a run streams and while panning')
        figures.push(...(await pageFigures(browser, server, errors, lines, profile)))
      }
      if (parts.includes('recording')) {
        step('recording: opening a 1 M-event recording, its memory, panning it')
        const r = await recordingFigures(browser, server.url, errors, profile)
        figures.push(...r.figures)
        for (const p of r.profiles) lines.push(...profileLines(p.title, p.lines))
      }
      step('closing the server (its runs and the hosts it kept ready)')
      await server.close()
      server = null
    }
    if (parts.includes('pipeline')) {
      step('pipeline: bench-flood into the page, the raw WebSocket, memory')
      const r = await pipelineFigures(browser, errors, profile)
      figures.push(...r.figures)
      for (const p of r.profiles) lines.push(...profileLines(p.title, p.lines))
    }
    lines.push(...errors)
    return { figures, lines }
  } finally {
    step('closing Chromium')
    await browser?.close().catch(() => {})
    await server?.close().catch(() => {})
    // Every run's processes were killed and waited for; say so if any is left all the same.
    const deadline = Date.now() + 10_000
    while (childProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const left = childProcesses()
    if (left.length) process.stderr.write(`bench: processes left behind:\n${left.join('\n')}\n`)
  }
}
