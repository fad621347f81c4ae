/**
 * What is under the pointer: the lane, the slice at that time, an operation or a print within
 * reach, or an object's state.
 */
import type { OpEvent } from '../../../shared/trace'
import type {
  ObjectTrack,
  PrintLine,
  RowList,
  Slice,
  SliceList,
  ThreadTrack,
  WaitList,
} from '../trace/runTrace'
import { lastAtOrBeforeBy } from '../trace/runTrace'
import { laneAtY, type Lane, type LaneLayout } from './laneLayout'
import { objectStateAt, type ObjectState } from './objectSegments'
import { pxToTime, timeToPx, type TimeScale } from './timeScale'

export interface Hit {
  lane: Lane
  tUs: number
  slice: Slice | null
  op: OpEvent | null
  /** A print marker within reach on a thread's lane. */
  print: PrintLine | null
  /** On an object's lane: its state then, with whoever waited on it. */
  object: ObjectState | null
}

export interface HitSource {
  threads: ReadonlyMap<number, ThreadTrack>
  objects: ReadonlyMap<string, ObjectTrack>
  /** The time the trace runs to: where open waits end. */
  readonly lastUs: number
  waitsOn(objectKey: string): WaitList
}

/** The slice that covers `tUs` (an open slice covers everything after its start), or null. */
export function sliceAt(slices: SliceList, tUs: number): Slice | null {
  const i = slices.lastAtOrBefore(tUs)
  return i >= 0 && tUs < slices.endUs(i) ? slices.at(i) : null
}

/**
 * Of the item at index `i` (the last one at or before the pointer's time) and the one after it, the
 * index of the one drawn nearest to `x` within `tolerancePx` (`timeOf` its time), or -1.
 */
function nearestIndex(
  i: number,
  count: number,
  timeOf: (j: number) => number,
  scale: TimeScale,
  x: number,
  tolerancePx: number,
): number {
  let best = -1
  let bestPx = tolerancePx
  for (const j of [i, i + 1]) {
    if (j < 0 || j >= count) continue
    const d = Math.abs(timeToPx(scale, timeOf(j)) - x)
    if (d <= bestPx) {
      best = j
      bestPx = d
    }
  }
  return best
}

/** Index of the item of a RowList (in time order) drawn nearest to `x`, if within `tolerancePx`; else -1. */
export function nearestRow<T>(items: RowList<T>, scale: TimeScale, x: number, tolerancePx: number): number {
  const i = items.lastAtOrBefore(pxToTime(scale, x))
  return nearestIndex(i, items.length, (j) => items.tUs(j), scale, x, tolerancePx)
}

/** The item (in time order, `at` its time) drawn nearest to `x`, if it is within `tolerancePx`. */
export function nearestAt<T>(
  items: readonly T[],
  at: (item: T) => number,
  scale: TimeScale,
  x: number,
  tolerancePx: number,
): T | null {
  const i = lastAtOrBeforeBy(items, pxToTime(scale, x), at)
  const j = nearestIndex(i, items.length, (k) => at(items[k]), scale, x, tolerancePx)
  return j < 0 ? null : items[j]
}

export function hitTest(
  layout: LaneLayout,
  source: HitSource,
  scale: TimeScale,
  x: number,
  y: number,
  tolerancePx = 5,
): Hit | null {
  const lane = laneAtY(layout, y)
  if (!lane || x < scale.leftPx || x > scale.rightPx) return null
  const tUs = pxToTime(scale, x)
  const hit: Hit = { lane, tUs, slice: null, op: null, print: null, object: null }
  if (lane.threadKey !== null) {
    const track = source.threads.get(lane.threadKey)
    if (track) {
      hit.slice = sliceAt(track.slices, tUs)
      const op = nearestRow(track.ops, scale, x, tolerancePx)
      hit.op = op < 0 ? null : track.ops.at(op)
      hit.print = nearestAt(track.prints, (p) => p.tUs, scale, x, tolerancePx)
    }
  } else if (lane.objectKey !== null) {
    const track = source.objects.get(lane.objectKey)
    if (track && tUs <= source.lastUs) {
      const state = objectStateAt(track, source.waitsOn(track.key), tUs, source.lastUs)
      hit.object = state.step || state.waiting.length ? state : null
    }
  }
  return hit
}
