/**
 * Models for threading.Semaphore, BoundedSemaphore, Event and Barrier.
 */
import type { Py } from '../../src/engine/thread/py'
import type { Barrier, Event, Semaphore } from '../../src/engine/thread/primitives'
import { model } from './define'
import { raises } from './raises'

// --- Semaphore ------------------------------------------------------------------------------------

/** Semaphore(2): two acquires pass, a third fails without blocking or times out; a blocked one waits for a release. */
export const semaphoreCounts = model('test-semaphore-counts', {
  main(py: Py) {
    const sem = py.Semaphore('sem', 2)
    py.at(1)
    sem.acquire()
    py.at(2)
    sem.acquire()
    py.at(3)
    py.result('nonBlocking', sem.acquire(false))
    py.at(4)
    const t0 = py.perfCounter()
    py.result('timed', sem.acquire(true, 0.1))
    py.result('timedS', py.perfCounter() - t0)
    const t = py.Thread({ target: 'blocked', args: [sem], name: 'Blocked' })
    t.start()
    py.sleep(0.2)
    py.at(5)
    sem.release()
    t.join()
  },
  blocked(py: Py, sem: Semaphore) {
    const t0 = py.perfCounter()
    py.at(10)
    sem.acquire()
    py.result('blockedS', py.perfCounter() - t0)
  },
})

/** Three threads block on Semaphore(0); release(2) lets exactly two in, a later release(1) the third. */
export const semaphoreReleaseN = model(
  'test-semaphore-release-n',
  {
    main(py: Py) {
      const sem = py.Semaphore('sem', 0)
      const threads = ['S1', 'S2', 'S3'].map((name) => py.Thread({ target: 'taker', args: [sem], name }))
      for (const t of threads) t.start()
      py.sleep(0.2)
      py.at(1)
      sem.release(2)
      py.sleep(0.2)
      py.at(2)
      sem.release(1)
      for (const t of threads) t.join()
    },
    taker(py: Py, sem: Semaphore) {
      py.at(10)
      sem.acquire()
    },
  },
  3,
)

/** BoundedSemaphore(1): a release above the initial value raises. */
export const boundedSemaphore = model('test-bounded-semaphore', {
  main(py: Py) {
    const sem = py.BoundedSemaphore('bsem', 1)
    py.at(1)
    sem.acquire()
    py.at(2)
    sem.release()
    py.at(3)
    py.result(
      'tooMany',
      raises(() => sem.release()),
    )
    const plain = py.Semaphore('sem', 1)
    py.at(4)
    py.result(
      'plainTooMany',
      raises(() => plain.release()),
    )
  },
})

// --- Event ----------------------------------------------------------------------------------------

function eventWaiter(py: Py, ev: Event): void {
  const t0 = py.perfCounter()
  py.at(10)
  const r = ev.wait(1)
  py.result(`${py.currentThread().name}`, { r, s: py.perfCounter() - t0 })
}

/** `waiters` threads wait on an event; main sets it after 0.2 s (and, when `pulse`, clears it at once). */
export const eventSet = model('test-event-set', {
  main(py: Py, waiters = 2, pulse = false) {
    const ev = py.Event('ev')
    const threads = Array.from({ length: waiters }, (_, k) =>
      py.Thread({ target: 'waiter', args: [ev], name: `E${k + 1}` }),
    )
    for (const t of threads) t.start()
    py.sleep(0.2)
    py.at(1)
    ev.set()
    if (pulse) {
      py.at(2)
      ev.clear()
    }
    for (const t of threads) t.join()
  },
  waiter: eventWaiter,
})

/**
 * set() then clear() at once, with six waiters (some of them will not have run again before the
 * clear): CPython's waiters, once notified, all return True.
 */
export const eventPulse = model(
  'test-event-pulse',
  {
    main(py: Py) {
      eventSet.functions.main(py, 6, true)
    },
    waiter: eventWaiter,
  },
  6,
)

/** wait(timeout) on a clear event returns False; set/clear/is_set. */
export const eventClear = model('test-event-clear', {
  main(py: Py) {
    const ev = py.Event('ev')
    py.at(1)
    const t0 = py.perfCounter()
    py.result('clearWait', ev.wait(0.2))
    py.result('clearWaitS', py.perfCounter() - t0)
    py.at(2)
    ev.set()
    py.result('setIsSet', ev.isSet())
    py.at(3)
    py.result('setWait', ev.wait(0))
    py.at(4)
    ev.clear()
    py.result('clearedIsSet', ev.isSet())
    py.at(5)
    py.result('clearedWait', ev.wait(0.05))
  },
})

// --- Barrier --------------------------------------------------------------------------------------

/** Three threads arrive 0.1 s apart at a Barrier(3) and leave together. */
export const barrierCycle = model(
  'test-barrier-cycle',
  {
    main(py: Py) {
      const barrier = py.Barrier('barrier', 3)
      const threads = ['B1', 'B2', 'B3'].map((name, k) =>
        py.Thread({ target: 'party', args: [barrier, k * 0.1], name }),
      )
      for (const t of threads) t.start()
      for (const t of threads) t.join()
    },
    party(py: Py, barrier: Barrier, delay: number) {
      py.sleep(delay)
      py.at(10)
      const index = barrier.wait()
      py.result(py.currentThread().name, index)
    },
  },
  3,
)

function brokenParty(py: Py, barrier: Barrier, timeout: number | null): void {
  py.at(10)
  py.result(
    py.currentThread().name,
    raises(() => barrier.wait(timeout)),
  )
}

/** Two of three parties arrive; the wait's timeout breaks the barrier for both, and for a later arrival. */
export const barrierTimeout = model('test-barrier-timeout', {
  main(py: Py) {
    const barrier = py.Barrier('barrier', 3)
    const a = py.Thread({ target: 'party', args: [barrier, 0.2], name: 'P1' })
    const b = py.Thread({ target: 'party', args: [barrier, 5], name: 'P2' })
    a.start()
    b.start()
    a.join()
    b.join()
    py.result('broken', barrier.broken)
    py.at(1)
    py.result(
      'late',
      raises(() => barrier.wait()),
    )
  },
  party: brokenParty,
})

/** Two parties wait; main aborts the barrier. */
export const barrierAbort = model('test-barrier-abort', {
  main(py: Py) {
    const barrier = py.Barrier('barrier', 3)
    const threads = ['P1', 'P2'].map((name) => py.Thread({ target: 'party', args: [barrier, null], name }))
    for (const t of threads) t.start()
    py.sleep(0.2)
    py.at(1)
    barrier.abort()
    for (const t of threads) t.join()
    py.result('broken', barrier.broken)
  },
  party: brokenParty,
})

/**
 * Negative timeouts, as CPython takes them: Lock refuses one; Condition.wait and what is built on
 * it (Event, Semaphore, Barrier) do not wait at all; queue.Queue refuses one where it could wait.
 */
export const negativeTimeouts = model('test-negative-timeouts', {
  main(py: Py) {
    py.at(1)
    py.result(
      'lock',
      raises(() => py.Lock('lock').acquire(true, -2)),
    )
    py.result(
      'rlock',
      raises(() => py.RLock('rlock').acquire(true, -2)),
    )
    const sem = py.Semaphore('sem', 0)
    py.at(2)
    const t0 = py.perfCounter()
    py.result('semaphore', sem.acquire(true, -1))
    const cond = py.Condition('cond')
    cond.acquire()
    py.at(3)
    py.result('condition', cond.wait(-1))
    cond.release()
    py.at(4)
    py.result('event', py.Event('ev').wait(-1))
    py.at(5)
    py.result(
      'barrier',
      raises(() => py.Barrier('barrier', 2).wait(-1)),
    )
    py.result('elapsedS', py.perfCounter() - t0)
    py.at(6)
    py.result(
      'queueGet',
      raises(() => py.Queue('q').get(true, -1)),
    )
    py.at(7)
    py.result(
      'unboundedPut',
      raises(() => py.Queue('unbounded').put('x', true, -1)),
    )
    py.at(8)
    py.result(
      'boundedPut',
      raises(() => py.Queue('bounded', 1).put('x', true, -1)),
    )
  },
})

export const syncModels = [
  semaphoreCounts,
  semaphoreReleaseN,
  boundedSemaphore,
  eventSet,
  eventPulse,
  eventClear,
  barrierCycle,
  barrierTimeout,
  barrierAbort,
  negativeTimeouts,
]
