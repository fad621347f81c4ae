/**
 * Models for threading.Thread, the GIL, blocking without CPU and time.sleep.
 */
import { PyError } from '../../src/engine/thread/errors'
import type { Py } from '../../src/engine/thread/py'
import type { Event, Lock } from '../../src/engine/thread/primitives'
import { model } from './define'
import { raises } from './raises'

const noop = (): void => {}

/** start() twice and join() before start() raise; join(timeout) on a running thread leaves it alive. */
export const threadLifecycle = model('test-thread-lifecycle', {
  main(py: Py) {
    const t = py.Thread({ target: 'sleeper', args: [0.5] })
    py.at(1)
    py.result(
      'joinBeforeStart',
      raises(() => t.join()),
    )
    py.result('aliveBeforeStart', t.isAlive())
    py.at(2)
    t.start()
    py.at(3)
    py.result(
      'startTwice',
      raises(() => t.start()),
    )
    const t0 = py.perfCounter()
    py.at(4)
    t.join(0.1)
    py.result('joinTimeoutS', py.perfCounter() - t0)
    py.result('aliveAfterTimedJoin', t.isAlive())
    py.at(5)
    t.join()
    py.result('aliveAfterJoin', t.isAlive())
  },
  sleeper(py: Py, seconds: number) {
    py.at(10)
    py.sleep(seconds)
  },
})

/** Unnamed threads get CPython's default names, 'Thread-N (target)'. */
export const threadNames = model('test-thread-names', {
  main(py: Py) {
    const threads = [py.Thread({ target: 'noop' }), py.Thread({ target: 'other' })]
    for (const t of threads) t.start()
    for (const t of threads) t.join()
    py.result(
      'names',
      threads.map((t) => t.name),
    )
  },
  noop,
  other: noop,
})

/** A named thread does not use up a number: the next unnamed one is still Thread-1, as in CPython. */
export const threadNamesAfterNamed = model('test-thread-names-after-named', {
  main(py: Py) {
    const threads = [py.Thread({ target: 'noop', name: 'Named' }), py.Thread({ target: 'noop' })]
    for (const t of threads) t.start()
    for (const t of threads) t.join()
    py.result(
      'names',
      threads.map((t) => t.name),
    )
  },
  noop,
})

/** A daemon thread blocked forever on an event does not keep the process alive. */
export const daemonThread = model('test-daemon-thread', {
  main(py: Py) {
    const ev = py.Event('never')
    const t = py.Thread({ target: 'forever', args: [ev], name: 'Daemon', daemon: true })
    t.start()
    py.sleep(0.1)
    py.at(1)
    py.print('main done')
  },
  forever(py: Py, ev: Event) {
    py.at(10)
    ev.wait()
    py.print('never printed')
  },
})

/** A thread that raises ends with the exception; main goes on. */
export const raisingThread = model('test-raising-thread', {
  main(py: Py) {
    const t = py.Thread({ target: 'boom', name: 'Boom' })
    t.start()
    t.join()
    py.at(1)
    py.print('main after join')
  },
  boom(py: Py) {
    py.at(10)
    throw new PyError('ValueError', 'boom')
  },
})

/** Two CPU-bound threads counting down from `count`. */
export const gilCountdown = model('test-gil-countdown', {
  main(py: Py) {
    const count = 6_000_000
    const threads = ['C1', 'C2'].map((name) => py.Thread({ target: 'countdown', args: [count], name }))
    for (const t of threads) t.start()
    for (const t of threads) t.join()
  },
  countdown(py: Py, n: number) {
    py.at(10)
    py.countdown(n)
  },
})

/** A thread blocks 1 s (or more) on a lock while main burns CPU holding it. */
export const blockedNoCpu = model('test-blocked-no-cpu', {
  main(py: Py) {
    const lock = py.Lock('lock')
    py.at(1)
    lock.acquire()
    const t = py.Thread({ target: 'blocked', args: [lock], name: 'Blocked' })
    t.start()
    const t0 = py.perfCounter()
    py.at(2)
    while (py.perfCounter() - t0 < 1) py.countdown(200_000)
    py.at(3)
    lock.release()
    t.join()
  },
  blocked(py: Py, lock: Lock) {
    py.at(10)
    lock.acquire()
    lock.release()
  },
})

/** time.sleep(0.3), timed by the model's own clock. */
export const sleeper = model('test-sleep', {
  main(py: Py) {
    const t0 = py.perfCounter()
    py.at(1)
    py.sleep(0.3)
    py.result('sleptS', py.perfCounter() - t0)
  },
})

export const threadModels = [
  threadLifecycle,
  threadNames,
  threadNamesAfterNamed,
  daemonThread,
  raisingThread,
  gilCountdown,
  blockedNoCpu,
  sleeper,
]
