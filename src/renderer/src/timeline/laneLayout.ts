/**
 * Lanes, top to bottom: each process's header, then one lane per thread, then its objects' lanes.
 * A pure function of what the run has shown so far, so lanes keep their places as threads appear.
 */
import type { ObjectKind } from '../../../shared/trace'

export interface LaneThread {
  key: number
  tid: number
  name: string
}

export interface LaneObject {
  key: string
  kind: ObjectKind
  name: string
}

export interface LaneProcess {
  pid: number
  name: string
  threads: readonly LaneThread[]
  objects: readonly LaneObject[]
}

export type LaneKind = 'process' | 'thread' | 'object'

export interface Lane {
  kind: LaneKind
  /** Stable across redraws: `p0`, `t4096`, `o0:1`. */
  id: string
  label: string
  pid: number
  /** Top edge and height, CSS pixels from the top of the lanes. */
  y: number
  height: number
  threadKey: number | null
  objectKey: string | null
}

export interface LaneLayout {
  lanes: Lane[]
  heightPx: number
  byThread: Map<number, Lane>
  byObject: Map<string, Lane>
}

export interface LaneHeights {
  process: number
  thread: number
  object: number
  /** Space after each process's group. */
  gap: number
}

export const LANE_HEIGHTS: LaneHeights = { process: 24, thread: 40, object: 28, gap: 6 }

/** Processes in pid order, threads in tid order, objects as given. */
export function layoutLanes(
  processes: readonly LaneProcess[],
  heights: LaneHeights = LANE_HEIGHTS,
): LaneLayout {
  const lanes: Lane[] = []
  const byThread = new Map<number, Lane>()
  const byObject = new Map<string, Lane>()
  let y = 0
  const add = (lane: Omit<Lane, 'y'>): Lane => {
    const placed = { ...lane, y }
    lanes.push(placed)
    y += lane.height
    return placed
  }
  const sorted = [...processes].sort((a, b) => a.pid - b.pid)
  sorted.forEach((p, i) => {
    add({
      kind: 'process',
      id: `p${p.pid}`,
      label: p.name,
      pid: p.pid,
      height: heights.process,
      threadKey: null,
      objectKey: null,
    })
    for (const t of [...p.threads].sort((a, b) => a.tid - b.tid)) {
      const lane = add({
        kind: 'thread',
        id: `t${t.key}`,
        label: t.name,
        pid: p.pid,
        height: heights.thread,
        threadKey: t.key,
        objectKey: null,
      })
      byThread.set(t.key, lane)
    }
    for (const o of p.objects) {
      const lane = add({
        kind: 'object',
        id: `o${o.key}`,
        label: o.name,
        pid: p.pid,
        height: heights.object,
        threadKey: null,
        objectKey: o.key,
      })
      byObject.set(o.key, lane)
    }
    if (i < sorted.length - 1) y += heights.gap
  })
  return { lanes, heightPx: y, byThread, byObject }
}

/** The lane under a y coordinate, or null between groups and outside. */
export function laneAtY(layout: LaneLayout, y: number): Lane | null {
  const { lanes } = layout
  let lo = 0
  let hi = lanes.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1
    const lane = lanes[mid]
    if (y < lane.y) hi = mid - 1
    else if (y >= lane.y + lane.height) lo = mid + 1
    else return lane
  }
  return null
}

/** The vertical middle of a lane: where arrows start and end. */
export function laneMidY(lane: Lane): number {
  return lane.y + lane.height / 2
}
