/**
 * Python's threading semantics, run for real: every model runs in a real process whose Python
 * threads are worker threads, with a real GIL and primitives on shared memory. Timing assertions
 * are loose (the machine is shared); threads are ordered by sleeps where a test needs an order,
 * and causal links are checked through `cause`, never through the timestamps of two threads.
 */
import { MessageChannel } from 'node:worker_threads'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { lockHandOff } from '../../../tests/models/primitives'
import {
  conditionLostWakeup,
  conditionNotify,
  conditionNotifyAll,
  conditionRLock,
  conditionTimeout,
  conditionWaitFor,
  lockRefusals,
  lockWaiters,
  rlockReentry,
} from '../../../tests/models/locks'
import {
  barrierAbort,
  barrierCycle,
  barrierTimeout,
  boundedSemaphore,
  eventClear,
  eventPulse,
  eventSet,
  negativeTimeouts,
  semaphoreCounts,
  semaphoreReleaseN,
} from '../../../tests/models/sync'
import { queueBasics, queueBlockingGet, queueBoundedPut, queueJoin } from '../../../tests/models/queues'
import {
  blockedNoCpu,
  daemonThread,
  gilCountdown,
  raisingThread,
  sleeper,
  threadLifecycle,
  threadNames,
  threadNamesAfterNamed,
} from '../../../tests/models/threads'
import { opsOn, printed, runModel, threadName } from '../../../tests/support/runModel'
import { createControl, D_WAKE_CAUSE, openControl, T_PARK, threadDouble, threadWord } from './control'
import { kindSpec } from './kinds'
import { offsets, WaitList } from './layout'
import { Condition, Lock, Queue } from './primitives'
import { ThreadRuntime } from './runtime'
import { Tracer } from './tracer'
import {
  eventById,
  idOf,
  keyOf,
  lastCpuUs,
  opsBy,
  overlap,
  stateIntervals,
  theOp,
  threadNamed,
  totalUs,
} from '../../../tests/support/trace'

/** Runs a model and checks that it ended normally (a hang or a runtime failure says so first). */
async function run(...args: Parameters<typeof runModel>): Promise<RunRecord> {
  const record = await runModel(...args)
  expect(record.outcome, record.outcome.message).toMatchObject({ status: 'finished' })
  return record
}

/** The thread names of the ops whose cause is `cause`. */
function wokenBy(ops: OpEvent[], cause: OpEvent, r: RunRecord): string[] {
  return ops.filter((e) => e.cause === idOf(cause)).map((e) => threadName(r, e))
}

describe('threading.Lock', () => {
  it('blocks a second thread until released, links release to acquire, and refuses an unheld release', async () => {
    const r = await run(lockHandOff)
    expect(Number(r.result.waitedS)).toBeGreaterThan(0.15)
    expect(r.result.error).toBe('RuntimeError: release unlocked lock')
    const release = theOp(r, 'lock', { op: 'release', line: 2, result: 'ok' })
    const acquire = theOp(r, 'lock', { op: 'acquire', line: 10 })
    // The acquire names the release that let it in.
    expect(acquire.cause).toBe(idOf(release))
    const taker = threadNamed(r, 'Taker')
    const blocked = r.events.find(
      (e) => e.type === 'state' && e.state === 'blocked' && e.tid === taker.tid && e.obj === acquire.obj,
    )
    expect(blocked).toBeDefined()
  })

  it('acquire(False) on a held lock fails at once, acquire(timeout=0.2) after 0.2 s; misuse raises', async () => {
    const r = await run(lockRefusals)
    expect(r.result.nonBlocking).toBe(false)
    expect(Number(r.result.nonBlockingS)).toBeLessThan(0.1)
    expect(r.result.timed).toBe(false)
    expect(Number(r.result.timedS)).toBeGreaterThanOrEqual(0.19)
    expect(Number(r.result.timedS)).toBeLessThan(1.5)
    expect(r.result.nonBlockingWithTimeout).toBe(
      "ValueError: can't specify a timeout for a non-blocking call",
    )
    expect(r.result.negativeTimeout).toBe('ValueError: timeout value must be a non-negative number')
    // A Lock, unlike an RLock, may be released by a thread that did not acquire it.
    expect(r.result.releaseByOther).toBe('')
    expect(theOp(r, 'lock', { line: 14 })).toMatchObject({
      op: 'release',
      result: 'ok',
      after: { owner: null },
    })
    expect(r.result.unheldRelease).toBe('RuntimeError: release unlocked lock')
    expect(r.result.lockedAtEnd).toBe(false)
    expect(theOp(r, 'lock', { line: 10 }).result).toBe('fail')
    expect(theOp(r, 'lock', { line: 11 }).result).toBe('timeout')
    expect(theOp(r, 'lock', { line: 3 })).toMatchObject({ op: 'release', result: 'error' })
    // Both refusals saw main as the owner.
    const main = threadNamed(r, 'MainThread')
    expect(theOp(r, 'lock', { line: 11 }).after.owner).toBe(keyOf(main))
  })

  it('records the owner (a thread key) and the waiters after each operation, and which release let whom in', async () => {
    const r = await run(lockWaiters)
    const main = threadNamed(r, 'MainThread')
    const first = theOp(r, 'lock', { op: 'acquire', line: 1 })
    expect(first.after).toEqual({ owner: keyOf(main), waiters: 0 })
    // Both A and B are queued when main releases: one is let in, one still waits.
    const mainRelease = theOp(r, 'lock', { op: 'release', line: 2 })
    expect(mainRelease.after).toEqual({ owner: null, waiters: 1 })
    const acquires = opsOn(r, 'lock').filter((e) => e.op === 'acquire' && e.line === 10)
    expect(acquires).toHaveLength(2)
    const firstIn = acquires.find((e) => e.cause === idOf(mainRelease))!
    const secondIn = acquires.find((e) => e !== firstIn)!
    expect(firstIn).toBeDefined()
    expect(firstIn.after).toEqual({ owner: keyOf(firstIn), waiters: 1 })
    // The second one in was let in by the first one's release.
    const firstOut = opsBy(r, 'lock', threadName(r, firstIn)).find((e) => e.op === 'release')!
    expect(firstOut.after).toEqual({ owner: null, waiters: 0 })
    expect(secondIn.cause).toBe(idOf(firstOut))
    expect(secondIn.after).toEqual({ owner: keyOf(secondIn), waiters: 0 })
    expect(new Set([threadName(r, firstIn), threadName(r, secondIn)])).toEqual(new Set(['A', 'B']))
  })
})

describe('threading.RLock', () => {
  it('is re-entrant, counts its depth, and only its owner may release it', async () => {
    const r = await run(rlockReentry)
    const main = keyOf(threadNamed(r, 'MainThread'))
    const mine = opsBy(r, 'rlock', 'MainThread').filter((e) => e.result === 'ok')
    expect(mine.map((e) => [e.op, e.after.count])).toEqual([
      ['acquire', 1],
      ['acquire', 2],
      ['acquire', 3],
      ['release', 2],
      ['release', 1],
      ['release', 0],
    ])
    expect(mine.slice(0, 5).every((e) => e.after.owner === main)).toBe(true)
    expect(mine[5].after.owner).toBeNull()
    expect(r.result.nonOwnerRelease).toBe('RuntimeError: cannot release un-acquired lock')
    expect(r.result.unownedRelease).toBe('RuntimeError: cannot release un-acquired lock')
    expect(theOp(r, 'rlock', { line: 10 })).toMatchObject({ op: 'release', result: 'error' })
    // The other thread got in only with main's last release, not the first two.
    const taken = theOp(r, 'rlock', { op: 'acquire', line: 11 })
    expect(taken.cause).toBe(idOf(theOp(r, 'rlock', { line: 6 })))
    expect(taken.after).toEqual({ owner: keyOf(taken), count: 1, waiters: 0 })
  })
})

describe('threading.Condition', () => {
  it('notify() wakes exactly one waiter, in the order they started waiting, and is the wait’s cause', async () => {
    const r = await run(conditionNotify)
    // A waiter enters the wait list while it holds the lock, so the order of their first
    // acquires is the order they wait in.
    const waitOrder = opsOn(r, 'cond._lock')
      .filter((e) => e.op === 'acquire' && e.line === 20)
      .map((e) => threadName(r, e))
    expect([...waitOrder].sort()).toEqual(['W1', 'W2', 'W3'])
    const notifies = opsOn(r, 'cond').filter((e) => e.op === 'notify')
    expect(notifies.map((e) => e.value)).toEqual(['woke 1', 'woke 1', 'woke 1'])
    expect(notifies.map((e) => e.after.waiters)).toEqual([2, 1, 0])
    const waits = opsOn(r, 'cond').filter((e) => e.op === 'wait')
    expect(waits.every((e) => e.result === 'ok')).toBe(true)
    expect(notifies.map((n) => wokenBy(waits, n, r))).toEqual(waitOrder.map((name) => [name]))
  })

  it('notify_all() wakes every waiter', async () => {
    const r = await run(conditionNotifyAll)
    const all = theOp(r, 'cond', { op: 'notify_all' })
    expect(all.value).toBe('woke 3')
    expect(all.after.waiters).toBe(0)
    const waits = opsOn(r, 'cond').filter((e) => e.op === 'wait')
    expect(wokenBy(waits, all, r).sort()).toEqual(['W1', 'W2', 'W3'])
  })

  it('wait(timeout) returns False when nobody notifies, holding the lock again; wait/notify need the lock', async () => {
    const r = await run(conditionTimeout)
    expect(r.result.waitUnheld).toBe('RuntimeError: cannot wait on un-acquired lock')
    expect(r.result.notifyUnheld).toBe('RuntimeError: cannot notify on un-acquired lock')
    expect(r.result.notifyAllUnheld).toBe('RuntimeError: cannot notify on un-acquired lock')
    expect(r.result.waited).toBe(false)
    expect(Number(r.result.waitedS)).toBeGreaterThanOrEqual(0.19)
    expect(Number(r.result.waitedS)).toBeLessThan(1.5)
    expect(r.result.releaseAfter).toBe('')
    expect(theOp(r, 'cond', { op: 'wait' }).result).toBe('timeout')
    // The misuses changed nothing: no wait or notify was recorded for them.
    expect(opsOn(r, 'cond').filter((e) => e.line < 4)).toEqual([])
  })

  it('wait() on a Condition over an RLock held twice releases both levels and restores them', async () => {
    const r = await run(conditionRLock)
    expect(r.result.woken).toBe(true)
    const main = keyOf(threadNamed(r, 'MainThread'))
    // In wait(): one release to count 0, then, once notified, one acquire back to count 2.
    const inWait = opsBy(r, 'cond._lock', 'MainThread').filter((e) => e.line === 3)
    expect(inWait.map((e) => [e.op, e.result, e.after.owner, e.after.count])).toEqual([
      ['release', 'ok', null, 0],
      ['acquire', 'ok', main, 2],
    ])
    // The notifier could only get in because the wait let go of both levels.
    const notifier = theOp(r, 'cond._lock', { op: 'acquire', line: 10 })
    expect(notifier).toMatchObject({ result: 'ok', after: { owner: keyOf(notifier), count: 1 } })
    const notify = theOp(r, 'cond', { op: 'notify' })
    expect(theOp(r, 'cond', { op: 'wait' }).cause).toBe(idOf(notify))
    expect(theOp(r, 'cond._lock', { line: 4 }).after.count).toBe(1)
    expect(theOp(r, 'cond._lock', { line: 5 }).after).toMatchObject({ owner: null, count: 0 })
    expect(r.result.extraRelease).toBe('RuntimeError: cannot release un-acquired lock')
  })

  it('a notify with no waiter is lost: it wakes 0, and a later wait times out', async () => {
    const r = await run(conditionLostWakeup)
    const notify = theOp(r, 'cond', { op: 'notify' })
    expect(notify.value).toBe('woke 0')
    expect(notify.after.waiters).toBe(0)
    expect(r.result.woken).toBe(false)
    expect(theOp(r, 'cond', { op: 'wait' })).toMatchObject({ result: 'timeout', cause: null })
  })

  it('wait_for(predicate) waits until the predicate holds, and returns False at its timeout', async () => {
    const r = await run(conditionWaitFor)
    expect(r.result.got).toBe(true)
    // The first notify (predicate still false) did not end it; the second one did.
    expect(Number(r.result.gotS)).toBeGreaterThanOrEqual(0.15)
    // The predicate was checked first (False), after the first notify (False), after the second (True).
    expect(opsBy(r, 'ready', 'Consumer').map((e) => e.value)).toEqual(['False', 'False', 'True'])
    const waits = opsBy(r, 'cond', 'Consumer').filter((e) => e.op === 'wait' && e.line === 11)
    const notifies = [1, 2].map((line) => theOp(r, 'cond', { op: 'notify', line }))
    expect(waits.map((e) => e.cause)).toEqual(notifies.map(idOf))
    expect(r.result.never).toBe(false)
    expect(Number(r.result.neverS)).toBeGreaterThanOrEqual(0.19)
    expect(Number(r.result.neverS)).toBeLessThan(1.5)
  })
})

describe('threading.Semaphore and BoundedSemaphore', () => {
  it('counts down to zero, then refuses or blocks until a release', async () => {
    const r = await run(semaphoreCounts)
    expect(theOp(r, 'sem', { line: 1 })).toMatchObject({ op: 'acquire', result: 'ok', after: { value: 1 } })
    expect(theOp(r, 'sem', { line: 2 })).toMatchObject({ op: 'acquire', result: 'ok', after: { value: 0 } })
    expect(r.result.nonBlocking).toBe(false)
    expect(theOp(r, 'sem', { line: 3 }).result).toBe('fail')
    expect(r.result.timed).toBe(false)
    expect(Number(r.result.timedS)).toBeGreaterThanOrEqual(0.09)
    expect(theOp(r, 'sem', { line: 4 }).result).toBe('timeout')
    // The blocked thread got in with main's release.
    expect(Number(r.result.blockedS)).toBeGreaterThanOrEqual(0.15)
    const release = theOp(r, 'sem', { line: 5 })
    expect(release.after).toEqual({ value: 1, waiters: 0 })
    const taken = theOp(r, 'sem', { line: 10 })
    expect(taken).toMatchObject({ op: 'acquire', result: 'ok', cause: idOf(release), after: { value: 0 } })
    const blocked = stateIntervals(r, 'Blocked').find((i) => i.state === 'blocked' && i.obj === release.obj)
    expect(blocked).toBeDefined()
  })

  it('release(2) lets exactly two blocked threads in', async () => {
    const r = await run(semaphoreReleaseN)
    const two = theOp(r, 'sem', { op: 'release', line: 1 })
    const one = theOp(r, 'sem', { op: 'release', line: 2 })
    expect(two.after).toEqual({ value: 2, waiters: 1 })
    const acquires = opsOn(r, 'sem').filter((e) => e.op === 'acquire')
    expect(acquires).toHaveLength(3)
    expect(acquires.every((e) => e.result === 'ok')).toBe(true)
    expect(wokenBy(acquires, two, r)).toHaveLength(2)
    expect(wokenBy(acquires, one, r)).toHaveLength(1)
    expect([...wokenBy(acquires, two, r), ...wokenBy(acquires, one, r)].sort()).toEqual(['S1', 'S2', 'S3'])
  })

  it('BoundedSemaphore refuses a release above its initial value; a plain Semaphore allows it', async () => {
    const r = await run(boundedSemaphore)
    expect(r.result.tooMany).toBe('ValueError: Semaphore released too many times')
    expect(theOp(r, 'bsem', { line: 3 })).toMatchObject({
      op: 'release',
      result: 'error',
      after: { value: 1 },
    })
    expect(r.result.plainTooMany).toBe('')
    expect(theOp(r, 'sem', { line: 4 })).toMatchObject({ op: 'release', result: 'ok', after: { value: 2 } })
  })
})

describe('threading.Event', () => {
  it('wait() blocks until set(); set() wakes every waiter and is their cause', async () => {
    const r = await run(eventSet)
    const set = theOp(r, 'ev', { op: 'set' })
    expect(set.value).toBe('woke 2')
    expect(set.after).toEqual({ flag: 1, waiters: 0 })
    for (const name of ['E1', 'E2']) {
      const { r: returned, s } = r.result[name] as { r: boolean; s: number }
      expect(returned).toBe(true)
      expect(s).toBeGreaterThanOrEqual(0.15)
      expect(opsBy(r, 'ev', name)).toMatchObject([{ op: 'wait', result: 'ok', cause: idOf(set) }])
      expect(stateIntervals(r, name).some((i) => i.state === 'waiting' && i.obj === set.obj)).toBe(true)
    }
  })

  it('set() then clear() at once still wakes every waiter, as in CPython', async () => {
    const r = await run(eventPulse)
    const set = theOp(r, 'ev', { op: 'set' })
    expect(set.value).toBe('woke 6')
    for (let k = 1; k <= 6; k++) {
      expect(r.result[`E${k}`], `E${k}`).toMatchObject({ r: true })
      expect(opsBy(r, 'ev', `E${k}`)).toMatchObject([{ op: 'wait', result: 'ok', cause: idOf(set) }])
    }
  })

  it('wait(timeout) on a clear event returns False; clear() resets it', async () => {
    const r = await run(eventClear)
    expect(r.result.clearWait).toBe(false)
    expect(Number(r.result.clearWaitS)).toBeGreaterThanOrEqual(0.19)
    expect(Number(r.result.clearWaitS)).toBeLessThan(1.5)
    expect(theOp(r, 'ev', { line: 1 })).toMatchObject({ op: 'wait', result: 'timeout', after: { flag: 0 } })
    expect(r.result.setIsSet).toBe(true)
    expect(r.result.setWait).toBe(true)
    expect(r.result.clearedIsSet).toBe(false)
    expect(r.result.clearedWait).toBe(false)
    expect(theOp(r, 'ev', { op: 'clear' }).after).toEqual({ flag: 0, waiters: 0 })
    expect(theOp(r, 'ev', { line: 5 }).result).toBe('timeout')
  })
})

describe('negative timeouts', () => {
  it('are refused by Lock and queue.Queue, and mean "do not wait" to Condition, Event, Semaphore, Barrier', async () => {
    const r = await run(negativeTimeouts, {}, { timeoutS: 10 })
    expect(r.result).toMatchObject({
      lock: 'ValueError: timeout value must be a non-negative number',
      rlock: 'ValueError: timeout value must be a non-negative number',
      semaphore: false,
      condition: false,
      event: false,
      barrier: 'threading.BrokenBarrierError',
      queueGet: "ValueError: 'timeout' must be a non-negative number",
      unboundedPut: '',
      boundedPut: "ValueError: 'timeout' must be a non-negative number",
    })
    expect(Number(r.result.elapsedS)).toBeLessThan(0.5)
  })
})

describe('threading.Barrier', () => {
  it('hands out indices 0..2 in arrival order and lets all three go together', async () => {
    const r = await run(barrierCycle)
    const arrivals = opsOn(r, 'barrier').filter((e) => e.op === 'arrive')
    // Arrivals are 0.1 s apart: B1, B2, B3.
    expect(arrivals.map((e) => threadName(r, e))).toEqual(['B1', 'B2', 'B3'])
    expect(arrivals.map((e) => e.value)).toEqual(['index 0', 'index 1', 'index 2'])
    expect(arrivals.map((e) => e.after.arrived)).toEqual([1, 2, 3])
    expect(r.result).toEqual({ B1: 0, B2: 1, B3: 2 })
    // Everyone leaves with the last arrival as the cause.
    const waits = opsOn(r, 'barrier').filter((e) => e.op === 'wait')
    expect(waits.every((e) => e.result === 'ok')).toBe(true)
    expect(wokenBy(waits, arrivals[2], r).sort()).toEqual(['B1', 'B2', 'B3'])
  })

  it('a wait that times out breaks the barrier: BrokenBarrierError for every party, then and later', async () => {
    const r = await run(barrierTimeout)
    expect(r.result.P1).toBe('threading.BrokenBarrierError')
    expect(r.result.P2).toBe('threading.BrokenBarrierError')
    expect(r.result.broken).toBe(true)
    expect(r.result.late).toBe('threading.BrokenBarrierError')
    const timeout = theOp(r, 'barrier', { op: 'wait', result: 'timeout' })
    expect(threadName(r, timeout)).toBe('P1')
    expect(timeout.after.broken).toBe(1)
    expect(opsBy(r, 'barrier', 'P2')).toMatchObject([
      { op: 'arrive' },
      { op: 'wait', result: 'error', cause: idOf(timeout) },
    ])
  })

  it('abort() breaks the barrier for the parties waiting on it', async () => {
    const r = await run(barrierAbort)
    expect(r.result).toMatchObject({
      P1: 'threading.BrokenBarrierError',
      P2: 'threading.BrokenBarrierError',
      broken: true,
    })
    const abort = theOp(r, 'barrier', { op: 'abort' })
    const errors = opsOn(r, 'barrier').filter((e) => e.op === 'wait')
    expect(errors.every((e) => e.result === 'error')).toBe(true)
    expect(wokenBy(errors, abort, r).sort()).toEqual(['P1', 'P2'])
  })
})

describe('queue.Queue', () => {
  it('is FIFO, reports qsize/empty/full, and raises queue.Empty / queue.Full when it cannot wait', async () => {
    const r = await run(queueBasics)
    expect(r.result).toMatchObject({
      emptyAtStart: true,
      getNowaitEmpty: 'queue.Empty',
      qsize: 3,
      full: true,
      putNowaitFull: 'queue.Full',
      putTimeoutFull: 'queue.Full',
      order: ['a', 'b', 'c'],
      emptyAtEnd: true,
      fullAtEnd: false,
      getTimeoutEmpty: 'queue.Empty',
    })
    for (const key of ['putTimeoutS', 'getTimeoutS']) {
      expect(Number(r.result[key]), key).toBeGreaterThanOrEqual(0.19)
      expect(Number(r.result[key]), key).toBeLessThan(1.5)
    }
    const reads = opsOn(r, 'q').filter((e) => e.op === 'read')
    expect(reads.map((e) => e.value)).toEqual([
      'empty() -> True',
      'qsize() -> 3',
      'full() -> True',
      'empty() -> True',
      'full() -> False',
    ])
    expect(theOp(r, 'q', { line: 7 })).toMatchObject({ op: 'get', result: 'timeout', after: { depth: 0 } })
    expect(theOp(r, 'q', { line: 4 })).toMatchObject({ op: 'put', result: 'timeout', value: "'d'" })
    expect(opsOn(r, 'q').filter((e) => e.op === 'put' && e.result === 'fail')).toHaveLength(1)
    // Each get names the put whose item it took.
    const puts = opsOn(r, 'q').filter((e) => e.op === 'put' && e.line === 2)
    const gets = opsOn(r, 'q').filter((e) => e.op === 'get' && e.line === 5)
    expect(puts.map((e) => [e.value, e.after.depth])).toEqual([
      ["'a'", 1],
      ["'b'", 2],
      ["'c'", 3],
    ])
    expect(gets.map((e) => e.value)).toEqual(["'a'", "'b'", "'c'"])
    expect(gets.map((e) => e.cause)).toEqual(puts.map(idOf))
  })

  it('with maxsize, put() blocks until a get() makes room; that get is its cause', async () => {
    const r = await run(queueBoundedPut)
    expect(r.result.first).toBe('a')
    expect(r.result.second).toBe('b')
    expect(Number(r.result.putS)).toBeGreaterThanOrEqual(0.15)
    const get = theOp(r, 'q', { op: 'get', line: 2 })
    const put = theOp(r, 'q', { op: 'put', line: 10 })
    expect(put).toMatchObject({ result: 'ok', value: "'b'", cause: idOf(get), after: { depth: 1 } })
    const blocked = stateIntervals(r, 'Producer').find((i) => i.state === 'blocked' && i.obj === put.obj)
    expect(blocked).toBeDefined()
    expect(blocked!.endUs - blocked!.startUs).toBeGreaterThan(100_000)
  })

  it('get() blocks on an empty queue until a put(); each get names its put', async () => {
    const r = await run(queueBlockingGet)
    expect(Number(r.result.waitedS)).toBeGreaterThanOrEqual(0.15)
    expect(r.result.items).toEqual([{ n: 1, tags: ['x'] }, 2])
    const put1 = theOp(r, 'q', { op: 'put', line: 1 })
    const put2 = theOp(r, 'q', { op: 'put', line: 2 })
    expect(put1.value).toBe("{'n': 1, 'tags': ['x']}")
    expect(theOp(r, 'q', { op: 'get', line: 10 })).toMatchObject({ cause: idOf(put1), value: put1.value })
    expect(theOp(r, 'q', { op: 'get', line: 11 })).toMatchObject({ cause: idOf(put2), value: '2' })
    expect(stateIntervals(r, 'Consumer').some((i) => i.state === 'blocked' && i.obj === put1.obj)).toBe(true)
  })

  it('join() returns after the last task_done(); one task_done() too many raises ValueError', async () => {
    const r = await run(queueJoin)
    const done = opsOn(r, 'q').filter((e) => e.op === 'task_done' && e.result === 'ok')
    expect(done.map((e) => e.after.unfinished)).toEqual([2, 1, 0])
    const join = theOp(r, 'q', { op: 'join' })
    expect(join).toMatchObject({ result: 'ok', cause: idOf(done[2]), after: { unfinished: 0 } })
    expect(r.result.extraTaskDone).toBe('ValueError: task_done() called too many times')
    expect(theOp(r, 'q', { op: 'task_done', result: 'error' }).line).toBe(3)
    // main really waited on the queue, about as long as the three tasks took (3 × 0.1 s).
    const waited = stateIntervals(r, 'MainThread').find((i) => i.state === 'blocked' && i.obj === join.obj)
    expect(waited).toBeDefined()
    expect(waited!.endUs - waited!.startUs).toBeGreaterThan(250_000)
  })
})

describe('threading.Thread', () => {
  it('refuses start() twice and join() before start(); join(timeout) returns with the thread alive', async () => {
    const r = await run(threadLifecycle)
    expect(r.result).toMatchObject({
      joinBeforeStart: 'RuntimeError: cannot join thread before it is started',
      aliveBeforeStart: false,
      startTwice: 'RuntimeError: threads can only be started once',
      aliveAfterTimedJoin: true,
      aliveAfterJoin: false,
    })
    expect(Number(r.result.joinTimeoutS)).toBeGreaterThanOrEqual(0.09)
    expect(Number(r.result.joinTimeoutS)).toBeLessThan(0.45)
    const name = 'Thread-1 (sleeper)'
    expect(theOp(r, name, { op: 'join', line: 4 })).toMatchObject({ result: 'timeout', after: { alive: 1 } })
    const joined = theOp(r, name, { op: 'join', line: 5 })
    const end = eventById(r, joined.cause)
    expect(end).toMatchObject({ type: 'thread-end', reason: 'returned', ...threadNamed(r, name) })
    // Only one start was recorded.
    expect(opsOn(r, name).filter((e) => e.op === 'start')).toHaveLength(1)
  })

  it("names unnamed threads 'Thread-N (target)'", async () => {
    const r = await run(threadNames)
    expect(r.result.names).toEqual(['Thread-1 (noop)', 'Thread-2 (other)'])
    const started = r.events.flatMap((e) => (e.type === 'thread-start' ? [e.name] : []))
    expect(started.sort()).toEqual(['MainThread', 'Thread-1 (noop)', 'Thread-2 (other)'])
  })

  it('does not spend a number on a named thread (CPython numbers only the unnamed ones)', async () => {
    const r = await run(threadNamesAfterNamed)
    expect(r.result.names).toEqual(['Named', 'Thread-1 (noop)'])
  })

  it('a daemon thread blocked forever does not keep the process alive', async () => {
    const r = await run(daemonThread, {}, { timeoutS: 10 })
    expect(r.outcome.wallUs).toBeLessThan(5_000_000)
    expect(printed(r)).toEqual(['main done'])
    const daemon = threadNamed(r, 'Daemon')
    expect(r.events.find((e) => e.type === 'thread-start' && e.tid === daemon.tid)).toMatchObject({
      daemon: true,
    })
    expect(r.events.some((e) => e.type === 'thread-end' && e.tid === daemon.tid)).toBe(false)
    expect(r.final.find((t) => t.tid === daemon.tid)).toMatchObject({ state: 'waiting', line: 10 })
    expect(r.processes[0].exitCode).toBe(0)
  })

  it('a thread that raises ends with the exception as threading.excepthook prints it; the run goes on', async () => {
    const r = await run(raisingThread)
    const boom = threadNamed(r, 'Boom')
    const end = r.events.find((e) => e.type === 'thread-end' && e.tid === boom.tid)
    expect(end).toMatchObject({ reason: 'exception' })
    const error = (end as { error: string }).error
    expect(error.startsWith('Exception in thread Boom:')).toBe(true)
    expect(error).toContain('line 10, in boom')
    expect(error.split('\n').at(-1)).toBe('ValueError: boom')
    expect(printed(r)).toEqual(['main after join'])
    expect(r.events.find((e) => e.type === 'thread-end' && e.tid === 0)).toMatchObject({ reason: 'returned' })
    expect(r.processes[0].exitCode).toBe(0)
  })
})

describe('the GIL', () => {
  it('lets one of two CPU-bound threads run at a time, handing it over many times', async () => {
    const r = await run(gilCountdown)
    const c1 = stateIntervals(r, 'C1')
    const c2 = stateIntervals(r, 'C2')
    const running1 = c1.filter((i) => i.state === 'running')
    const running2 = c2.filter((i) => i.state === 'running')
    expect(totalUs(running1)).toBeGreaterThan(50_000)
    expect(totalUs(running2)).toBeGreaterThan(50_000)
    // Never both running: at most about a millisecond of overlap at a hand-over.
    expect(overlap(running1, running2).maxUs).toBeLessThan(1_500)
    // Forced switches: each thread waited for the GIL several times.
    expect(c1.filter((i) => i.state === 'gil-wait').length).toBeGreaterThanOrEqual(4)
    expect(c2.filter((i) => i.state === 'gil-wait').length).toBeGreaterThanOrEqual(4)
  })

  it('with the GIL off, the two threads run at the same time', async () => {
    const r = await run(gilCountdown, {}, { gil: false })
    const running1 = stateIntervals(r, 'C1').filter((i) => i.state === 'running')
    const running2 = stateIntervals(r, 'C2').filter((i) => i.state === 'running')
    const shorter = Math.min(totalUs(running1), totalUs(running2))
    expect(shorter).toBeGreaterThan(50_000)
    expect(overlap(running1, running2).totalUs).toBeGreaterThan(0.5 * shorter)
    expect(stateIntervals(r, 'C1').some((i) => i.state === 'gil-wait')).toBe(false)
  })
})

describe('blocking and sleeping', () => {
  it('a thread blocked on a lock uses no CPU while another thread burns it', async () => {
    const r = await run(blockedNoCpu)
    const lockId = theOp(r, 'lock', { op: 'acquire', line: 1 }).obj
    const blocked = stateIntervals(r, 'Blocked').find((i) => i.state === 'blocked' && i.obj === lockId)
    expect(blocked).toBeDefined()
    expect(blocked!.endUs - blocked!.startUs).toBeGreaterThan(800_000)
    expect(lastCpuUs(r, 'Blocked')).toBeLessThan(100_000)
    expect(lastCpuUs(r, 'MainThread')).toBeGreaterThan(300_000)
  })

  it('time.sleep really sleeps, shown as sleeping', async () => {
    const r = await run(sleeper)
    expect(Number(r.result.sleptS)).toBeGreaterThanOrEqual(0.29)
    expect(Number(r.result.sleptS)).toBeLessThan(1.5)
    const sleeping = stateIntervals(r, 'MainThread').filter((i) => i.state === 'sleeping')
    expect(sleeping).toHaveLength(1)
    expect(sleeping[0].endUs - sleeping[0].startUs).toBeGreaterThanOrEqual(290_000)
    expect(sleeping[0].obj).toBeNull()
  })

  it('speed 2 makes a sleep take twice the wall time, the same on the model’s clock', async () => {
    const r = await run(sleeper, {}, { speed: 2 })
    const sleeping = stateIntervals(r, 'MainThread').filter((i) => i.state === 'sleeping')
    expect(sleeping).toHaveLength(1)
    expect(sleeping[0].endUs - sleeping[0].startUs).toBeGreaterThanOrEqual(590_000)
    // time.perf_counter() runs at the run's speed too: the model still measures about 0.3 s.
    expect(Number(r.result.sleptS)).toBeGreaterThanOrEqual(0.29)
    expect(Number(r.result.sleptS)).toBeLessThan(0.5)
  })
})

describe("one process's runtimes in this thread: waking, and guards", () => {
  // Two threads' runtimes over one control block, in this thread: the waiter is put on the
  // object's wait list by hand, as its own blocking call would have left it parked.
  const ports: MessageChannel[] = []
  afterEach(() => {
    vi.restoreAllMocks()
    for (const p of ports.splice(0)) p.port1.close()
  })
  function runtime(control: ReturnType<typeof openControl>, tid: number): ThreadRuntime {
    const channel = new MessageChannel()
    ports.push(channel)
    const tracer = new Tracer(
      0,
      tid,
      () => performance.now() * 1000,
      () => {},
    )
    const options = { gil: false, switchIntervalMs: 5, speed: 1 }
    return new ThreadRuntime(0, tid, `T${tid}`, control, tracer, options, () => {}, channel.port1)
  }
  /** Parks `rt` on an object's first wait list, as blockOn leaves a thread that waits. */
  function parkOn(rt: ThreadRuntime, obj: Lock | Condition): void {
    const o = offsets(kindSpec(obj.handle.__py).layout)
    rt.armPark()
    new WaitList(new Int32Array(obj.handle.sab!), o.listBase).push(rt.tid)
  }
  /** Each Atomics.notify on `waiter`'s park word, with whether `guarded`'s guard was held at the time. */
  function notifies(control: ReturnType<typeof openControl>, waiter: number, guarded: Lock | Condition) {
    const guard = new Int32Array(guarded.handle.sab!)
    const seen: { guardHeld: boolean; parkWord: number }[] = []
    const notify = Atomics.notify.bind(Atomics) as (i32: Int32Array, index: number, count?: number) => number
    const spy = (i32: Int32Array, index: number, count?: number): number => {
      if (i32 === control.i32 && index === threadWord(waiter, T_PARK))
        seen.push({ guardHeld: Atomics.load(guard, 0) !== 0, parkWord: Atomics.load(i32, index) })
      return notify(i32, index, count)
    }
    vi.spyOn(Atomics, 'notify').mockImplementation(spy as typeof Atomics.notify)
    return seen
  }

  /**
   * Thread 1 makes an object (`make`) and holds it; thread 2 is parked on it. With the notifies on
   * thread 2's park word, as `notifies` sees them.
   */
  function heldWithWaiter<T extends Lock | Condition>(make: (rt: ThreadRuntime) => T) {
    const control = openControl(createControl())
    const waker = runtime(control, 1)
    const obj = make(waker)
    obj.acquire()
    parkOn(runtime(control, 2), obj)
    return { control, waker, obj, seen: notifies(control, 2, obj) }
  }

  // The woken thread's first step is to take the object's guard: signalled while its waker still
  // held it, it would often sleep on the guard at once, a second wake-up for one wake.
  it("signals a lock's waiter once the guard is free, with the wake and its cause written first", () => {
    const { control, waker, obj: lock, seen } = heldWithWaiter((rt) => Lock.create(rt, 'lock'))
    const release = waker.tracer.nextEventId()
    lock.release()
    expect(seen).toEqual([{ guardHeld: false, parkWord: 1 }])
    expect(control.f64[threadDouble(2, D_WAKE_CAUSE)]).toBe(release)
    // The waiter came off the list; the lock is free for it to take.
    expect(new Int32Array(lock.handle.sab!)[offsets(kindSpec('lock').layout).listBase]).toBe(0)
    expect(lock.locked()).toBe(false)
  })

  it("lets go of a queue's guard when a put raises MemoryError, so the queue still works", () => {
    const control = openControl(createControl())
    const rt = runtime(control, 1)
    const q = Queue.create(rt, 'q')
    expect(() => q.put('x'.repeat(2 << 20))).toThrow(/MemoryError|holds more than/)
    expect(Atomics.load(new Int32Array(q.handle.sab!), 0)).toBe(0)
    q.put('small')
    expect(q.get()).toBe('small')
  })

  it("signals a condition's waiters once the guard is free", () => {
    const { control, waker, obj: cond, seen } = heldWithWaiter((rt) => Condition.create(rt, 'cond'))
    const notify = waker.tracer.nextEventId()
    cond.notify()
    expect(seen).toEqual([{ guardHeld: false, parkWord: 1 }])
    expect(control.f64[threadDouble(2, D_WAKE_CAUSE)]).toBe(notify)
    // Notified, not let in: the notifier still holds the lock, as in CPython.
    expect(cond.lock.isOwned()).toBe(true)
    // A later notify finds nobody: the woken thread is signalled once.
    cond.notify()
    expect(seen).toHaveLength(1)
  })
})
