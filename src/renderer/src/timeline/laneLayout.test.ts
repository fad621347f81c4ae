import { describe, expect, it } from 'vitest'
import { laneAtY, laneMidY, layoutLanes, type LaneHeights, type LaneProcess } from './laneLayout'

const heights: LaneHeights = { process: 20, thread: 30, object: 25, gap: 10 }

const processes: LaneProcess[] = [
  {
    pid: 1,
    name: 'Worker',
    threads: [{ key: 4096, tid: 0, name: 'MainThread' }],
    objects: [],
  },
  {
    pid: 0,
    name: 'MainProcess',
    threads: [
      { key: 2, tid: 2, name: 'Thread-2' },
      { key: 0, tid: 0, name: 'MainThread' },
      { key: 1, tid: 1, name: 'Thread-1' },
    ],
    objects: [{ key: '0:1', kind: 'lock', name: 'lock' }],
  },
]

describe('layoutLanes', () => {
  const layout = layoutLanes(processes, heights)

  it('orders processes by pid, threads by tid, objects after their threads', () => {
    expect(layout.lanes.map((l) => `${l.kind}:${l.label}`)).toEqual([
      'process:MainProcess',
      'thread:MainThread',
      'thread:Thread-1',
      'thread:Thread-2',
      'object:lock',
      'process:Worker',
      'thread:MainThread',
    ])
  })

  it('stacks lanes with a gap between processes', () => {
    expect(layout.lanes.map((l) => l.y)).toEqual([0, 20, 50, 80, 110, 145, 165])
    expect(layout.heightPx).toBe(195)
    expect(layout.byThread.get(4096)?.y).toBe(165)
    expect(layout.byObject.get('0:1')?.height).toBe(25)
    expect(laneMidY(layout.byThread.get(1)!)).toBe(65)
  })

  it('finds the lane under a y, and none in a gap or outside', () => {
    expect(laneAtY(layout, 0)?.label).toBe('MainProcess')
    expect(laneAtY(layout, 49.9)?.label).toBe('MainThread')
    expect(laneAtY(layout, 50)?.label).toBe('Thread-1')
    expect(laneAtY(layout, 120)?.kind).toBe('object')
    expect(laneAtY(layout, 140)).toBeNull() // the gap after MainProcess
    expect(laneAtY(layout, -1)).toBeNull()
    expect(laneAtY(layout, 195)).toBeNull()
  })

  it('keeps lanes stable as threads appear', () => {
    const before = layoutLanes([{ ...processes[1], threads: processes[1].threads.slice(1, 2) }], heights)
    const after = layoutLanes([processes[1]], heights)
    expect(before.byThread.get(0)?.y).toBe(after.byThread.get(0)?.y)
    expect(new Set(after.lanes.map((l) => l.id)).size).toBe(after.lanes.length)
  })
})
