/**
 * Models for queue.Queue.
 */
import type { Py } from '../../src/engine/thread/py'
import type { Queue } from '../../src/engine/thread/primitives'
import { model } from './define'
import { raises } from './raises'

/** FIFO order, qsize/empty/full, and the non-blocking and timed refusals. */
export const queueBasics = model('test-queue-basics', {
  main(py: Py) {
    const q = py.Queue('q', 3)
    py.at(1)
    py.result('emptyAtStart', q.empty())
    py.result(
      'getNowaitEmpty',
      raises(() => q.getNowait()),
    )
    py.at(2)
    for (const item of ['a', 'b', 'c']) q.put(item)
    py.at(3)
    py.result('qsize', q.qsize())
    py.result('full', q.full())
    py.result(
      'putNowaitFull',
      raises(() => q.putNowait('d')),
    )
    py.at(4)
    const t0 = py.perfCounter()
    py.result(
      'putTimeoutFull',
      raises(() => q.put('d', true, 0.2)),
    )
    py.result('putTimeoutS', py.perfCounter() - t0)
    py.at(5)
    py.result('order', [q.get(), q.get(), q.get()])
    py.at(6)
    py.result('emptyAtEnd', q.empty())
    py.result('fullAtEnd', q.full())
    const t1 = py.perfCounter()
    py.at(7)
    py.result(
      'getTimeoutEmpty',
      raises(() => q.get(true, 0.2)),
    )
    py.result('getTimeoutS', py.perfCounter() - t1)
  },
})

/** Queue(1) holds 'a'; a producer's put of 'b' blocks until main takes 'a'. */
export const queueBoundedPut = model('test-queue-bounded-put', {
  main(py: Py) {
    const q = py.Queue('q', 1)
    py.at(1)
    q.put('a')
    const t = py.Thread({ target: 'producer', args: [q], name: 'Producer' })
    t.start()
    py.sleep(0.2)
    py.at(2)
    py.result('first', q.get())
    t.join()
    py.at(3)
    py.result('second', q.get())
  },
  producer(py: Py, q: Queue) {
    const t0 = py.perfCounter()
    py.at(10)
    q.put('b')
    py.result('putS', py.perfCounter() - t0)
  },
})

/** A consumer's get blocks on an empty queue until main puts. */
export const queueBlockingGet = model('test-queue-blocking-get', {
  main(py: Py) {
    const q = py.Queue('q')
    const t = py.Thread({ target: 'consumer', args: [q], name: 'Consumer' })
    t.start()
    py.sleep(0.2)
    py.at(1)
    q.put({ n: 1, tags: ['x'] })
    py.at(2)
    q.put(2)
    t.join()
  },
  consumer(py: Py, q: Queue) {
    const t0 = py.perfCounter()
    py.at(10)
    const first = q.get()
    py.result('waitedS', py.perfCounter() - t0)
    py.at(11)
    const second = q.get()
    py.result('items', [first, second])
  },
})

/** join() returns once every item put has been marked done; one task_done too many raises. */
export const queueJoin = model('test-queue-join', {
  main(py: Py) {
    const q = py.Queue('q')
    py.at(1)
    for (let k = 0; k < 3; k++) q.put(k)
    const t = py.Thread({ target: 'worker', args: [q], name: 'Worker' })
    t.start()
    py.at(2)
    q.join()
    py.at(3)
    py.result(
      'extraTaskDone',
      raises(() => q.taskDone()),
    )
    t.join()
  },
  worker(py: Py, q: Queue) {
    for (let k = 0; k < 3; k++) {
      py.at(10)
      q.get()
      py.sleep(0.1)
      py.at(11)
      q.taskDone()
    }
  },
})

export const queueModels = [queueBasics, queueBoundedPut, queueBlockingGet, queueJoin]
