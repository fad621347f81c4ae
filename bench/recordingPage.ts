/**
 * A million events in the page (`npm run bench -- recording`): the synthetic recording of
 * bench/synthetic.ts (64 thread lanes), saved as the app saves one (.interleave.json.gz, version 2 of
 * the format: the events as columns), opened the
 * way a person opens one (Open…, a file input), and timed from the file's bytes to the timeline
 * drawn with every event; then its memory in the renderer, and frame times while it is panned and
 * zoomed with the wheel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser, Page } from 'playwright-core'
import { figure, formatValue, notMeasured, type Figure } from './figures'
import { loadNote } from './machine'
import {
  PAN_ZOOM_SCRIPT,
  RUN_STORE,
  collectErrors,
  frameFigures,
  heapAfterGc,
  type PageFrames,
} from './pageScripts'
import { topFunctions, type CpuProfile, type ProfileLine } from './profile'
import { recordingText } from '../src/shared/recording'
import { MILLION_EVENTS, syntheticRecording } from './synthetic'

/** The longest the page is given to open the file before the figure is reported as not reached. */
const OPEN_TIMEOUT_MS = 180_000
/** Events parsed on their own, to tell what the events themselves weigh from what is built on them. */
const SAMPLE_EVENTS = 200_000

/**
 * In the page, before the file is given: the time the input's change event fires (the page's
 * handler then reads the file's bytes) and the time of the first draw with every event (each draw
 * sets the timeline's data-events).
 */
function watchOpen(events: number): string {
  return `(() => {
    const open = (window.__benchOpen = { t0: null, drawn: null })
    const input = document.querySelector('[data-testid="open-recording"]')
    if (!input) throw new Error('no Open… input on the page')
    input.addEventListener('change', () => (open.t0 = performance.now()), { capture: true })
    new MutationObserver((records) => {
      for (const r of records)
        if (open.drawn === null && Number(r.target.getAttribute('data-events')) === ${events})
          open.drawn = performance.now()
    }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-events'] })
  })()`
}

/** The open's steps, by the marks openRecording.ts leaves in the page's performance timeline. */
interface OpenSteps {
  read: number
  built: number
  shownAt: number
}
const STEPS_SCRIPT = `(() => {
  const at = (name) => performance.getEntriesByName(name).at(-1)?.startTime
  const [start, read, shown] = ['start', 'read', 'shown'].map((m) => at('interleave:open:' + m))
  if (start === undefined || read === undefined || shown === undefined) return null
  return { read: read - start, built: shown - read, shownAt: shown }
})()`

/** Drawn, or refused (the Open… bar's alert says why). */
const OPENED = `window.__benchOpen.drawn !== null || document.querySelector('.files [role="alert"]') !== null`

/**
 * Opens `file` through the page's Open… input and waits until it is drawn or refused, or the time
 * runs out (false). Polled from here: the page's CSP refuses the eval page.waitForFunction needs.
 */
async function openAndWait(page: Page, file: string): Promise<boolean> {
  await page.locator('[data-testid="open-recording"]').setInputFiles(file)
  const waitStart = performance.now()
  while (performance.now() - waitStart < OPEN_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 250))
    if ((await page.evaluate(OPENED)) as boolean) return true
  }
  return false
}

/**
 * In the page: a second RunTrace, built from the open recording's events as the replay builds its
 * own (reading the rows of the same table), kept so that the heap can be weighed with it: what the
 * trace (the drawing's model) holds beyond the events.
 */
const TRACE_COPY_SCRIPT = `(() => {
  const store = ${RUN_STORE}
  const { record } = store.currentRecording()
  const table = store.trace.table
  const trace = new store.trace.constructor(table)
  for (const p of record.processes) trace.setProcess(p)
  const rows = new Int32Array(table.length)
  for (let i = 0; i < rows.length; i++) rows[i] = i
  trace.addRows(rows)
  trace.addCpu(record.cpu)
  trace.addThreadCpu(record.threadCpu)
  trace.end(record.outcome.wallUs)
  window.__benchTrace = trace
  return trace.eventCount
})()`

/** In the page: the JS heap a sample of the recording's events takes when parsed from JSON alone. */
const SAMPLE_SCRIPT = `(() => {
  const recording = ${RUN_STORE}.currentRecording()
  const text = JSON.stringify(recording.record.events.slice(0, ${SAMPLE_EVENTS}))
  window.__benchSample = JSON.parse(text)
  return window.__benchSample.length
})()`

/**
 * In a page of its own: from the file input's change to every event drawn, in ms; null if not drawn
 * in time, or if the page failed (said in `errors`).
 */
async function timeOpen(
  browser: Browser,
  url: string,
  file: string,
  events: number,
  errors: string[],
): Promise<number | null> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  collectErrors(page, 'the recording page (version 1)', errors)
  try {
    await page.goto(url)
    await page.locator('[data-scenario="race-counter"]').waitFor({ timeout: 30_000 })
    await page.evaluate(watchOpen(events))
    await openAndWait(page, file)
    const open = (await page.evaluate('window.__benchOpen')) as { t0: number | null; drawn: number | null }
    return open.t0 === null || open.drawn === null ? null : open.drawn - open.t0
  } catch (e) {
    // A reference only: the figures above stand without it.
    errors.push(`the version 1 reference: ${(e as Error).message.split('\n')[0]}`)
    return null
  } finally {
    await page.close().catch(() => {})
  }
}

export interface RecordingResult {
  figures: Figure[]
  profiles: { title: string; lines: ProfileLine[] }[]
}

export async function recordingFigures(
  browser: Browser,
  url: string,
  errors: string[],
  profile = false,
): Promise<RecordingResult> {
  const load = loadNote()
  const t0 = performance.now()
  const recording = syntheticRecording(MILLION_EVENTS)
  // As the app saves one: version 2 of the format, the events as columns.
  const json = Buffer.from(recordingText(recording))
  const gz = gzipSync(json)
  const events = recording.record.events.length
  const madeS = (performance.now() - t0) / 1000
  const dir = mkdtempSync(join(tmpdir(), 'interleave-bench-'))
  const file = join(dir, 'million.interleave.json.gz')
  writeFileSync(file, gz)
  // The reference: the same recording as version 1 wrote it (the events as objects), opened the same way.
  const version1 = join(dir, 'million-v1.interleave.json.gz')
  writeFileSync(version1, gzipSync(JSON.stringify({ ...recording, version: 1 })))
  const what =
    `synthetic: ${events.toLocaleString('en-US')} events on ${MILLION_EVENTS.threads} thread lanes ` +
    `(${(json.length / 1e6).toFixed(0)} MB JSON, ${(gz.length / 1e6).toFixed(1)} MB gzip, made in ${madeS.toFixed(1)} s)`
  const sizes = [
    figure(
      'recording file (synthetic), .interleave.json.gz, per event',
      gz.length / events,
      'B/event',
      null,
      what,
    ),
    figure(
      'recording file (synthetic), uncompressed JSON, per event',
      json.length / events,
      'B/event',
      null,
      what,
    ),
  ]
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  collectErrors(page, 'the recording page', errors)
  try {
    await page.goto(url)
    await page.locator('[data-scenario="race-counter"]').waitFor({ timeout: 30_000 })
    const cdp = await page.context().newCDPSession(page)
    const before = await heapAfterGc(cdp)
    await page.evaluate(watchOpen(events))
    if (profile) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.start')
    }
    const waitStart = performance.now()
    const opened = await openAndWait(page, file)
    const pageProfile = profile
      ? topFunctions((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, 15)
      : undefined
    const open = (await page.evaluate('window.__benchOpen')) as { t0: number | null; drawn: number | null }
    const name = 'open and draw a 1 M-event recording (file bytes -> timeline drawn)'
    const target = { op: '<=' as const, value: 2000 }
    if (!opened || open.t0 === null || open.drawn === null) {
      const alert = await page
        .locator('.files [role="alert"]')
        .first()
        .innerText({ timeout: 1000 })
        .catch(() => null)
      const why = alert
        ? `the page refused it: ${alert}`
        : `not drawn with all ${events} events after ${((performance.now() - waitStart) / 1000).toFixed(0)} s`
      return {
        figures: [...sizes, notMeasured(name, 'ms', target, `${why}; ${what}; ${load}`)],
        profiles: pageProfile
          ? [{ title: 'Chromium, opening the 1 M-event recording', lines: pageProfile }]
          : [],
      }
    }
    const openMs = open.drawn - open.t0
    const steps = (await page.evaluate(STEPS_SCRIPT)) as OpenSteps | null

    // Memory, once the recent-files list has stored the file (IndexedDB) and the page is still.
    await page.waitForTimeout(2000)
    const after = await heapAfterGc(cdp)
    await page.evaluate(SAMPLE_SCRIPT)
    const withSample = await heapAfterGc(cdp)
    await page.evaluate('delete window.__benchSample')
    await page.evaluate(TRACE_COPY_SCRIPT)
    const withTrace = await heapAfterGc(cdp)
    await page.evaluate('delete window.__benchTrace')
    const perEvent = (after - before) / events
    const parsedPerEvent = (withSample - after) / SAMPLE_EVENTS
    const tracePerEvent = (withTrace - after) / events

    if (profile) await cdp.send('Profiler.start')
    const frames = frameFigures((await page.evaluate(PAN_ZOOM_SCRIPT)) as PageFrames)
    const panProfile = profile
      ? topFunctions((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, 15)
      : undefined
    await page.close()
    const version1Ms = await timeOpen(browser, url, version1, events, errors)
    return {
      figures: [
        ...sizes,
        figure(
          name,
          openMs,
          'ms',
          target,
          `${what}; from the file input's change to the first draw showing every event` +
            (steps
              ? ` (read: inflate, parse, check ${formatValue(steps.read)} ms; replay and trace built ` +
                `${formatValue(steps.built)} ms; then drawn ${formatValue(open.drawn - steps.shownAt)} ms later)`
              : '') +
            `; ${load}`,
        ),
        version1Ms === null
          ? notMeasured(name.replace('recording', 'version 1 recording'), 'ms', null, `not drawn; ${what}`)
          : figure(
              'open and draw the same recording saved as version 1 (events as objects)',
              version1Ms,
              'ms',
              null,
              `the reference for the figure above, measured right after it: version 1's array of event ` +
                `objects rather than columns; ${loadNote()}`,
            ),
        figure(
          'renderer memory, 1 M-event recording open, per event',
          perEvent,
          'B/event',
          { op: '<=', value: 64 },
          `JS heap and ArrayBuffers after GC (CDP) before and after opening: ${(before / 1e6).toFixed(0)} -> ${(after / 1e6).toFixed(0)} MB; ` +
            `of that, the RunTrace (the views' model) holds ${formatValue(tracePerEvent)} B/event ` +
            `(${formatValue((100 * tracePerEvent) / perEvent)} %; a second one built from the same events and weighed); ` +
            `events as parsed JSON objects would weigh ${formatValue(parsedPerEvent)} B/event ` +
            `(${SAMPLE_EVENTS.toLocaleString('en-US')} of them parsed again and measured)`,
        ),
        figure(
          'frame interval, panning and zooming a 1 M-event recording, p95',
          frames.p95,
          'ms',
          { op: '<=', value: 1000 / 60 + 0.5, text: '<= 16 ms (one 60 Hz frame)' },
          `p50 ${formatValue(frames.p50)} ms, max ${formatValue(frames.max)} ms over ${frames.frames} frames, ` +
            `${frames.draws} draws, ${frames.longTasks} long tasks${frames.longTasks ? ` (longest ${formatValue(frames.longestTaskMs)} ms)` : ''}; ${loadNote()}`,
        ),
      ],
      profiles: [
        ...(pageProfile ? [{ title: 'Chromium, opening the 1 M-event recording', lines: pageProfile }] : []),
        ...(panProfile
          ? [{ title: 'Chromium, panning and zooming the 1 M-event recording', lines: panProfile }]
          : []),
      ],
    }
  } finally {
    await page.close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
}
