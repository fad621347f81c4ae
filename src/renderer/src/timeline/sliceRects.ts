/**
 * Level of detail: a thread's slices as rectangles to fill. A slice at least a pixel wide is its own
 * rectangle; narrower ones that share a pixel column become one column of the state that took
 * most of that pixel's time. Neighbours of one state merge, so a frame fills few rectangles.
 */
import { THREAD_STATES, type ThreadState } from '../../../shared/trace'
import type { Slice } from '../trace/runTrace'
import { timeToPx, type TimeScale } from './timeScale'

export interface SliceRect {
  x0: number
  x1: number
  state: ThreadState
}

/** Index of the first slice that ends after `tUs` (slices are in time order). */
export function firstSliceEndingAfter(slices: readonly Slice[], tUs: number): number {
  let lo = 0
  let hi = slices.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (slices[mid].endUs <= tUs) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Rectangles for the visible part of `slices`; open slices run to `nowUs`. */
export function sliceRects(
  slices: readonly Slice[],
  scale: TimeScale,
  nowUs: number,
  minPx = 1,
): SliceRect[] {
  const rects: SliceRect[] = []
  const bucket = new Float64Array(THREAD_STATES.length)
  let bucketCol = NaN

  const push = (x0: number, x1: number, state: ThreadState): void => {
    const prev = rects.at(-1)
    if (prev && prev.state === state && x0 - prev.x1 <= 0.01) prev.x1 = Math.max(prev.x1, x1)
    else rects.push({ x0, x1, state })
  }
  const flush = (): void => {
    if (Number.isNaN(bucketCol)) return
    let best = 0
    for (let s = 1; s < bucket.length; s++) if (bucket[s] > bucket[best]) best = s
    push(bucketCol, bucketCol + 1, THREAD_STATES[best])
    bucket.fill(0)
    bucketCol = NaN
  }

  for (let i = firstSliceEndingAfter(slices, scale.startUs); i < slices.length; i++) {
    const slice = slices[i]
    if (slice.startUs >= scale.endUs) break
    const endUs = Math.min(slice.endUs, nowUs)
    if (endUs <= slice.startUs) continue
    const x0 = Math.max(scale.leftPx, timeToPx(scale, slice.startUs))
    const x1 = Math.min(scale.rightPx, timeToPx(scale, endUs))
    if (x1 <= x0) continue
    if (x1 - x0 >= minPx) {
      flush()
      push(x0, x1, slice.state)
      continue
    }
    const col = Math.floor(x0)
    if (col !== bucketCol) {
      flush()
      bucketCol = col
    }
    bucket[THREAD_STATES.indexOf(slice.state)] += x1 - x0
  }
  flush()
  return rects
}
