import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../shared/trace'
import { DEADLOCK_CONFIRM_US, DeadlockWatch, ObjectFold } from './deadlock'

const base = { pid: 0, seq: 0, id: 0 }
const start = (tid: number, name: string, tUs = 0): TraceEvent =>
  ({ ...base, type: 'thread-start', tid, tUs, name, daemon: false, parent: null }) as unknown as TraceEvent
const object = (obj: number, name: string): TraceEvent =>
  ({
    ...base,
    type: 'object',
    tid: 0,
    tUs: 0,
    obj,
    kind: 'lock',
    name,
    size: 0,
    line: 0,
  }) as unknown as TraceEvent
const acquired = (tid: number, obj: number, tUs: number): TraceEvent =>
  ({
    ...base,
    type: 'op',
    tid,
    tUs,
    obj,
    op: 'acquire',
    result: 'ok',
    line: 10,
    after: { owner: tid, waiters: 0 },
    cause: null,
    value: null,
  }) as unknown as TraceEvent
const blocked = (tid: number, obj: number, tUs: number, line = 16): TraceEvent =>
  ({ ...base, type: 'state', tid, tUs, state: 'blocked', obj, line }) as unknown as TraceEvent
const running = (tid: number, tUs: number): TraceEvent =>
  ({ ...base, type: 'state', tid, tUs, state: 'running', obj: null, line: 17 }) as unknown as TraceEvent

function twoLocks(): DeadlockWatch {
  const watch = new DeadlockWatch(() => 'MainProcess')
  watch.add([start(1, 'T1'), start(2, 'T2'), object(100, 'lock_a'), object(101, 'lock_b')])
  watch.add([acquired(1, 100, 10), acquired(2, 101, 20)])
  return watch
}

describe('DeadlockWatch', () => {
  it('reports a cycle of blocked threads once it has stood long enough, naming threads, locks and lines', () => {
    const watch = twoLocks()
    watch.add([blocked(1, 101, 30), blocked(2, 100, 40)])
    expect(watch.check(50)).toBeNull()
    expect(watch.check(50 + DEADLOCK_CONFIRM_US - 1)).toBeNull()
    const report = watch.check(50 + DEADLOCK_CONFIRM_US)!
    expect(report.cycle.map((c) => [c.thread, c.objName, c.line]).sort()).toEqual([
      ['T1', 'lock_b', 16],
      ['T2', 'lock_a', 16],
    ])
    // Said once.
    expect(watch.check(60 + 2 * DEADLOCK_CONFIRM_US)).toBeNull()
    expect(watch.reported).toEqual(report)
  })

  it('forgets a cycle that a later batch undoes (a thread had moved on)', () => {
    const watch = twoLocks()
    watch.add([blocked(1, 101, 30), blocked(2, 100, 40)])
    expect(watch.check(50)).toBeNull()
    // T2's later events arrive: it was not stuck.
    watch.add([running(2, 45)])
    expect(watch.check(50 + DEADLOCK_CONFIRM_US)).toBeNull()
    expect(watch.reported).toBeNull()
  })

  it('sees no cycle when one thread waits for a lock the other holds but is not blocked itself', () => {
    const watch = twoLocks()
    watch.add([blocked(1, 101, 30)])
    expect(watch.check(50)).toBeNull()
    expect(watch.check(50 + 2 * DEADLOCK_CONFIRM_US)).toBeNull()
  })
})

const declared = (obj: number, name: string, kind: string, pid = 0): TraceEvent =>
  ({ ...(object(obj, name) as object), kind, pid }) as unknown as TraceEvent
const op = (
  tid: number,
  obj: number,
  tUs: number,
  after: Record<string, number | null>,
  pid = 0,
): TraceEvent => ({ ...(acquired(tid, obj, tUs) as object), after, pid }) as unknown as TraceEvent
const waiting = (tid: number, obj: number, tUs: number, line: number): TraceEvent =>
  ({ ...base, type: 'state', tid, tUs, state: 'waiting', obj, line }) as unknown as TraceEvent

describe('DeadlockWatch.hang', () => {
  const needs = (watch: DeadlockWatch, alive = [0]): string[] | null =>
    watch.hang(alive, 5)?.threads.map((t) => `${t.thread}: ${t.needs}`) ?? null

  it('names what would wake each thread: a notify, a release by its holder, a get from a full queue', () => {
    const watch = new DeadlockWatch(() => 'MainProcess')
    watch.add([start(1, 'A'), start(2, 'B'), start(3, 'C')])
    watch.add([
      declared(100, 'cond', 'condition'),
      declared(101, 'lock', 'lock'),
      declared(102, 'q', 'queue'),
    ])
    watch.add([
      op(2, 101, 10, { owner: 1, waiters: 0 }),
      op(3, 102, 11, { depth: 2, unfinished: 2, waiters: 0 }),
    ])
    watch.add([waiting(1, 100, 20, 7), blocked(2, 101, 21), blocked(3, 102, 22)])
    expect(needs(watch)).toEqual([
      'A: a notify() on cond',
      'B: a release of lock, held by MainProcess/A',
      'C: a get() from q, which is full',
    ])
  })

  it('is no hang while a thread could move by itself, or a live process has no thread yet', () => {
    const watch = new DeadlockWatch(() => 'P')
    watch.add([start(1, 'A'), start(2, 'B'), declared(100, 'ready', 'event')])
    watch.add([waiting(1, 100, 20, 7)])
    // B runs (it could set the event).
    expect(needs(watch)).toBeNull()
    watch.add([
      { ...base, type: 'state', tid: 2, tUs: 30, state: 'sleeping', obj: null, line: 9 } as TraceEvent,
    ])
    expect(needs(watch)).toBeNull()
    watch.add([
      { ...base, type: 'thread-end', tid: 2, tUs: 40, reason: 'returned', error: null } as TraceEvent,
    ])
    expect(needs(watch)).toEqual(['A: a set() of ready'])
    // Process 1 was started and has no thread yet: it may still set the event.
    expect(needs(watch, [0, 1])).toBeNull()
    // Threads of a process that has ended do not count.
    expect(needs(watch, [])).toBeNull()
  })

  it('keeps a forked copy of a lock apart from its original: each process its own owner', () => {
    const watch = new DeadlockWatch((pid) => (pid === 0 ? 'MainProcess' : 'Child'))
    watch.add([start(1, 'Holder'), declared(100, 'lock', 'lock')])
    watch.add([op(1, 100, 10, { owner: 1, waiters: 0 })])
    // The child's own copy, released there: the parent's stays held.
    watch.add([op(0, 100, 20, { owner: null, waiters: 0 }, 1)])
    watch.add([blocked(1, 100, 30)])
    expect(needs(watch)).toEqual(['Holder: a release of lock, held by MainProcess/Holder'])
  })
})

describe('ObjectFold', () => {
  it("keeps each object's latest state by time, per process, however ops on them alternate", () => {
    const fold = new ObjectFold()
    fold.add(declared(100, 'a', 'lock'))
    fold.add(declared(101, 'b', 'lock'))
    const owners = (): (number | null | undefined)[] => [
      fold.facts(0, 100)?.owner,
      fold.facts(0, 101)?.owner,
      fold.facts(1, 100)?.owner,
    ]
    fold.add(op(1, 100, 10, { owner: 1, waiters: 0 }))
    fold.add(op(1, 100, 11, { owner: 2, waiters: 0 }))
    // Another object, then the same one in another process (a forked copy), then back.
    fold.add(op(1, 101, 12, { owner: 3, waiters: 0 }))
    fold.add(op(0, 100, 13, { owner: 4, waiters: 0 }, 1))
    fold.add(op(1, 100, 14, { owner: 5, waiters: 0 }))
    expect(owners()).toEqual([5, 3, 4])
    // An op older than the state it would replace (another thread's batch, late): ignored.
    fold.add(op(2, 100, 9, { owner: 6, waiters: 0 }))
    fold.add(op(2, 100, 14, { owner: 7, waiters: 0 }))
    expect(owners()).toEqual([7, 3, 4])
    fold.add(op(0, 100, 12, { owner: 8, waiters: 0 }, 1))
    expect(owners()).toEqual([7, 3, 4])
  })
})
