// The soak's pure logic (bench/soakCheck.ts): /proc parsing, the descendant walk, the verdicts.
import { describe, expect, it } from 'vitest'
import {
  HEAP_BYTES_PER_RUN,
  countByType,
  describeHandles,
  descendantsOf,
  judgeSoak,
  parseProcStat,
  type SoakPoint,
} from '../bench/soakCheck'

describe('parseProcStat', () => {
  it('reads pid, state, ppid and start time, even when the command name holds spaces and parentheses', () => {
    // Fields 5 to 21 are placeholders; field 22 (starttime) is 777.
    const middle = Array.from({ length: 17 }, (_, i) => String(i + 5)).join(' ')
    const line = `4242 (node (worker) x) S 4000 ${middle} 777 123 456\n`
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4000, state: 'S', startTime: 777 })
  })

  it('refuses a line that is not a stat line', () => {
    expect(parseProcStat('')).toBeNull()
    expect(parseProcStat('12 no parentheses S 1')).toBeNull()
    expect(parseProcStat('12 (short) S')).toBeNull()
  })
})

describe('descendantsOf', () => {
  it('finds children and grandchildren, not siblings or ancestors', () => {
    const parents = new Map([
      [1, 0],
      [10, 1], // the root
      [11, 10],
      [12, 10],
      [13, 12], // a grandchild
      [20, 1], // a sibling of the root
      [21, 20],
    ])
    expect(descendantsOf(10, parents)).toEqual([11, 12, 13])
    expect(descendantsOf(13, parents)).toEqual([])
  })

  it('ends on an inconsistent table (a cycle from pids read while they were reused)', () => {
    const parents = new Map([
      [10, 11],
      [11, 10],
      [12, 11],
    ])
    expect(descendantsOf(10, parents)).toEqual([11, 12])
  })
})

describe('judgeSoak', () => {
  const MB = 1024 * 1024
  const point = (runs: number, over: Partial<SoakPoint> = {}): SoakPoint => ({
    runs,
    heapUsedBytes: 8 * MB,
    rssBytes: 90 * MB,
    handles: {},
    openFds: 30,
    descendants: 2,
    newDescendants: 0,
    runPidsAlive: 0,
    runPidsLaunched: runs * 2,
    msPerRun: runs ? 450 : null,
    ...over,
  })
  const met = (points: SoakPoint[], failed = 0): Record<string, boolean | null> =>
    Object.fromEntries(judgeSoak(points, failed, 500).map((v) => [v.figure, v.met]))

  it('calls flat figures flat', () => {
    const points = [
      point(0),
      point(100, { heapUsedBytes: 8.2 * MB }),
      point(500, { heapUsedBytes: 8.3 * MB }),
    ]
    expect(Object.values(met(points)).every((m) => m === true)).toBe(true)
  })

  it('catches a heap that keeps a little of every run', () => {
    const leak = 8 * MB + 500 * (HEAP_BYTES_PER_RUN + 100)
    expect(met([point(0), point(500, { heapUsedBytes: leak })])['JS heap after GC']).toBe(false)
  })

  it('judges handles by type, at every point, not only by their total at the end', () => {
    const start = point(0, { handles: { Timeout: 1, PipeWrap: 1 } })
    // Same total at the end, but a ProcessWrap in place of a Timeout.
    const swapped = point(500, { handles: { PipeWrap: 1, ProcessWrap: 1 } })
    expect(met([start, swapped])['active handles']).toBe(false)
    // Back to the start at the end, but above it along the way.
    const midway = point(100, { handles: { Timeout: 1, PipeWrap: 3 } })
    expect(met([start, midway, point(500, { handles: { Timeout: 1, PipeWrap: 1 } })])['active handles']).toBe(
      false,
    )
    expect(met([start, point(500, { handles: { PipeWrap: 1 } })])['active handles']).toBe(true)
  })

  it('counts a process left behind, a leaked descriptor and a failed run', () => {
    expect(met([point(0), point(500, { runPidsAlive: 1 })])['processes left']).toBe(false)
    expect(met([point(0), point(500, { descendants: 3, newDescendants: 1 })])['processes left']).toBe(false)
    expect(met([point(0), point(500, { openFds: 31 })])['open file descriptors']).toBe(false)
    expect(met([point(0), point(500)], 1)['failed runs']).toBe(false)
  })

  it('says n/a where there is no /proc, and still judges the run pids', () => {
    const noProc = { openFds: null, descendants: null, newDescendants: null }
    const verdicts = met([point(0, noProc), point(500, { ...noProc, runPidsAlive: 1 })])
    expect(verdicts['open file descriptors']).toBeNull()
    expect(verdicts['processes left']).toBe(false)
  })

  it('describes and counts handles', () => {
    expect(describeHandles(countByType(['Timeout', 'PipeWrap', 'Timeout']))).toBe('3 (1 PipeWrap, 2 Timeout)')
    expect(describeHandles({})).toBe('0')
  })
})
