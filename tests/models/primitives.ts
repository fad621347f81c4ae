import type { Py } from '../../src/engine/thread/py'
import type { Lock } from '../../src/engine/thread/primitives'
import { isPyError } from '../../src/engine/thread/errors'
import { model } from './define'

/** A second thread blocks on a held lock, then gets it when main releases. */
export const lockHandOff = model('test-lock-hand-off', {
  main(py: Py) {
    const lock = py.Lock('lock')
    py.at(1)
    lock.acquire()
    const t = py.Thread({ target: 'taker', args: [lock], name: 'Taker' })
    t.start()
    py.sleep(0.2)
    py.at(2)
    lock.release()
    t.join()
    let error = ''
    try {
      lock.release()
    } catch (e) {
      if (isPyError(e, 'RuntimeError')) error = e.toString()
    }
    py.result('error', error)
  },
  taker(py: Py, lock: Lock) {
    py.at(10)
    const t0 = py.perfCounter()
    lock.acquire()
    py.result('waitedS', py.perfCounter() - t0)
    py.at(11)
    lock.release()
  },
})

export const primitiveModels = [lockHandOff]
