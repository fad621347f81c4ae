import type { Py } from '../../src/engine/thread/py'
import type { Event, Queue } from '../../src/engine/thread/primitives'
import { model } from './define'

/** Hangs that are not cycles: an event nobody sets, a queue nobody puts to, and joins on them. */
export const hangForever = model(
  'test-hang-forever',
  {
    main(py: Py) {
      const ready = py.Event('ready')
      const q = py.Queue('q')
      const w = py.Thread({ target: 'waiter', args: [ready], name: 'Waiter' })
      const g = py.Thread({ target: 'getter', args: [q], name: 'Getter' })
      w.start()
      g.start()
      py.at(8)
      w.join()
      g.join()
    },
    waiter(py: Py, ready: Event) {
      py.at(12)
      ready.wait()
    },
    getter(py: Py, q: Queue) {
      py.at(16)
      q.get()
    },
  },
  2,
)

/** Every thread waits, but with a timeout: it looks hung for a while, then moves on and finishes. */
export const hangThenMove = model(
  'test-hang-then-move',
  {
    main(py: Py) {
      const ready = py.Event('ready')
      const w = py.Thread({ target: 'waiter', args: [ready], name: 'Waiter' })
      w.start()
      w.join()
      py.print('done')
    },
    waiter(py: Py, ready: Event) {
      py.at(12)
      py.result('set', ready.wait(1.5))
    },
  },
  1,
)

export const hangModels = [hangForever, hangThenMove]
