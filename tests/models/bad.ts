import type { Py } from '../../src/engine/thread/py'
import type { Event, Lock } from '../../src/engine/thread/primitives'
import { isPyError, PyError } from '../../src/engine/thread/errors'
import type { MpQueue } from '../../src/engine/thread/mp'
import { model } from './define'

/** A thread raises; Python prints it through threading.excepthook and the program goes on. */
export const threadRaises = model('test-thread-raises', {
  main(py: Py) {
    const t = py.Thread({ target: 'boom', name: 'Boom' })
    t.start()
    t.join()
    py.at(5)
    py.print('main goes on')
  },
  boom(py: Py) {
    py.at(9)
    throw new PyError('ZeroDivisionError', 'division by zero')
  },
})

/** MainThread raises: the process exits with code 1, as python3 would. */
export const mainRaises = model('test-main-raises', {
  main(py: Py) {
    py.at(3)
    throw new PyError('ValueError', 'bad value')
  },
})

/** Two threads take two locks in opposite orders: a deadlock, ended by the run's timeout. */
export const deadlock = model('test-deadlock', {
  main(py: Py) {
    const a = py.Lock('a')
    const b = py.Lock('b')
    const t1 = py.Thread({ target: 'take', args: [a, b, 11, 12], name: 'T1' })
    const t2 = py.Thread({ target: 'take', args: [b, a, 21, 22], name: 'T2' })
    t1.start()
    t2.start()
    t1.join()
    t2.join()
  },
  take(py: Py, first: Lock, second: Lock, line1: number, line2: number) {
    py.at(line1)
    first.acquire()
    py.sleep(0.2)
    py.at(line2)
    second.acquire()
  },
})

/** A child process sleeps long enough to be killed from outside. */
export const killedChild = model('test-killed-child', {
  main(py: Py) {
    const p = py.mp.Process({ target: 'sleeper', name: 'Sleeper' })
    p.start()
    p.join()
    py.result('exitcode', p.exitcode)
  },
  sleeper(py: Py) {
    py.result('sleeping', true)
    py.sleep(30)
  },
})

/** MainThread sleeps; the test kills the main process from outside. */
export const longSleep = model('test-long-sleep', {
  main(py: Py) {
    py.result('sleeping', true)
    py.sleep(30)
  },
})

/** The parent takes a child's item, then terminates it while it computes. */
export const terminatedChild = model('test-terminated-child', {
  main(py: Py) {
    const q = py.mp.Queue('q')
    const p = py.mp.Process({ target: 'worker', args: [q], name: 'Worker' })
    p.start()
    py.result('got', q.get())
    p.terminate()
    p.join()
    py.result('exitcode', p.exitcode)
  },
  worker(py: Py, q: MpQueue) {
    q.put('item')
    py.countdown(500_000_000)
  },
})

/**
 * A thread appends to a list for ever, while MainThread computes beside it (the two take turns with
 * the GIL): the thread dies of MemoryError at its process's memory limit, and MainThread goes on.
 */
export const memoryHog = model(
  'test-memory-hog',
  {
    main(py: Py) {
      const t = py.Thread({ target: 'hog', name: 'Hog' })
      t.start()
      py.at(4)
      while (t.isAlive()) py.countdown(20_000)
      py.at(6)
      t.join()
      py.print('main goes on')
      py.result('hogAlive', t.isAlive())
    },
    hog(py: Py) {
      py.at(11)
      const items: { i: number; text: string }[] = []
      for (let i = 0; ; i++) {
        items.push({ i, text: `item ${i}` })
        // One loop turn of Python bytecode every so often: where the GIL may change hands.
        if (i % 1000 === 0) py.countdown(1)
      }
    },
  },
  1,
)

/**
 * Starts threads until the run's cap (4 per process, set by the test) refuses one: first caught,
 * then, with three daemon threads alive, uncaught in MainThread.
 */
export const tooManyThreads = model(
  'test-too-many-threads',
  {
    main(py: Py) {
      const go = py.Event('go')
      const waiters = [1, 2, 3].map((k) => py.Thread({ target: 'waiter', args: [go], name: `Waiter-${k}` }))
      for (const t of waiters) t.start()
      py.at(5)
      try {
        py.Thread({ target: 'waiter', args: [go], name: 'Waiter-4' }).start()
      } catch (e) {
        if (!isPyError(e, 'RuntimeError')) throw e
        py.result('refused', e.toString())
      }
      go.set()
      for (const t of waiters) t.join()
      // Ended threads free their places.
      const never = py.Event('never')
      const daemons = [1, 2, 3].map((k) =>
        py.Thread({ target: 'waiter', args: [never], name: `Daemon-${k}`, daemon: true }),
      )
      for (const t of daemons) t.start()
      py.result('restarted', daemons.length)
      py.at(20)
      py.Thread({ target: 'waiter', args: [never], name: 'One-too-many' }).start()
    },
    waiter(py: Py, ev: Event) {
      py.at(24)
      ev.wait()
    },
  },
  3,
)

/** `while True: pass` in a thread that MainThread joins: only the run's timeout ends it. */
export const spinForever = model(
  'test-spin-forever',
  {
    main(py: Py) {
      const t = py.Thread({ target: 'spin', name: 'Spinner' })
      t.start()
      py.at(4)
      t.join()
    },
    spin(py: Py) {
      py.at(8)
      for (;;) py.countdown(1_000_000)
    },
  },
  1,
)

/** Starts children until the run's cap on live processes (3, set by the test) refuses one. */
export const tooManyProcesses = model('test-too-many-processes', {
  main(py: Py) {
    const children = [1, 2].map((k) => py.mp.Process({ target: 'child', name: `Child-${k}` }))
    for (const c of children) c.start()
    py.at(5)
    try {
      py.mp.Process({ target: 'child', name: 'Child-3' }).start()
    } catch (e) {
      if (!isPyError(e, 'BlockingIOError')) throw e
      py.result('refused', e.toString())
    }
    for (const c of children) c.join()
  },
  child(py: Py) {
    py.sleep(0.2)
  },
})

export const badModels = [
  terminatedChild,
  threadRaises,
  mainRaises,
  deadlock,
  killedChild,
  longSleep,
  memoryHog,
  tooManyThreads,
  spinForever,
  tooManyProcesses,
]
