// The benchmark's pure parts: statistics, verdicts, the table, wake pairing, profiles, the synthetic recording.
import { describe, expect, it } from 'vitest'
import { figure, formatTable, formatValue, median, percentile, spread } from '../bench/figures'
import { topFunctions, type CpuProfile } from '../bench/profile'
import { syntheticRecording } from '../bench/synthetic'
import { findWakes } from '../bench/wakes'
import { parseRecording } from '../src/shared/recording'
import { eventId, type TraceEvent } from '../src/shared/trace'

describe('statistics', () => {
  it('takes the nearest-rank percentile of sorted values', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1) // 1..100
    expect(percentile(xs, 50)).toBe(50)
    expect(percentile(xs, 95)).toBe(95)
    expect(percentile(xs, 100)).toBe(100)
    expect(percentile([7], 95)).toBe(7)
    expect(percentile([], 95)).toBeNaN()
  })

  it('takes the median of odd and even counts, in any order', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(median([])).toBeNaN()
  })

  it('sums up a spread', () => {
    expect(spread([5, 1, 3, 2, 4])).toEqual({ n: 5, median: 3, p95: 5, min: 1, max: 5 })
  })
})

describe('figures', () => {
  it('judges a value by its target, and says n/a without one or without a value', () => {
    expect(figure('ratio', 1.04, 'ratio', { op: '<=', value: 1.05 }).met).toBe(true)
    expect(figure('ratio', 1.06, 'ratio', { op: '<=', value: 1.05 }).met).toBe(false)
    expect(figure('rate', 499_999, 'events/s', { op: '>=', value: 500_000 }).met).toBe(false)
    expect(figure('rate', 500_000, 'events/s', { op: '>=', value: 500_000 }).met).toBe(true)
    expect(figure('info', 3, 'µs', null).met).toBeNull()
    expect(figure('skipped', null, 'ms', { op: '<=', value: 1 }).met).toBeNull()
    expect(figure('broken', NaN, 'ms', { op: '<=', value: 1 }).met).toBeNull()
  })

  it('prints values with three significant digits and grouped thousands', () => {
    expect(formatValue(1_429_273.4)).toBe('1,429,273')
    expect(formatValue(221.4)).toBe('221')
    expect(formatValue(22.31)).toBe('22.3')
    expect(formatValue(1.0234)).toBe('1.02')
    expect(formatValue(0.7851)).toBe('0.785')
    expect(formatValue(64)).toBe('64')
    expect(formatValue(null)).toBe('n/a')
  })

  it('lays the table out in aligned columns, with the verdicts', () => {
    const lines = formatTable([
      figure('events one thread records', 2_450_000, 'events/s', { op: '>=', value: 1_000_000 }),
      figure('wake, median', 25.5, 'µs', { op: '<=', value: 24, text: '<= 2x bare Atomics (24.0 µs)' }),
      figure('reference', 12.04, 'µs', null),
    ])
    expect(lines).toHaveLength(5)
    expect(lines[2]).toMatch(/^events one thread records +2,450,000 +events\/s +>= 1,000,000 +met$/)
    expect(lines[3]).toMatch(/wake, median +25\.5 +µs +<= 2x bare Atomics \(24\.0 µs\) +NOT met$/)
    expect(lines[4]).toMatch(/reference +12\.0 +µs +n\/a$/)
    // The measured column ends at the same place on every row.
    const ends = lines.slice(2).map((l) => l.search(/ (events\/s|µs)/))
    expect(new Set(ends).size).toBe(1)
  })
})

describe('findWakes', () => {
  const base = (tUs: number, tid: number, seq: number) => ({ tUs, pid: 0, tid, seq })
  const op = (
    tUs: number,
    tid: number,
    seq: number,
    obj: number,
    name: 'read' | 'release' | 'acquire' | 'notify' | 'wait',
    cause: number | null = null,
  ): TraceEvent => ({
    ...base(tUs, tid, seq),
    type: 'op',
    obj,
    op: name,
    result: 'ok',
    line: 1,
    after: {},
    cause,
    value: null,
  })
  const state = (tUs: number, tid: number, seq: number, s: 'running' | 'blocked'): TraceEvent => ({
    ...base(tUs, tid, seq),
    type: 'state',
    state: s,
    obj: null,
    line: 1,
  })
  const object = (tUs: number, tid: number, seq: number, obj: number, name: string): TraceEvent => ({
    ...base(tUs, tid, seq),
    type: 'object',
    obj,
    kind: name === 'mark' ? 'variable' : 'lock',
    name,
    size: 0,
  })

  it('measures from the waker’s mark to the woken thread running, paired by the causal link', () => {
    // Thread 1 marks at 100 and releases lock 2 at 101; thread 2, blocked, acquires at 130 and runs at 131.
    const events: TraceEvent[] = [
      object(0, 1, 0, 1, 'mark'),
      object(0, 1, 1, 2, 'lock'),
      op(100, 1, 2, 1, 'read'),
      op(101, 1, 3, 2, 'release'),
      state(50, 2, 0, 'blocked'),
      op(130, 2, 1, 2, 'acquire', eventId(0, 1, 3)),
      state(131, 2, 2, 'running'),
      // Thread 1's next call does not block (nor do any later): it did not park after the release.
      op(132, 1, 4, 3, 'acquire'),
      state(500, 1, 5, 'blocked'),
    ]
    expect(findWakes(events, 'mark')).toEqual([
      {
        callUs: 100,
        causeUs: 101,
        wokenUs: 130,
        runningUs: 131,
        latencyUs: 31,
        wakerParkedUs: null,
        blockedAgain: false,
      },
    ])
  })

  it('notes when the waker parked and whether the woken thread blocked again before it ran', () => {
    // Thread 1 notifies at 101 and waits (its own park) at 104; thread 2, woken at 110, finds the lock
    // still held, blocks at 111 and runs at 140.
    const events: TraceEvent[] = [
      object(0, 1, 0, 1, 'mark'),
      op(100, 1, 1, 1, 'read'),
      op(101, 1, 2, 2, 'notify'),
      op(103, 1, 3, 3, 'release'),
      state(104, 1, 4, 'blocked'),
      op(110, 2, 0, 2, 'wait', eventId(0, 1, 2)),
      state(111, 2, 1, 'blocked'),
      op(139, 2, 2, 3, 'acquire', eventId(0, 1, 3)),
      state(140, 2, 3, 'running'),
    ]
    expect(findWakes(events, 'mark')).toEqual([
      {
        callUs: 100,
        causeUs: 101,
        wokenUs: 110,
        runningUs: 140,
        latencyUs: 40,
        wakerParkedUs: 104,
        blockedAgain: true,
      },
    ])
  })

  it('leaves out wakes without a mark right before the cause, and acquires nobody woke', () => {
    const events: TraceEvent[] = [
      object(0, 1, 0, 1, 'mark'),
      op(100, 1, 1, 1, 'read'),
      op(100.5, 1, 2, 9, 'read'), // another read between the mark and the release
      op(101, 1, 3, 2, 'release'),
      op(130, 2, 0, 2, 'acquire', eventId(0, 1, 3)),
      state(131, 2, 1, 'running'),
      op(200, 2, 2, 2, 'acquire'), // not woken: no cause
      state(201, 2, 3, 'running'),
    ]
    expect(findWakes(events, 'mark')).toEqual([])
  })
})

describe('topFunctions', () => {
  it('sums self time by function and sorts it', () => {
    const frame = (functionName: string, url = 'http://x/assets/index.js', lineNumber = 9) => ({
      functionName,
      url,
      lineNumber,
    })
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1) },
        { id: 2, callFrame: frame('decode') },
        { id: 3, callFrame: frame('(garbage collector)', '', -1) },
      ],
      samples: [2, 3, 2, 2, 1],
      timeDeltas: [1000, 4000, 1000, 1000, 1000],
    }
    const top = topFunctions(profile, 2)
    expect(top.map((l) => l.where)).toEqual(['(garbage collector)', 'decode (assets/index.js:10)'])
    expect(top[1].selfMs).toBe(3)
    expect(top[0].share).toBeCloseTo(0.5)
  })
})

describe('syntheticRecording', () => {
  it('is a recording the app opens: the schema passes it, and its threads wake each other', () => {
    const recording = syntheticRecording({ threads: 8, events: 5000, locks: 2, seed: 3 })
    const checked = parseRecording(JSON.parse(JSON.stringify(recording)))
    const events = checked.record.events
    expect(events.length).toBeGreaterThanOrEqual(5000)
    expect(new Set(events.map((e) => e.tid)).size).toBe(8)
    // Sorted by time, and every thread's own events in sequence.
    for (let i = 1; i < events.length; i++) expect(events[i].tUs).toBeGreaterThanOrEqual(events[i - 1].tUs)
    const ids = new Set(events.map((e) => eventId(e.pid, e.tid, e.seq)))
    expect(ids.size).toBe(events.length)
    // Causal links point at events that exist: releases that let blocked threads in.
    const woken = events.filter((e) => e.type === 'op' && e.op === 'acquire' && e.cause !== null)
    expect(woken.length).toBeGreaterThan(0)
    for (const e of woken) expect(ids.has((e as { cause: number }).cause)).toBe(true)
    expect(checked.record.final.every((t) => t.state === 'finished')).toBe(true)
  })

  it('is the same every time for the same seed', () => {
    const a = syntheticRecording({ threads: 4, events: 500, locks: 1, seed: 9 })
    const b = syntheticRecording({ threads: 4, events: 500, locks: 1, seed: 9 })
    expect(a.record.events).toEqual(b.record.events)
  })
})
