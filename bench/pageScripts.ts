/**
 * What the page's measuring scripts share, and what they report. The scripts are strings: tsx
 * compiles the bench with esbuild's keepNames, whose `__name` helper a function passed to
 * page.evaluate would carry into a page that does not have it. Everything is timed inside the page
 * (performance.now and requestAnimationFrame), so Playwright's round trips are not counted.
 */
import type { CDPSession, Page } from 'playwright-core'
import { percentile } from './figures'

/** Errors a page throws or logs, gathered into `into` as `where: message`. */
export function collectErrors(page: Page, where: string, into: string[]): void {
  page.on('pageerror', (e) => into.push(`${where}: the page threw: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(`${where}: the page logged: ${m.text()}`)
  })
}

/**
 * How long the wheel pans and zooms the timeline: PAN_ZOOM_MS, and at least one round of each move
 * (PAN_ZOOM_MIN_FRAMES wheel events) unless that takes longer than PAN_ZOOM_MAX_MS.
 */
export const PAN_ZOOM_MS = 3000
const PAN_ZOOM_MIN_FRAMES = 60
const PAN_ZOOM_MAX_MS = 30_000

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

/** What a page script reports about one stretch of frames. */
export interface PageFrames {
  frames: number[]
  draws: number
  longTasks: number[]
}

export interface PageRun extends PageFrames {
  firstEventMs: number | null
  runMs: number
  /**
   * From pressing Run, ms: the run:started message and the first message with events (null if
   * unseen); and when the run recorded its first event, µs after the run started.
   */
  stream: { started: number | null; events: number | null; firstUs: number | null }
}

/** In the page: the run store, through the app's Pinia (the page exposes nothing for this). */
export const RUN_STORE = `document.querySelector('#app').__vue_app__.config.globalProperties.$pinia._s.get('run')`

/** In the page, before it loads: every WebSocket it opens is kept, so a script can listen to it too. */
export const KEEP_SOCKETS = `(() => {
  const Native = window.WebSocket
  window.__benchSockets = []
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args)
      window.__benchSockets.push(this)
    }
  }
})()`

/** In the page: the helpers the measuring scripts share. */
export const PAGE_HELPERS = `
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
export const RUN_SCRIPT = `(async () => {
  ${PAGE_HELPERS}
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run')
  if (!button || button.disabled) throw new Error('no Run button to press')
  await sleep(300) // let the page settle after picking the lesson
  await nextFrame()
  draws = 0
  const frames = []
  let firstEventMs = null
  const t0 = performance.now()
  // Where the page keeps its sockets (KEEP_SOCKETS): when the run's first messages came.
  const socket = window.__benchSockets?.at(-1)
  const stream = { started: null, events: null }
  const prefix = '{"type":"run:stream","message":{"type":"run:'
  const onMessage = (m) => {
    const d = m.data
    if (typeof d !== 'string') {
      // A run's events, as a binary frame (src/shared/eventCodec.ts): byte 13, the first of its
      // body, is its event count (a varint; none is one zero byte). A frame of CPU samples has none.
      if (stream.events === null && new Uint8Array(d)[13] !== 0) stream.events = performance.now() - t0
      return
    }
    if (stream.started === null && d.startsWith(prefix + 'started"')) stream.started = performance.now() - t0
    if (stream.events === null && d.startsWith(prefix + 'events"') && d.includes('"events":[{'))
      stream.events = performance.now() - t0
  }
  socket?.addEventListener('message', onMessage)
  button.click()
  let last = null
  for (;;) {
    const at = await nextFrame()
    const now = performance.now()
    if (last !== null) frames.push(at - last)
    last = at
    if (firstEventMs === null && Number(section.getAttribute('data-events')) > 0) firstEventMs = now - t0
    if (document.querySelector('.outcome-verdict')) {
      socket?.removeEventListener('message', onMessage)
      // The run's first event, on the run's clock (µs after it started).
      let firstUs = null
      for (const e of ${RUN_STORE}.events) if (firstUs === null || e.tUs < firstUs) firstUs = e.tUs
      return finish({ frames, firstEventMs, runMs: now - t0, stream: { ...stream, firstUs } })
    }
    if (now - t0 > 180000) throw new Error('the run did not end within 180 s')
  }
})()`

/**
 * In the page, once a run has ended: a wheel event on the plot between every two animation frames
 * (zoom in, pan right, pan left, zoom out, in turns of 15), recording the frames' intervals.
 */
export const PAN_ZOOM_SCRIPT = `(async () => {
  ${PAGE_HELPERS}
  const plot = document.querySelector('.timeline-plot')
  if (!plot) throw new Error('no timeline plot on the page')
  const box = plot.getBoundingClientRect()
  await sleep(300)
  draws = 0
  const frames = []
  let last = await nextFrame()
  const t0 = performance.now()
  const going = (i) => {
    const ms = performance.now() - t0
    return (ms < ${PAN_ZOOM_MS} || i < ${PAN_ZOOM_MIN_FRAMES}) && ms < ${PAN_ZOOM_MAX_MS}
  }
  for (let i = 0; going(i); i++) {
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
    frames.push(at - last)
    last = at
    await nextTask() // between frames, as input comes: dispatched from rAF, the draw would lag a frame
  }
  return finish({ frames })
})()`

export function frameFigures(r: PageFrames): FrameFigures {
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

/**
 * The JS heap after GC, with the ArrayBuffers' bytes (`backingStorageSize`): typed arrays (a recording's
 * events held as columns) live outside the JS heap, which `usedSize` alone would leave out.
 */
export async function heapAfterGc(cdp: CDPSession): Promise<number> {
  // Twice: what the first collection's finalizers let go, the second frees.
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('HeapProfiler.collectGarbage')
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number }
  return usage.usedSize + (usage.backingStorageSize ?? 0)
}
