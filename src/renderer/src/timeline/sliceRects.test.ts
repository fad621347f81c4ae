import { describe, expect, it } from 'vitest'
import { THREAD_STATES, type ThreadState } from '../../../shared/trace'
import { mulberry32 } from '../../../../tests/support/random'
import type { SliceList } from '../trace/runTrace'
import { sliceListOf, ThreadSlices, type Span } from '../../../../tests/support/slices'
import { firstSliceEndingAfter, sliceRects, type SliceRect } from './sliceRects'
import { makeTimeScale, timeToPx, type TimeScale } from './timeScale'

function slices(...spans: [number, number, ThreadState][]): SliceList {
  return sliceListOf(spans.map(([startUs, endUs, state]) => ({ startUs, endUs, state })))
}

describe('sliceRects', () => {
  // 1 µs a pixel.
  const scale = makeTimeScale(0, 1000, 0, 1000)

  it('draws wide slices as they are, merging neighbours of one state', () => {
    const rects = sliceRects(
      slices([0, 100, 'running'], [100, 300, 'gil-wait'], [300, 400, 'gil-wait'], [400, 500, 'running']),
      scale,
      1000,
    )
    expect(rects).toEqual([
      { x0: 0, x1: 100, state: 'running' },
      { x0: 100, x1: 400, state: 'gil-wait' },
      { x0: 400, x1: 500, state: 'running' },
    ])
  })

  it('turns thousands of slices in one pixel into one column of the state that took most of it', () => {
    const many: [number, number, ThreadState][] = []
    for (let i = 0; i < 10_000; i++) {
      const t = 500 + i * 0.0001
      many.push([t, t + 0.00007, 'sleeping'], [t + 0.00007, t + 0.0001, 'running'])
    }
    const rects = sliceRects(slices(...many), scale, 1000)
    expect(rects).toEqual([{ x0: 500, x1: 501, state: 'sleeping' }])
  })

  it('clips to the window and runs open slices to now', () => {
    const rects = sliceRects(slices([-50, 20, 'blocked'], [20, Infinity, 'running']), scale, 600)
    expect(rects).toEqual([
      { x0: 0, x1: 20, state: 'blocked' },
      { x0: 20, x1: 600, state: 'running' },
    ])
    expect(sliceRects(slices([2000, 3000, 'running']), scale, 5000)).toEqual([])
  })

  it('finds the first visible slice by binary search', () => {
    const s = slices([0, 10, 'running'], [10, 20, 'sleeping'], [20, Infinity, 'running'])
    expect(firstSliceEndingAfter(s, 5)).toBe(0)
    expect(firstSliceEndingAfter(s, 10)).toBe(1)
    expect(firstSliceEndingAfter(s, 1e9)).toBe(2)
  })
})

/** The rule itself, slice by slice: what the running totals must agree with. */
function sliceRectsByScan(list: SliceList, scale: TimeScale, nowUs: number): SliceRect[] {
  const all = list.toArray()
  const rects: SliceRect[] = []
  const bucket = new Float64Array(THREAD_STATES.length)
  let col = NaN
  const push = (x0: number, x1: number, state: ThreadState): void => {
    const prev = rects.at(-1)
    if (prev && prev.state === state && x0 - prev.x1 <= 0.01) prev.x1 = Math.max(prev.x1, x1)
    else rects.push({ x0, x1, state })
  }
  const flush = (): void => {
    if (Number.isNaN(col)) return
    let best = 0
    for (let s = 1; s < bucket.length; s++) if (bucket[s] > bucket[best]) best = s
    push(col, col + 1, THREAD_STATES[best])
    bucket.fill(0)
    col = NaN
  }
  for (const slice of all) {
    const endUs = Math.min(slice.endUs, nowUs)
    if (slice.startUs >= scale.endUs || endUs <= scale.startUs || endUs <= slice.startUs) continue
    const x0 = Math.max(scale.leftPx, timeToPx(scale, slice.startUs))
    const x1 = Math.min(scale.rightPx, timeToPx(scale, endUs))
    if (x1 <= x0) continue
    if (x1 - x0 >= 1) {
      flush()
      push(x0, x1, slice.state)
      continue
    }
    if (Math.floor(x0) !== col) flush()
    col = Math.floor(x0)
    bucket[THREAD_STATES.indexOf(slice.state)] += x1 - x0
  }
  flush()
  return rects
}

/** A thread's slices: mostly short, some long, the last one open. */
function randomSpans(rand: () => number, count: number): Span[] {
  const out: Span[] = []
  let tUs = rand() * 100
  for (let i = 0; i < count; i++) {
    const long = rand() < 0.02
    const length = long ? 200 + rand() * 5000 : rand() * 3
    const state = THREAD_STATES[Math.floor(rand() * (THREAD_STATES.length - 1))]
    out.push({ startUs: tUs, endUs: tUs + length, state })
    tUs += length
  }
  out[out.length - 1].endUs = Infinity
  return out
}

describe('sliceRects on many slices', () => {
  it('equals the slice-by-slice rule on random threads, at every zoom', () => {
    const rand = mulberry32(8)
    for (let round = 0; round < 30; round++) {
      const spans = randomSpans(rand, 200 + Math.floor(rand() * 3000))
      const all = sliceListOf(spans)
      const lastUs = spans[spans.length - 1].startUs + rand() * 100
      const spanUs = lastUs * 10 ** -(rand() * 3)
      const startUs = (lastUs - spanUs) * rand() - 50
      const scale = makeTimeScale(startUs, startUs + spanUs, 0, 300 + Math.floor(rand() * 900))
      const rects = sliceRects(all, scale, lastUs)
      const expected = sliceRectsByScan(all, scale, lastUs)
      expect(rects.length).toBe(expected.length)
      rects.forEach((r, i) => {
        expect(r.state).toBe(expected[i].state)
        expect(r.x0).toBeCloseTo(expected[i].x0, 6)
        expect(r.x1).toBeCloseTo(expected[i].x1, 6)
      })
    }
  })

  it('never merges away a slice at least a pixel wide, among thousands narrower', () => {
    const spans: Span[] = []
    const add = (startUs: number, endUs: number, state: ThreadState): void =>
      void spans.push({ startUs, endUs, state })
    // Running most of each 0.05 µs, a GIL wait the rest; 3 µs of sleep (3 px at 1 µs a pixel) between.
    const dense = (fromUs: number): void => {
      for (let i = 0; i < 20_000; i++) {
        const t = fromUs + i * 0.05
        add(t, t + 0.04, 'running')
        add(t + 0.04, t + 0.05, 'gil-wait')
      }
    }
    dense(0)
    add(1000, 1003, 'sleeping')
    dense(1003)
    const rects = sliceRects(sliceListOf(spans), makeTimeScale(0, 2003, 0, 2003), Infinity)
    expect(rects).toEqual([
      { x0: 0, x1: 1000, state: 'running' },
      { x0: 1000, x1: 1003, state: 'sleeping' },
      { x0: 1003, x1: 2003, state: 'running' },
    ])
  })

  it('counts slices that end while a run streams once they have ended', () => {
    const rand = mulberry32(3)
    const all = randomSpans(rand, 2000)
    const growing = new ThreadSlices()
    const scale = makeTimeScale(0, all[all.length - 1].startUs, 0, 400)
    for (let i = 0; i < all.length; i++) {
      // Each slice begins as the one before ends, and stays open until the next begins.
      growing.begin(all[i].startUs, all[i].state)
      if (i % 97 === 0) {
        const nowUs = all[i].startUs
        const { slices } = growing
        expect(sliceRects(slices, scale, nowUs)).toEqual(sliceRectsByScan(slices, scale, nowUs))
      }
    }
  })
})
