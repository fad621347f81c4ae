/** What is under the pointer: the lane, the slice at that time, and an operation within reach. */
import type { OpEvent } from '../../../shared/trace'
import type { ObjectStep, ObjectTrack, Slice, ThreadTrack } from '../trace/runTrace'
import { lastAtOrBeforeBy } from '../trace/runTrace'
import { laneAtY, type Lane, type LaneLayout } from './laneLayout'
import { pxToTime, timeToPx, type TimeScale } from './timeScale'

export interface Hit {
  lane: Lane
  tUs: number
  slice: Slice | null
  op: OpEvent | null
  /** On an object's lane: its state then. */
  step: ObjectStep | null
}

export interface HitSource {
  threads: ReadonlyMap<number, ThreadTrack>
  objects: ReadonlyMap<string, ObjectTrack>
}

/** The slice that covers `tUs` (an open slice covers everything after its start), or null. */
export function sliceAt(slices: readonly Slice[], tUs: number): Slice | null {
  let lo = 0
  let hi = slices.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (slices[mid].startUs <= tUs) lo = mid + 1
    else hi = mid
  }
  const slice = slices[lo - 1]
  return slice && tUs < slice.endUs ? slice : null
}

/** The operation nearest to `x`, if it is within `tolerancePx`. */
export function opNear(
  ops: readonly OpEvent[],
  scale: TimeScale,
  x: number,
  tolerancePx: number,
): OpEvent | null {
  const t = pxToTime(scale, x)
  const i = lastAtOrBeforeBy(ops, t, (o) => o.tUs)
  let best: OpEvent | null = null
  let bestPx = tolerancePx
  for (const j of [i, i + 1]) {
    const op = ops[j]
    if (!op) continue
    const d = Math.abs(timeToPx(scale, op.tUs) - x)
    if (d <= bestPx) {
      best = op
      bestPx = d
    }
  }
  return best
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
  const hit: Hit = { lane, tUs, slice: null, op: null, step: null }
  if (lane.threadKey !== null) {
    const track = source.threads.get(lane.threadKey)
    if (track) {
      hit.slice = sliceAt(track.slices, tUs)
      hit.op = opNear(track.ops, scale, x, tolerancePx)
    }
  } else if (lane.objectKey !== null) {
    const track = source.objects.get(lane.objectKey)
    if (track) {
      const i = lastAtOrBeforeBy(track.steps, tUs, (s) => s.startUs)
      hit.step = i >= 0 ? track.steps[i] : null
    }
  }
  return hit
}
