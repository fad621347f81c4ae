import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../shared/trace'
import { DEADLOCK_CONFIRM_US, DeadlockWatch } from './deadlock'

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
