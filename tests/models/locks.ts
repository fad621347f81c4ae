/**
 * Models for threading.Lock, RLock and Condition. Lines (py.at) name the steps the tests look for.
 */
import type { Py } from '../../src/engine/thread/py'
import type { Condition, Lock, RLock, Variable } from '../../src/engine/thread/primitives'
import { model } from './define'
import { raises } from './raises'

// --- Lock ---------------------------------------------------------------------------------------

/**
 * A lock held by main: acquire(False) fails at once, acquire(timeout=0.2) after 0.2 s; misuse raises.
 * Another thread may release it (unlike an RLock).
 */
export const lockRefusals = model('test-lock-refusals', {
  main(py: Py) {
    const lock = py.Lock('lock')
    py.at(1)
    lock.acquire()
    const t = py.Thread({ target: 'other', args: [lock], name: 'Other' })
    t.start()
    t.join()
    // Other released it (a Lock has no owner in Python's eyes): a second release raises.
    py.at(3)
    py.result(
      'unheldRelease',
      raises(() => lock.release()),
    )
    py.result('lockedAtEnd', lock.locked())
  },
  other(py: Py, lock: Lock) {
    py.at(10)
    let t0 = py.perfCounter()
    py.result('nonBlocking', lock.acquire(false))
    py.result('nonBlockingS', py.perfCounter() - t0)
    py.at(11)
    t0 = py.perfCounter()
    py.result('timed', lock.acquire(true, 0.2))
    py.result('timedS', py.perfCounter() - t0)
    py.at(12)
    py.result(
      'nonBlockingWithTimeout',
      raises(() => lock.acquire(false, 1)),
    )
    py.at(13)
    py.result(
      'negativeTimeout',
      raises(() => lock.acquire(true, -2)),
    )
    py.at(14)
    py.result(
      'releaseByOther',
      raises(() => lock.release()),
    )
  },
})

/** Two threads queue up on a lock main holds; each release lets one in, and the trace says which. */
export const lockWaiters = model('test-lock-waiters', {
  main(py: Py) {
    const lock = py.Lock('lock')
    py.at(1)
    lock.acquire()
    const a = py.Thread({ target: 'taker', args: [lock], name: 'A' })
    const b = py.Thread({ target: 'taker', args: [lock], name: 'B' })
    a.start()
    b.start()
    py.sleep(0.3)
    py.at(2)
    lock.release()
    a.join()
    b.join()
  },
  taker(py: Py, lock: Lock) {
    py.at(10)
    lock.acquire()
    py.sleep(0.05)
    py.at(11)
    lock.release()
  },
})

// --- RLock --------------------------------------------------------------------------------------

/** main takes an RLock three times; a non-owner's release raises; the other thread gets in after the last release. */
export const rlockReentry = model('test-rlock-reentry', {
  main(py: Py) {
    const r = py.RLock('rlock')
    for (let k = 1; k <= 3; k++) {
      py.at(k)
      r.acquire()
    }
    const t = py.Thread({ target: 'other', args: [r], name: 'Other' })
    t.start()
    py.sleep(0.2)
    for (let k = 4; k <= 6; k++) {
      py.at(k)
      r.release()
    }
    t.join()
    py.at(7)
    py.result(
      'unownedRelease',
      raises(() => r.release()),
    )
  },
  other(py: Py, r: RLock) {
    py.at(10)
    py.result(
      'nonOwnerRelease',
      raises(() => r.release()),
    )
    py.at(11)
    r.acquire()
    py.at(12)
    r.release()
  },
})

// --- Condition ----------------------------------------------------------------------------------

function waiter(py: Py, cond: Condition): void {
  py.at(20)
  cond.acquire()
  py.at(21)
  cond.wait()
  py.at(22)
  cond.release()
}

/** Three waiters; main notifies one at a time (notify_all when `all`), each notify after a pause. */
export const conditionNotify = model(
  'test-condition-notify',
  {
    main(py: Py, all = false) {
      const cond = py.Condition('cond')
      const threads = ['W1', 'W2', 'W3'].map((name) => py.Thread({ target: 'waiter', args: [cond], name }))
      for (const t of threads) {
        t.start()
        py.sleep(0.05)
      }
      py.sleep(0.15)
      for (let k = 0; k < (all ? 1 : 3); k++) {
        py.at(1)
        cond.acquire()
        py.at(2)
        if (all) cond.notifyAll()
        else cond.notify()
        py.at(3)
        cond.release()
        py.sleep(0.05)
      }
      for (const t of threads) t.join()
    },
    waiter,
  },
  3,
)

export const conditionNotifyAll = model(
  'test-condition-notify-all',
  {
    main(py: Py) {
      conditionNotify.functions.main(py, true)
    },
    waiter,
  },
  3,
)

/** A wait nobody notifies times out (and holds the lock again); misuse without the lock raises. */
export const conditionTimeout = model('test-condition-timeout', {
  main(py: Py) {
    const cond = py.Condition('cond')
    py.at(1)
    py.result(
      'waitUnheld',
      raises(() => cond.wait()),
    )
    py.at(2)
    py.result(
      'notifyUnheld',
      raises(() => cond.notify()),
    )
    py.at(3)
    py.result(
      'notifyAllUnheld',
      raises(() => cond.notifyAll()),
    )
    py.at(4)
    cond.acquire()
    const t0 = py.perfCounter()
    py.at(5)
    py.result('waited', cond.wait(0.2))
    py.result('waitedS', py.perfCounter() - t0)
    py.at(6)
    // Still held after the timeout: releasing it must work.
    py.result(
      'releaseAfter',
      raises(() => cond.release()),
    )
  },
})

/** A Condition over an RLock held twice: wait() releases both levels, and takes both back. */
export const conditionRLock = model('test-condition-rlock', {
  main(py: Py) {
    const cond = py.Condition('cond')
    py.at(1)
    cond.acquire()
    py.at(2)
    cond.acquire()
    const t = py.Thread({ target: 'notifier', args: [cond], name: 'Notifier' })
    t.start()
    py.at(3)
    py.result('woken', cond.wait(5))
    py.at(4)
    cond.release()
    py.at(5)
    cond.release()
    py.at(6)
    py.result(
      'extraRelease',
      raises(() => cond.release()),
    )
    t.join()
  },
  notifier(py: Py, cond: Condition) {
    py.sleep(0.1)
    py.at(10)
    cond.acquire()
    py.at(11)
    cond.notify()
    py.at(12)
    cond.release()
  },
})

/** A notify that finds no waiter is lost: the thread that waits afterwards is never woken. */
export const conditionLostWakeup = model('test-condition-lost-wakeup', {
  main(py: Py) {
    const cond = py.Condition('cond')
    py.at(1)
    cond.acquire()
    py.at(2)
    cond.notify()
    py.at(3)
    cond.release()
    const t = py.Thread({ target: 'late', args: [cond], name: 'Late' })
    t.start()
    t.join()
  },
  late(py: Py, cond: Condition) {
    py.at(10)
    cond.acquire()
    py.at(11)
    py.result('woken', cond.wait(0.2))
    cond.release()
  },
})

/** wait_for: the consumer waits until `ready` is true; a first notify comes before it is. */
export const conditionWaitFor = model('test-condition-wait-for', {
  main(py: Py) {
    const cond = py.Condition('cond')
    const ready = py.shared('ready', false)
    const t = py.Thread({ target: 'consumer', args: [cond, ready], name: 'Consumer' })
    t.start()
    py.sleep(0.1)
    py.at(1)
    cond.acquire()
    cond.notify() // a wake-up with the predicate still false
    cond.release()
    py.sleep(0.1)
    py.at(2)
    cond.acquire()
    ready.set(true)
    cond.notify()
    cond.release()
    t.join()
  },
  consumer(py: Py, cond: Condition, ready: Variable<boolean>) {
    py.at(10)
    cond.acquire()
    const t0 = py.perfCounter()
    py.at(11)
    py.result(
      'got',
      cond.waitFor(() => ready.get()),
    )
    py.result('gotS', py.perfCounter() - t0)
    py.at(12)
    const t1 = py.perfCounter()
    py.result(
      'never',
      cond.waitFor(() => false, 0.2),
    )
    py.result('neverS', py.perfCounter() - t1)
    cond.release()
  },
})

export const lockModels = [
  lockRefusals,
  lockWaiters,
  rlockReentry,
  conditionNotify,
  conditionNotifyAll,
  conditionTimeout,
  conditionRLock,
  conditionLostWakeup,
  conditionWaitFor,
]
