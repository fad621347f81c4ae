/**
 * Level of detail: a thread's slices as rectangles to fill. A slice at least a pixel wide is its own
 * rectangle; narrower ones that share a pixel column become one column of the state that took
 * most of that pixel's time. Neighbours of one state merge, so a frame fills few rectangles.
 *
 * A column's time per state is not summed slice by slice: each thread's slices keep running totals
 * per state every BLOCK slices (StateTimes), so a column holding thousands of slices costs two
 * binary searches and two short partial sums, and a frame costs what its pixels do, not its slices.
 * The slices are read from the trace's columns (SliceList): no copy of them is kept here.
 */
import { THREAD_STATES, type ThreadState } from '../../../shared/trace'
import { OPEN_SLICE, type SliceList } from '../trace/runTrace'
import { pxToTime, timeToPx, type TimeScale } from './timeScale'

const STATES = THREAD_STATES.length
/** Slices per block of running totals: the partial sums at a column's two ends are at most this long. */
const BLOCK = 16

/**
 * The time per state before each block boundary of a thread's ended slices: `totals[b * STATES + s]`
 * is the time slices 0 to before b * BLOCK spent in state s. A thread's slices are appended in order
 * and only its last one is still open, so what is taken in never changes. The slices themselves
 * are read from the trace's columns (SliceList): this holds only the totals.
 */
class StateTimes {
  /** Slices taken in: those before the first open one. */
  count = 0
  private totals = new Float64Array(16 * STATES)

  constructor(private readonly slices: SliceList) {}

  /** Takes in the slices that ended since. */
  extend(): void {
    const slices = this.slices
    const ends = slices.ends.data
    let n = this.count
    while (n < slices.length && ends[n] !== OPEN_SLICE) n++
    if (n === this.count) return
    const blocksBefore = Math.floor(this.count / BLOCK)
    const blocks = Math.floor(n / BLOCK)
    if ((blocks + 1) * STATES > this.totals.length)
      this.totals = grow(this.totals, Math.max((blocks + 1) * STATES, this.totals.length * 2))
    for (let b = blocksBefore; b < blocks; b++) {
      const to = (b + 1) * STATES
      this.totals.copyWithin(to, b * STATES, to)
      for (let i = b * BLOCK; i < (b + 1) * BLOCK; i++) {
        this.totals[to + slices.stateCode(i)] += slices.endUs(i) - slices.startUs(i)
      }
    }
    this.count = n
  }

  /** Adds to `into` (per state, in THREAD_STATES order) `scale` times the time of slices `from` to before `to`, all taken in. */
  addTimes(from: number, to: number, into: Float64Array, scale: number): void {
    const firstBlock = Math.ceil(from / BLOCK)
    const lastBlock = Math.floor(to / BLOCK)
    if (lastBlock - firstBlock < 1) {
      this.addEach(from, to, into, scale)
      return
    }
    this.addEach(from, firstBlock * BLOCK, into, scale)
    for (let s = 0; s < STATES; s++) {
      into[s] += (this.totals[lastBlock * STATES + s] - this.totals[firstBlock * STATES + s]) * scale
    }
    this.addEach(lastBlock * BLOCK, to, into, scale)
  }

  private addEach(from: number, to: number, into: Float64Array, scale: number): void {
    const slices = this.slices
    for (let i = from; i < to; i++) into[slices.stateCode(i)] += (slices.endUs(i) - slices.startUs(i)) * scale
  }

  /**
   * Index of the first slice taken in that starts at or after `tUs`, from `lo` on (`count` if
   * none): galloping, since it is mostly a few slices on.
   */
  firstStartingFrom(tUs: number, lo: number): number {
    const slices = this.slices
    let step = 1
    let hi = lo
    while (hi < this.count && slices.startUs(hi) < tUs) {
      lo = hi + 1
      hi += step
      step *= 2
    }
    hi = Math.min(hi, this.count)
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (slices.startUs(mid) < tUs) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

function grow(array: Float64Array, size: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(size)
  grown.set(array)
  return grown
}

const stateTimes = new WeakMap<SliceList, StateTimes>()

function stateTimesOf(slices: SliceList): StateTimes {
  let times = stateTimes.get(slices)
  if (!times) stateTimes.set(slices, (times = new StateTimes(slices)))
  times.extend()
  return times
}

export interface SliceRect {
  x0: number
  x1: number
  state: ThreadState
}

/** Index of the first slice that ends after `tUs` (slices are in time order). */
export function firstSliceEndingAfter(slices: SliceList, tUs: number): number {
  let lo = 0
  let hi = slices.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (slices.endUs(mid) <= tUs) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Appends a rectangle, or widens the last one if it is of the same state and touches it. */
function pushRect(rects: SliceRect[], x0: number, x1: number, state: ThreadState): void {
  const prev = rects.length ? rects[rects.length - 1] : undefined
  if (prev && prev.state === state && x0 - prev.x1 <= 0.01) prev.x1 = Math.max(prev.x1, x1)
  else rects.push({ x0, x1, state })
}

/** The state that took most of a column's time (the first of equals, in THREAD_STATES order). */
function dominant(bucket: Float64Array): ThreadState {
  let best = 0
  for (let s = 1; s < bucket.length; s++) if (bucket[s] > bucket[best]) best = s
  return THREAD_STATES[best]
}

/**
 * Rectangles for the visible part of `slices`; open slices run to `nowUs`. (No closures inside: V8
 * inlines a closure by its identity, a new one per call, and threw the optimised loop away each
 * time, which made this loop some fifty times slower.)
 */
export function sliceRects(slices: SliceList, scale: TimeScale, nowUs: number, minPx = 1): SliceRect[] {
  const rects: SliceRect[] = []
  const bucket = new Float64Array(STATES)
  let bucketCol = NaN
  const pxPerUs = (scale.rightPx - scale.leftPx) / (scale.endUs - scale.startUs)
  const times = stateTimesOf(slices)
  const count = times.count
  for (let i = firstSliceEndingAfter(slices, scale.startUs); i < slices.length; i++) {
    const startUs = slices.startUs(i)
    if (startUs >= scale.endUs) break
    const endUs = Math.min(slices.endUs(i), nowUs)
    if (endUs <= startUs) continue
    const x0 = Math.max(scale.leftPx, timeToPx(scale, startUs))
    const x1 = Math.min(scale.rightPx, timeToPx(scale, endUs))
    if (x1 <= x0) continue
    const state = slices.stateCode(i)
    const col = Math.floor(x0)
    if (x1 - x0 >= minPx || col !== bucketCol) {
      if (!Number.isNaN(bucketCol)) {
        pushRect(rects, bucketCol, bucketCol + 1, dominant(bucket))
        bucket.fill(0)
        bucketCol = NaN
      }
      if (x1 - x0 >= minPx) {
        pushRect(rects, x0, x1, THREAD_STATES[state])
        continue
      }
      bucketCol = col
    }
    bucket[state] += x1 - x0
    // The slices after it that end inside the same column go in at once, from the running totals:
    // all but the last that starts in the column, which may reach past it and goes round the loop.
    const colEndUs = pxToTime(scale, col + 1)
    if (colEndUs > nowUs || colEndUs > scale.endUs) continue
    if (!(i + 2 < count && slices.startUs(i + 2) < colEndUs)) continue
    const next = times.firstStartingFrom(colEndUs, i + 1)
    if (next - i > 2) {
      times.addTimes(i + 1, next - 1, bucket, pxPerUs)
      i = next - 2
    }
  }
  if (!Number.isNaN(bucketCol)) pushRect(rects, bucketCol, bucketCol + 1, dominant(bucket))
  return rects
}
