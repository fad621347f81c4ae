import { describe, expect, it } from 'vitest'
import { sliceListOf } from '../../../../tests/support/slices'
import type { TraceEvent } from '../../../shared/trace'
import { threadKey } from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'
import { hitTest, nearestAt, sliceAt } from './hitTest'
import { layoutLanes, type LaneHeights } from './laneLayout'
import { makeTimeScale } from './timeScale'

const heights: LaneHeights = { process: 20, thread: 30, object: 20, gap: 0 }

function traceOf(events: TraceEvent[]): RunTrace {
  const trace = new RunTrace()
  trace.addEvents(events)
  trace.end(1000)
  return trace
}

const base = { pid: 0 }
const events: TraceEvent[] = [
  { ...base, tid: 0, seq: 0, tUs: 0, type: 'thread-start', name: 'MainThread', daemon: false, parent: null },
  { ...base, tid: 0, seq: 1, tUs: 0, type: 'state', state: 'running', obj: null, line: 3 },
  { ...base, tid: 0, seq: 2, tUs: 10, type: 'object', obj: 1, kind: 'lock', name: 'lock', size: 0 },
  {
    ...base,
    tid: 0,
    seq: 3,
    tUs: 100,
    type: 'op',
    obj: 1,
    op: 'acquire',
    result: 'ok',
    line: 5,
    after: { owner: 0, waiters: 0 },
    cause: null,
    value: null,
  },
  { ...base, tid: 0, seq: 4, tUs: 400, type: 'state', state: 'sleeping', obj: null, line: 6 },
  { ...base, tid: 0, seq: 5, tUs: 600, type: 'print', text: 'hello', line: 7 },
  { ...base, tid: 0, seq: 6, tUs: 800, type: 'thread-end', reason: 'returned', error: null },
]

describe('hitTest', () => {
  const trace = traceOf(events)
  const layout = layoutLanes(trace.laneProcesses(), heights)
  const scale = makeTimeScale(0, 1000, 0, 500) // 2 µs a pixel

  it('finds the thread, the slice and a nearby operation under the pointer', () => {
    const hit = hitTest(layout, trace, scale, 51, 35)
    expect(hit?.lane.label).toBe('MainThread')
    expect(hit?.tUs).toBe(102)
    expect(hit?.slice?.state).toBe('running')
    expect(hit?.op?.op).toBe('acquire')
    const later = hitTest(layout, trace, scale, 260, 35)
    expect(later?.slice?.state).toBe('sleeping')
    expect(later?.op).toBeNull()
    expect(later?.print).toBeNull()
  })

  it('finds a print marker within reach, and none further away', () => {
    // The print is at 600 µs: x = 300.
    expect(hitTest(layout, trace, scale, 304, 35)?.print?.text).toBe('hello')
    expect(hitTest(layout, trace, scale, 296, 35)?.print?.text).toBe('hello')
    expect(hitTest(layout, trace, scale, 306, 35)?.print).toBeNull()
    expect(hitTest(layout, trace, scale, 310, 35, 10)?.print?.text).toBe('hello')
  })

  it('finds nothing after a thread ended, nor outside the lanes', () => {
    expect(hitTest(layout, trace, scale, 450, 35)?.slice).toBeNull()
    expect(hitTest(layout, trace, scale, 100, 500)).toBeNull()
    expect(hitTest(layout, trace, scale, -5, 35)).toBeNull()
  })

  it("gives an object's state on its lane", () => {
    const lockLane = layout.byObject.get('0:1')
    expect(lockLane).toBeDefined()
    const hit = hitTest(layout, trace, scale, 100, lockLane!.y + 5)
    expect(hit?.object?.step?.after).toEqual({ owner: threadKey(0, 0), waiters: 0 })
    expect(hit?.object?.owner).toBe(threadKey(0, 0))
    expect(hitTest(layout, trace, scale, 10, lockLane!.y + 5)?.object).toBeNull()
  })

  it('nearestAt picks the closer of the two neighbours of x', () => {
    const times = [100, 110, 400]
    const at = (t: number): number => t
    // 2 µs a pixel: 100 -> 50 px, 110 -> 55 px.
    expect(nearestAt(times, at, scale, 54, 5)).toBe(110)
    expect(nearestAt(times, at, scale, 52, 5)).toBe(100)
    expect(nearestAt(times, at, scale, 150, 5)).toBeNull()
    expect(nearestAt([], at, scale, 50, 5)).toBeNull()
  })

  it('sliceAt covers open slices and nothing before the first', () => {
    const open = sliceListOf([{ startUs: 10, endUs: Infinity, state: 'running' }])
    expect(sliceAt(open, 5)).toBeNull()
    expect(sliceAt(open, 1e9)?.state).toBe('running')
  })
})
