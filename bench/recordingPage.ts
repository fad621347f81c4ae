/**
 * A million events in the page (`npm run bench -- recording`): the synthetic recording of
 * bench/synthetic.ts (64 thread lanes), saved as the app saves one (.interleave.json.gz), opened the
 * way a person opens one (Open…, a file input), and timed from the file's bytes to the timeline
 * drawn with every event; then its memory in the renderer, and frame times while it is panned and
 * zoomed with the wheel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser, CDPSession } from 'playwright-core'
import { figure, formatValue, notMeasured, type Figure } from './figures'
import { loadNote } from './machine'
import { PAN_ZOOM_SCRIPT, RUN_STORE, collectErrors, frameFigures, type PageFrames } from './pageScripts'
import { topFunctions, type CpuProfile, type ProfileLine } from './profile'
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

/** Drawn, or refused (the Open… bar's alert says why). */
const OPENED = `window.__benchOpen.drawn !== null || document.querySelector('.files [role="alert"]') !== null`

/** In the page: the JS heap a sample of the recording's events takes when parsed from JSON alone. */
const SAMPLE_SCRIPT = `(() => {
  const recording = ${RUN_STORE}.currentRecording()
  const text = JSON.stringify(recording.record.events.slice(0, ${SAMPLE_EVENTS}))
  window.__benchSample = JSON.parse(text)
  return window.__benchSample.length
})()`

async function heapAfterGc(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  return (await cdp.send('Runtime.getHeapUsage')).usedSize
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
  const json = Buffer.from(JSON.stringify(recording))
  const gz = gzipSync(json)
  const events = recording.record.events.length
  const madeS = (performance.now() - t0) / 1000
  const dir = mkdtempSync(join(tmpdir(), 'interleave-bench-'))
  const file = join(dir, 'million.interleave.json.gz')
  writeFileSync(file, gz)
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
    await page.locator('[data-testid="open-recording"]').setInputFiles(file)
    const waitStart = performance.now()
    // Polled from here: the page's CSP refuses the eval that page.waitForFunction would need.
    let opened = false
    while (!opened && performance.now() - waitStart < OPEN_TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 250))
      opened = (await page.evaluate(OPENED)) as boolean
    }
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

    // Memory, once the recent-files list has stored the file (IndexedDB) and the page is still.
    await page.waitForTimeout(2000)
    const after = await heapAfterGc(cdp)
    await page.evaluate(SAMPLE_SCRIPT)
    const withSample = await heapAfterGc(cdp)
    await page.evaluate('delete window.__benchSample')
    const perEvent = (after - before) / events
    const parsedPerEvent = (withSample - after) / SAMPLE_EVENTS

    if (profile) await cdp.send('Profiler.start')
    const frames = frameFigures((await page.evaluate(PAN_ZOOM_SCRIPT)) as PageFrames)
    const panProfile = profile
      ? topFunctions((await cdp.send('Profiler.stop')).profile as unknown as CpuProfile, 15)
      : undefined
    return {
      figures: [
        ...sizes,
        figure(
          name,
          openMs,
          'ms',
          target,
          `${what}; from the file input's change to the first draw showing every event; ${load}`,
        ),
        figure(
          'renderer memory, 1 M-event recording open, per event',
          perEvent,
          'B/event',
          { op: '<=', value: 64 },
          `JS heap after GC (CDP) before and after opening: ${(before / 1e6).toFixed(0)} -> ${(after / 1e6).toFixed(0)} MB; ` +
            `of that, the events alone as parsed JSON objects weigh ${formatValue(parsedPerEvent)} B/event ` +
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
