import type { Py } from '../../src/engine/thread/py'
import type { RLock } from '../../src/engine/thread/primitives'
import { model } from './define'

/** The forking thread holds an RLock: in the child, that thread is MainThread and still owns it. */
export const forkOwnRLock = model('test-fork-own-rlock', {
  main(py: Py) {
    py.mp.setStartMethod('fork')
    const lock = py.RLock('rlock')
    lock.acquire()
    const p = py.mp.Process({ target: 'child', args: [lock], name: 'Child' })
    p.start()
    p.join()
    lock.release()
    py.result('childExit', p.exitcode)
  },
  child(py: Py, lock: RLock) {
    lock.acquire() // re-entrant: we own it
    lock.release()
    lock.release()
    py.result('released', true)
  },
})

export const forkModels = [forkOwnRLock]
