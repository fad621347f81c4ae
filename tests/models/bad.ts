import type { Py } from '../../src/engine/thread/py'
import type { Lock } from '../../src/engine/thread/primitives'
import { PyError } from '../../src/engine/thread/errors'
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

export const badModels = [terminatedChild, threadRaises, mainRaises, deadlock, killedChild, longSleep]
