/**
 * The timeline's indices against the brute-force scans they replace, on random traces that stream
 * in batches whose threads arrive out of step with each other; and the level of detail of the
 * object lanes and the arrows, through paintLanes.
 */
import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../tests/support/random'
import { eventId, threadKey, type TraceEvent } from '../../../shared/trace'
import { RunTrace, type Wait, type WaitList } from '../trace/runTrace'
import { ARROW_LINES_MAX, paintLanes } from './drawLanes'
import { layoutLanes } from './laneLayout'
import { levelIndexOf } from './levelIndex'
import { linkIndexOf } from './linkIndex'
import { objectLevel } from './objectLevel'
import { objectSegments, objectStateAt } from './objectSegments'
import type { Painter } from './painter'
import { makeTimeScale, timeToPx } from './timeScale'
import { waitIndexOf } from './waitIndex'

/** An event without who and when: each kind of event on its own. */
type EventBody = TraceEvent extends infer E
  ? E extends TraceEvent
    ? Omit<E, 'pid' | 'tid' | 'seq' | 'tUs'>
    : never
  : never

const THREADS = 6
/** Objects 1 and 2 are locks, 3 a queue (level: its depth). */
const LOCKS = [1, 2]
const QUEUE = 3

/**
 * Each thread, in turn: runs, blocks on a lock (or waits on the queue), gets it (an op with a causal
 * link to the last op on it), sleeps. Its events in time order; all threads' events by thread.
 */
function randomRun(seed: number, rounds: number): TraceEvent[][] {
  const rand = mulberry32(seed)
  const byThread: TraceEvent[][] = []
  /** Each thread's ops by round: a cause is another thread's op of about the same round (and time). */
  const ops: number[][] = []
  for (let tid = 0; tid < THREADS; tid++) {
    const events: TraceEvent[] = []
    ops.push([])
    let seq = 0
    let tUs = rand() * 50
    const add = (e: EventBody): number => {
      events.push({ pid: 0, tid, seq, tUs, ...e } as TraceEvent)
      return eventId(0, tid, seq++)
    }
    add({ type: 'thread-start', name: `Thread-${tid}`, daemon: false, parent: null })
    if (tid === 0) {
      for (const obj of LOCKS) add({ type: 'object', obj, kind: 'lock', name: `lock${obj}`, size: 0 })
      add({ type: 'object', obj: QUEUE, kind: 'queue', name: 'q', size: 4 })
    }
    for (let r = 0; r < rounds; r++) {
      add({ type: 'state', state: 'running', obj: null, line: 1 })
      tUs += rand() * 20
      const onQueue = rand() < 0.3
      const obj = onQueue ? QUEUE : LOCKS[Math.floor(rand() * LOCKS.length)]
      add({ type: 'state', state: onQueue ? 'waiting' : 'blocked', obj, line: 2 })
      // Now and then a long wait, so that ends are in no order.
      tUs += rand() < 0.05 ? 500 + rand() * 3000 : rand() * 30
      const after: Record<string, number | null> = onQueue
        ? { depth: Math.floor(rand() * 5) }
        : { owner: threadKey(0, tid), waiters: 0 }
      const id = add({
        type: 'op',
        obj,
        op: onQueue ? 'get' : 'acquire',
        result: 'ok',
        line: 2,
        after,
        // Mostly another thread's op; now and then the thread's own last (a link that draws no arrow).
        cause:
          rand() < 0.1
            ? (ops[tid].at(-1) ?? null)
            : tid > 0 && rand() < 0.7
              ? (ops[Math.floor(rand() * tid)][r + Math.floor(rand() * 5) - 2] ?? null)
              : null,
        value: null,
      })
      ops[tid].push(id)
      add({ type: 'state', state: 'sleeping', obj: null, line: 3 })
      tUs += rand() * 40
      if (!onQueue)
        add({
          type: 'op',
          obj,
          op: 'release',
          result: 'ok',
          line: 4,
          after: { owner: null, waiters: 0 },
          cause: null,
          value: null,
        })
    }
    add({ type: 'thread-end', reason: 'returned', error: null })
    byThread.push(events)
  }
  return byThread
}

/** Streams the run into a trace in batches: per batch, each thread's next few events, threads in a random order. */
function* stream(seed: number, byThread: TraceEvent[][]): Generator<RunTrace> {
  const rand = mulberry32(seed)
  const trace = new RunTrace()
  const at = byThread.map(() => 0)
  while (at.some((i, t) => i < byThread[t].length)) {
    const batch: TraceEvent[] = []
    const order = byThread.map((_, t) => t).sort(() => rand() - 0.5)
    for (const t of order) {
      const n = Math.floor(rand() * 12)
      batch.push(...byThread[t].slice(at[t], at[t] + n))
      at[t] = Math.min(byThread[t].length, at[t] + n)
    }
    trace.addEvents(batch)
    yield trace
  }
  trace.end(trace.nowUs + 10)
  yield trace
}

function waitsAtByScan(list: WaitList, atUs: number, nowUs: number): Wait[] {
  return list.toArray().filter((w) => w.startUs <= atUs && atUs < Math.min(w.endUs, nowUs))
}

describe('indices by time, against the scans they replace', () => {
  it('finds the waits going on at a time, and those in a window, while the run streams and after', () => {
    const rand = mulberry32(5)
    let checks = 0
    for (const trace of stream(6, randomRun(7, 60))) {
      for (const key of ['0:1', '0:2', '0:3']) {
        const waits = trace.waitsOn(key)
        const index = waitIndexOf(waits)
        for (let q = 0; q < 4; q++) {
          const atUs = rand() * trace.lastUs
          expect(index.at(atUs, trace.lastUs)).toEqual(waitsAtByScan(waits, atUs, trace.lastUs))
          const toUs = atUs + rand() * 300
          const found: Wait[] = []
          index.forEachOverlapping(atUs, toUs, trace.lastUs, (w) => void found.push(w))
          const expected = waits
            .toArray()
            .filter((w) => w.startUs < toUs && Math.min(w.endUs, trace.lastUs) > atUs)
          expect(found).toEqual(expected)
          expect(index.anyDuring(atUs, toUs, trace.lastUs)).toBe(expected.length > 0)
          checks++
        }
      }
    }
    expect(checks).toBeGreaterThan(100)
  })

  it("tells an object's highest level over a window as its steps say, while they arrive out of order", () => {
    const rand = mulberry32(9)
    for (const trace of stream(10, randomRun(11, 60))) {
      for (const key of ['0:1', '0:3']) {
        const object = trace.objects.get(key)
        if (!object) continue
        const steps = object.steps.toArray()
        // The level in effect after each step: the step's own, else the one before.
        const carried: (number | null)[] = []
        steps.forEach((s, i) =>
          carried.push(objectLevel(object.kind, s.after) ?? (i ? carried[i - 1] : null)),
        )
        for (let q = 0; q < 4; q++) {
          const fromUs = rand() * trace.lastUs
          const toUs = fromUs + rand() * 200
          let inEffect = steps.length - 1
          while (inEffect >= 0 && steps[inEffect].startUs > fromUs) inEffect--
          const levels = carried.filter(
            (_, i) => i === inEffect || (steps[i].startUs >= fromUs && steps[i].startUs < toUs),
          )
          const known = levels.filter((l): l is number => l !== null)
          expect(levelIndexOf(object).maxDuring(fromUs, toUs)).toBe(known.length ? Math.max(...known) : null)
        }
      }
    }
  })

  it('gives each object segment the state a look at its middle gives', () => {
    const trace = [...stream(12, randomRun(13, 40))].at(-1)!
    for (const key of ['0:1', '0:3']) {
      const object = trace.objects.get(key)!
      const waits = trace.waitsOn(key)
      const segments = objectSegments(object, waits, 0, trace.lastUs, trace.lastUs)
      expect(segments.length).toBeGreaterThan(50)
      for (const s of segments) {
        const mid = objectStateAt(object, waits, (s.startUs + s.endUs) / 2, trace.lastUs)
        expect([mid.level, mid.owner, mid.waiting]).toEqual([s.level, s.owner, s.waiting])
        expect(mid.waiting).toEqual(waitsAtByScan(waits, (s.startUs + s.endUs) / 2, trace.lastUs))
      }
    }
  })

  it('finds every arrow that reaches into a window, while causes arrive after their effects', () => {
    const rand = mulberry32(14)
    for (const trace of stream(15, randomRun(16, 60))) {
      const index = linkIndexOf(trace)
      for (let q = 0; q < 4; q++) {
        const fromUs = rand() * trace.lastUs
        const toUs = fromUs + rand() * rand() * trace.lastUs
        const found = new Set<unknown>()
        index.forEachIn(fromUs, toUs, (placed) => found.add(placed.index))
        const links = trace.links.toArray()
        const expected = links.flatMap((link, i) => {
          const cause = trace.causeOf(link)
          if (!cause || cause.threadKey === link.toKey) return []
          return Math.min(cause.tUs, link.toUs) <= toUs && Math.max(cause.tUs, link.toUs) >= fromUs ? [i] : []
        })
        expect(found.size).toBe(expected.length)
        for (const i of expected) expect(found.has(i)).toBe(true)
        expect(index.countIn(fromUs, toUs)).toBe(expected.length)
        // Thinned: a third or so of them, all among those in view.
        const some = new Set<unknown>()
        index.forEachIn(fromUs, toUs, (placed) => some.add(placed.index), 3)
        for (const link of some) expect(found.has(link)).toBe(true)
        expect(some.size).toBeLessThanOrEqual(Math.ceil(expected.length / 3) + 40)
      }
    }
  })
})

/** A painter that keeps what it is asked to draw. */
function recordingPainter() {
  const drawn = { rects: [] as number[][], lines: 0, texts: [] as string[] }
  const painter: Painter = {
    rect: (x, y, w, h) => void drawn.rects.push([x, y, w, h]),
    stateRect: () => {},
    lines: (xy, stroke) => void (drawn.lines += stroke === COLOURS.arrow ? xy.length / 4 : 0),
    polygons: () => {},
    dots: () => {},
    text: (text) => void drawn.texts.push(text),
    textWidth: (text) => text.length * 7,
  }
  return { drawn, painter }
}

const COLOURS = { lane: 'l', laneAlt: 'a', laneHeader: 'h', arrow: 'r', object: 'o', text: 't', cursor: 'c' }

describe('level of detail in paintLanes', () => {
  const trace = [...stream(17, randomRun(18, 3000))].at(-1)!
  const layout = layoutLanes(trace.laneProcesses())
  const widthPx = 400

  it('draws an object lane in about a bar per pixel column however many steps it has, leaving no held stretch out', () => {
    const lock = trace.objects.get('0:1')!
    expect(lock.steps.length).toBeGreaterThan(5000)
    const lane = layout.byObject.get('0:1')!
    const scale = makeTimeScale(0, trace.lastUs, 0, widthPx)
    const { drawn, painter } = recordingPainter()
    paintLanes(painter, { widthPx, heightPx: layout.heightPx, scale, colours: COLOURS }, layout, trace, null)
    const inLane = drawn.rects.filter(
      ([, y, , h]) => y > lane.y && y + h <= lane.y + lane.height && h < lane.height,
    )
    expect(inLane.length).toBeLessThanOrEqual(2 * widthPx)
    // Every stretch at least a pixel wide while it was held has a bar over it.
    for (const s of objectSegments(lock, trace.waitsOn('0:1'), 0, trace.lastUs, trace.lastUs)) {
      const x0 = timeToPx(scale, s.startUs)
      const x1 = timeToPx(scale, s.endUs)
      if (x1 - x0 < 1 || !s.level) continue
      const mid = (x0 + x1) / 2
      expect(inLane.some(([x, , w]) => x <= mid && mid <= x + Math.max(w, 1))).toBe(true)
    }
  })

  it('draws at most so many arrows and says how many were left out', () => {
    const scale = makeTimeScale(0, trace.lastUs, 0, widthPx)
    const { drawn, painter } = recordingPainter()
    const stats = paintLanes(
      painter,
      { widthPx, heightPx: layout.heightPx, scale, colours: COLOURS },
      layout,
      trace,
      null,
    )
    const inView = trace.links.toArray().filter((l) => {
      const cause = trace.causeOf(l)
      return cause && cause.threadKey !== l.toKey
    }).length
    expect(trace.links.length).toBeGreaterThan(inView)
    expect(inView).toBeGreaterThan(ARROW_LINES_MAX)
    expect(stats.arrows).toBe(inView)
    expect(stats.arrowsDrawn).toBe(drawn.lines)
    expect(stats.arrowsDrawn).toBeLessThanOrEqual(ARROW_LINES_MAX)
    expect(stats.arrowsDrawn).toBeGreaterThan(ARROW_LINES_MAX / 4)
    expect(drawn.texts).toContain(
      `${stats.arrowsDrawn.toLocaleString('en-US')} of ${inView.toLocaleString('en-US')} arrows`,
    )
  })

  it('draws every arrow, and says nothing about it, once few are in view', () => {
    const scale = makeTimeScale(trace.lastUs / 2, trace.lastUs / 2 + 500, 0, widthPx)
    const { drawn, painter } = recordingPainter()
    const stats = paintLanes(
      painter,
      { widthPx, heightPx: layout.heightPx, scale, colours: COLOURS },
      layout,
      trace,
      null,
    )
    expect(stats.arrows).toBeGreaterThan(0)
    expect(stats.arrowsDrawn).toBe(stats.arrows)
    expect(drawn.lines).toBe(stats.arrows)
    expect(drawn.texts.some((t) => t.endsWith(' arrows'))).toBe(false)
  })
})

describe('paintLanes with only some lanes in view', () => {
  const trace = [...stream(19, randomRun(20, 50))].at(-1)!
  const layout = layoutLanes(trace.laneProcesses())
  const widthPx = 300
  const scale = makeTimeScale(0, trace.lastUs, 0, widthPx)
  const frame = { widthPx, heightPx: layout.heightPx, scale, colours: COLOURS }

  it('draws the lanes in the band and nothing below it, and the same lanes as a whole picture does', () => {
    const third = layout.lanes[3]
    const band = { top: 0, bottom: third.y + third.height }
    const some = recordingPainter()
    const all = recordingPainter()
    paintLanes(some.painter, { ...frame, visibleY: band }, layout, trace, trace.lastUs / 3)
    paintLanes(all.painter, frame, layout, trace, trace.lastUs / 3)
    // Rectangles (lanes, bars, the cursor) stay in the band; those of the whole picture that are in it are all there.
    expect(some.drawn.rects.every(([, y]) => y < band.bottom)).toBe(true)
    const inBand = all.drawn.rects.filter(([, y, , h]) => y + h <= band.bottom && h < layout.heightPx)
    expect(some.drawn.rects).toEqual(expect.arrayContaining(inBand))
    expect(some.drawn.rects.length).toBeLessThan(all.drawn.rects.length)
    const cursor = some.drawn.rects.find(([x, , w]) => w === 2 && x === 99)
    expect(cursor).toEqual([99, 0, 2, band.bottom])
  })
})
