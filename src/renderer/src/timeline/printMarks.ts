/**
 * Where to draw a thread's print markers: one per print in view, leaving out any closer than a gap
 * to the last one kept. Each next one is found by a binary search, so a thread that printed
 * thousands of lines costs a few markers per gap of width, not a loop over all of them.
 */
import type { PrintLine } from '../trace/runTrace'
import { pxToTime, timeToPx, type TimeScale } from './timeScale'

/** Index of the first print at or after `tUs`, from `lo` on. */
function firstAtOrAfter(prints: readonly PrintLine[], tUs: number, lo = 0): number {
  let hi = prints.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (prints[mid].tUs < tUs) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The x of each marker to draw, rounded to whole pixels, in time order. */
export function printMarks(prints: readonly PrintLine[], scale: TimeScale, gapPx: number): number[] {
  const xs: number[] = []
  let i = firstAtOrAfter(prints, scale.startUs)
  while (i < prints.length && prints[i].tUs <= scale.endUs) {
    const x = Math.round(timeToPx(scale, prints[i].tUs))
    xs.push(x)
    i = firstAtOrAfter(prints, pxToTime(scale, x + gapPx), i + 1)
  }
  return xs
}
