/**
 * The page's figures, in a real browser: browser mode's server (real runs) and the built renderer in
 * Chromium through playwright-core. Everything is timed inside the page (performance.now and
 * requestAnimationFrame), so Playwright's round trips are not counted.
 *
 * The page scripts are strings: tsx compiles this file with esbuild's keepNames, whose `__name`
 * helper a function passed to page.evaluate would carry into a page that does not have it.
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
const PAN_ZOOM_MS = 3000

export interface FrameFigures {
  frames: number
  p50: number
  p95: number
  max: number
  /** Canvas draws (each sets the timeline's data-events) in that time. */
  draws: number
  longTasks: number
  longestTaskMs: number
}

export interface BrowserFigures {
  /** Pressing Run to the first animation frame with an event drawn, per run, in ms. */
  firstEventMs: number[]
  streaming: FrameFigures & { events: number; runMs: number }
  panZoom: FrameFigures
}

export type BrowserResult = { skipped: string } | { figures: BrowserFigures; notes: string[] }

/** What a page script reports about one stretch of frames. */
interface PageFrames {
  frames: number[]
  draws: number
  longTasks: number[]
}

interface PageRun extends PageFrames {
  firstEventMs: number | null
  runMs: number
}

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

/** In the page: the helpers the measuring scripts share. */
const PAGE_HELPERS = `
  const nextFrame = () => new Promise((r) => requestAnimationFrame(r))
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
  const nextTask = () =>
    new Promise((r) => {
      const channel = new MessageChannel()
      channel.port1.onmessage = () => r(channel.port1.close())
      channel.port2.postMessage(0)
    })
  const section = document.querySelector('section.timeline')
  if (!section) throw new Error('no timeline on the page')
  // Every draw sets data-events, even to the same value: a mutation per draw.
  let draws = 0
  const drawObserver = new MutationObserver((records) => (draws += records.length))
  drawObserver.observe(section, { attributes: true, attributeFilter: ['data-events'] })
  const longTasks = []
  let longObserver = null
  try {
    longObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longTasks.push(e.duration)
    })
    longObserver.observe({ type: 'longtask' })
  } catch {}
  const finish = async (extra) => {
    await sleep(100) // the long-task observer reports a little late
    for (const e of longObserver?.takeRecords() ?? []) longTasks.push(e.duration)
    longObserver?.disconnect()
    drawObserver.disconnect()
    return { draws, longTasks, ...extra }
  }
`

/**
 * In the page: press Run, then record every animation frame until the outcome's verdict shows:
 * the time to the first frame with an event drawn, and the frames' intervals.
 */
const RUN_SCRIPT = `(async () => {
  ${PAGE_HELPERS}
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run')
  if (!button || button.disabled) throw new Error('no Run button to press')
  await sleep(300) // let the page settle after picking the lesson
  await nextFrame()
  draws = 0
  const frames = []
  let firstEventMs = null
  const t0 = performance.now()
  button.click()
  let last = null
  for (;;) {
    const at = await nextFrame()
    const now = performance.now()
    if (last !== null) frames.push(at - last)
    last = at
    if (firstEventMs === null && Number(section.getAttribute('data-events')) > 0) firstEventMs = now - t0
    if (document.querySelector('.outcome-verdict')) return finish({ frames, firstEventMs, runMs: now - t0 })
    if (now - t0 > 180000) throw new Error('the run did not end within 180 s')
  }
})()`

/**
 * In the page, once a run has ended: a wheel event on the plot between every two animation frames
 * (zoom in, pan right, pan left, zoom out, in turns of 15), recording the frames' intervals.
 */
const PAN_ZOOM_SCRIPT = `(async () => {
  ${PAGE_HELPERS}
  const plot = document.querySelector('.timeline-plot')
  if (!plot) throw new Error('no timeline plot on the page')
  const box = plot.getBoundingClientRect()
  await sleep(300)
  await nextFrame()
  draws = 0
  const frames = []
  const t0 = performance.now()
  let last = null
  for (let i = 0; performance.now() - t0 < ${PAN_ZOOM_MS}; i++) {
    const turn = Math.floor(i / 15) % 4
    const delta = [{ deltaY: -120 }, { deltaX: 80 }, { deltaX: -80 }, { deltaY: 120 }][turn]
    plot.dispatchEvent(
      new WheelEvent('wheel', {
        ...delta,
        deltaMode: 0,
        clientX: box.left + box.width * (0.3 + 0.4 * (((i * 37) % 100) / 100)),
        clientY: box.top + Math.min(box.height, 200) / 2,
        bubbles: true,
        cancelable: true,
      }),
    )
    const at = await nextFrame()
    if (last !== null) frames.push(at - last)
    last = at
    await nextTask() // between frames, as input comes: dispatched from rAF, the draw would lag a frame
  }
  return finish({ frames })
})()`

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

function frameFigures(r: PageFrames): FrameFigures {
  const sorted = [...r.frames].sort((a, b) => a - b)
  return {
    frames: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? NaN,
    draws: r.draws,
    longTasks: r.longTasks.length,
    longestTaskMs: Math.max(0, ...r.longTasks),
  }
}

/** OS processes whose parent is this one, as `pid command` (esbuild's service outlives builds by design). */
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

/** Time to first event, and frame times while a heavy run streams and while panning and zooming. */
export async function measureBrowser(): Promise<BrowserResult> {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM} (apt-get install chromium)` }
  const notes: string[] = []
  const problem = ensureBuiltPage(notes)
  if (problem) return { skipped: problem }

  let server: InterleaveServer | null = null
  let browser: Browser | null = null
  try {
    // As `npm run serve`: hosts kept ready between runs.
    server = await startServer({
      port: 0,
      rendererDir,
      launcher: async () => new PrelaunchingLauncher(await localLauncher()),
    })
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    const pageErrors: string[] = []
    page.on('pageerror', (e) => pageErrors.push(e.message))

    const firstEventMs: number[] = []
    for (let i = 0; i <= START_RUNS; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, START_PAUSE_MS))
      await openLesson(page, server.url, START_LESSON.id, START_LESSON.params)
      const r = (await page.evaluate(RUN_SCRIPT)) as PageRun
      if (r.firstEventMs === null) throw new Error(`${START_LESSON.id} ended with no event drawn`)
      if (i > 0) firstEventMs.push(r.firstEventMs) // the first run warms the page and the launcher
    }

    await openLesson(page, server.url, HEAVY_LESSON.id, HEAVY_LESSON.params)
    const heavy = (await page.evaluate(RUN_SCRIPT)) as PageRun
    // The end's own draw comes after the verdict: wait for the count to settle.
    let events = -1
    for (let settled = 0; settled < 3;) {
      await page.waitForTimeout(200)
      const now = Number(await page.locator('section.timeline').getAttribute('data-events'))
      settled = now === events ? settled + 1 : 0
      events = now
    }
    const panZoom = (await page.evaluate(PAN_ZOOM_SCRIPT)) as PageFrames

    if (pageErrors.length) notes.push(`the page reported errors: ${pageErrors.join('; ')}`)
    return {
      figures: {
        firstEventMs,
        streaming: { ...frameFigures(heavy), events, runMs: heavy.runMs },
        panZoom: frameFigures(panZoom),
      },
      notes,
    }
  } finally {
    await browser?.close().catch(() => {})
    await server?.close().catch(() => {})
    // Every run's processes were killed and waited for; say so if any is left all the same.
    const deadline = Date.now() + 10_000
    while (childProcesses().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const left = childProcesses()
    if (left.length) process.stderr.write(`bench: processes left behind:\n${left.join('\n')}\n`)
  }
}

const ms = (x: number): string => `${x.toFixed(1)} ms`
const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met')
/** A 60 Hz display paints every 16.7 ms: an interval of one such frame is the 16 ms target met. */
const FRAME_MS = 1000 / 60 + 0.5

/** The figures as `npm run bench` prints them. */
export function browserLines(result: BrowserResult): string[] {
  if ('skipped' in result) return [`browser figures:              skipped: ${result.skipped}`]
  const { firstEventMs, streaming: s, panZoom: p } = result.figures
  const sorted = [...firstEventMs].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]
  const max = sorted.at(-1)!
  const frames = (f: FrameFigures): string =>
    `p50 ${ms(f.p50)}, p95 ${ms(f.p95)}, max ${ms(f.max)} over ${f.frames} frames; ${f.draws} draws; ` +
    `${f.longTasks} long tasks (> 50 ms)${f.longTasks ? `, longest ${ms(f.longestTaskMs)}` : ''}`
  const target = (f: FrameFigures): string =>
    `(target p95 <= 16 ms, one 60 Hz frame: ${verdict(f.p95 <= FRAME_MS)})`
  return [
    `Run to first event on screen: median ${ms(median)}, max ${ms(max)} (${sorted.length} runs of ${START_LESSON.id}, ` +
      `${START_PAUSE_MS / 1000} s apart, after one warm-up run)   (target <= 300 ms: ${verdict(max <= 300)})`,
    `frames while a run streams:   ${frames(s)}; race-counter 2x10000: ${s.events} events in ` +
      `${(s.runMs / 1000).toFixed(1)} s   ${target(s)}`,
    `frames panning and zooming:   ${frames(p)}   ${target(p)}`,
    ...result.notes.map((n) => `  note: ${n}`),
  ]
}
