import { describe, expect, it } from 'vitest'
import type { ObjectKind, Op, TraceEvent } from '../../../shared/trace'
import { threadKey } from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'
import { holdersDuring, objectSegments, objectStateAt, objectStateText } from './objectSegments'

const T1 = threadKey(0, 1)
const T2 = threadKey(0, 2)
let seq = 100

function object(obj: number, kind: ObjectKind, name: string, size = 0): TraceEvent {
  return { pid: 0, tid: 0, seq: seq++, tUs: 0, type: 'object', obj, kind, name, size }
}

function op(
  tid: number,
  tUs: number,
  obj: number,
  name: Op,
  after: Record<string, number | null>,
): TraceEvent {
  return {
    pid: 0,
    tid,
    seq: seq++,
    tUs,
    type: 'op',
    obj,
    op: name,
    result: 'ok',
    line: 1,
    after,
    cause: null,
    value: null,
  }
}

function state(tid: number, tUs: number, s: 'running' | 'blocked' | 'waiting', obj: number | null = null) {
  return { pid: 0, tid, seq: seq++, tUs, type: 'state', state: s, obj, line: 1 } as const
}

function traceOf(events: TraceEvent[], endUs = 1000): RunTrace {
  const trace = new RunTrace()
  trace.addEvents([
    { pid: 0, tid: 1, seq: 0, tUs: 0, type: 'thread-start', name: 'Thread-1', daemon: false, parent: 0 },
    { pid: 0, tid: 2, seq: 0, tUs: 0, type: 'thread-start', name: 'Thread-2', daemon: false, parent: 0 },
    ...events,
  ])
  trace.end(endUs)
  return trace
}

const name = (key: number): string => (key === T1 ? 'Thread-1' : key === T2 ? 'Thread-2' : '?')

describe('objectSegments', () => {
  // Thread-1 holds the lock from 100; Thread-2 blocks on it at 150 and gets it at 400.
  const trace = traceOf([
    object(1, 'lock', 'lock'),
    op(1, 100, 1, 'acquire', { owner: T1, waiters: 0 }),
    state(2, 150, 'blocked', 1),
    op(1, 390, 1, 'release', { owner: null, waiters: 1 }),
    op(2, 400, 1, 'acquire', { owner: T2, waiters: 0 }),
    state(2, 400, 'running'),
  ])
  const lock = trace.objects.get('0:1')!
  const waits = trace.waitsOn('0:1')

  it("gives a lock's owner and its waiters, from the blocked slice", () => {
    const segments = objectSegments(lock, waits, 0, 1000, trace.lastUs)
    expect(segments.map((s) => [s.startUs, s.endUs, s.owner, s.waiting.map((w) => w.threadKey)])).toEqual([
      [100, 150, T1, []],
      [150, 390, T1, [T2]],
      [390, 400, null, [T2]],
      [400, 1000, T2, []],
    ])
    expect(segments.map((s) => s.level)).toEqual([1, 1, 0, 1])
    expect(objectStateText(lock, segments[1], name)).toBe('Thread-1 · 1 waiting')
    expect(objectStateText(lock, segments[2], name)).toBe('1 waiting')
  })

  it('starts a window inside a state, and stops at the time the trace has reached', () => {
    const segments = objectSegments(lock, waits, 200, 395, 1000)
    expect(segments.map((s) => [s.startUs, s.endUs, s.owner])).toEqual([
      [200, 390, T1],
      [390, 395, null],
    ])
    expect(objectSegments(lock, waits, 500, 900, 600).map((s) => [s.startUs, s.endUs])).toEqual([[500, 600]])
    expect(objectSegments(lock, waits, 0, 90, 1000)).toEqual([])
  })

  it('names who held the lock while a thread waited for it, not the waiter', () => {
    expect(holdersDuring(lock, waits, 150, 400, T2)).toEqual([T1])
    expect(holdersDuring(lock, waits, 0, 1000, -1)).toEqual([T1, T2])
  })

  it('gives the state at one time, with who waits then', () => {
    const at = objectStateAt(lock, waits, 200, trace.lastUs)
    expect(at.owner).toBe(T1)
    expect(at.waiting.map((w) => w.threadKey)).toEqual([T2])
    expect(at.step?.op).toBe('acquire')
    expect(objectStateAt(lock, waits, 450, trace.lastUs).waiting).toEqual([])
  })
})

describe('objectSegments of a condition', () => {
  // Thread-1 takes the condition and waits on it (releasing its lock); Thread-2 then takes it.
  const trace = traceOf([
    object(2, 'condition', 'cond'),
    op(1, 100, 2, 'acquire', { owner: T1, waiters: 0 }),
    state(1, 200, 'waiting', 2),
    state(2, 250, 'blocked', 2),
    op(2, 300, 2, 'acquire', { owner: T2, waiters: 1 }),
    state(2, 300, 'running'),
    op(2, 320, 2, 'notify', { owner: T2, waiters: 0 }),
    op(2, 380, 2, 'release', { owner: T1, waiters: 0 }),
    op(1, 381, 2, 'wait', { owner: T1, waiters: 0 }),
    state(1, 382, 'running'),
  ])
  const cond = trace.objects.get('0:2')!
  const waits = trace.waitsOn('0:2')

  it('does not count a thread waiting on it as its owner', () => {
    expect(objectStateAt(cond, waits, 220, trace.lastUs)).toMatchObject({ owner: null, level: 0 })
    expect(objectStateAt(cond, waits, 150, trace.lastUs)).toMatchObject({ owner: T1, level: 1 })
    expect(objectStateAt(cond, waits, 310, trace.lastUs).owner).toBe(T2)
    const text = objectStateText(cond, objectStateAt(cond, waits, 260, trace.lastUs), name)
    expect(text).toBe('2 waiting')
  })

  it("names its lock's holder during a wait, and nobody when none is known", () => {
    expect(holdersDuring(cond, waits, 200, 382, T1)).toEqual([T2])
    expect(holdersDuring(cond, waits, 200, 290, T1)).toEqual([])
  })
})

describe('objectStateText', () => {
  const waiting = [] as const
  it('says a queue’s depth against its maxsize, an event’s flag and a barrier’s arrivals', () => {
    const state = (level: number) => ({ level, owner: null, waiting, step: null })
    expect(objectStateText({ kind: 'queue', size: 3 }, state(2), name)).toBe('2/3')
    expect(objectStateText({ kind: 'queue', size: 0 }, state(5), name)).toBe('5')
    expect(objectStateText({ kind: 'queue', size: 3 }, state(0), name)).toBe('')
    expect(objectStateText({ kind: 'mp-event', size: 0 }, state(1), name)).toBe('set')
    expect(objectStateText({ kind: 'event', size: 0 }, state(0), name)).toBe('')
    expect(objectStateText({ kind: 'barrier', size: 4 }, state(3), name)).toBe('3/4 arrived')
  })

  it('counts the threads blocked on a full queue', () => {
    const trace = traceOf([
      object(3, 'queue', 'q', 1),
      op(1, 100, 3, 'put', { depth: 1, unfinished: 1, waiters: 0 }),
      state(2, 200, 'blocked', 3),
    ])
    const q = trace.objects.get('0:3')!
    const segments = objectSegments(q, trace.waitsOn('0:3'), 0, 1000, trace.lastUs)
    expect(segments.map((s) => objectStateText(q, s, name))).toEqual(['1/1', '1/1 · 1 waiting'])
  })
})
