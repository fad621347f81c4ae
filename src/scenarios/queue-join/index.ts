import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Queue } from '../../engine/thread/primitives'
import { narration } from './narration'

function consumer(py: Py, q: Queue): void {
  for (;;) {
    py.at(13)
    const item = q.get()
    py.at(14)
    py.print(`working on ${item}`)
    py.at(15)
    py.sleep(0.2)
    py.at(16)
    py.print(`finished ${item}`)
    py.at(17)
    q.taskDone()
  }
}

function main(py: Py): void {
  const items = py.int('items')
  py.at(8)
  const q = py.Queue('q')
  py.at(21)
  py.Thread({ target: 'consumer', args: [q], daemon: true }).start()
  for (let item = 0; item < items; item++) {
    py.at(23)
    q.put(item)
  }
  py.at(24)
  py.print('all items put')
  py.at(25)
  q.join()
  py.at(26)
  py.print('all work completed')
}

export const queueJoin = defineScenario({
  id: 'queue-join',
  title: 'queue.Queue: task_done() and join()',
  concept: 'Queues',
  explanation:
    'The main thread puts items on a queue.Queue; a consumer thread gets each one, works on it, and calls ' +
    'task_done(). The queue counts unfinished tasks: put() adds one, task_done() removes one, and join() blocks ' +
    'until the count is zero, that is until every item put has been got and marked done. The consumer loops ' +
    'for ever, so it is a daemon thread: when the main thread ends, the program ends and the daemon dies with ' +
    'it, still blocked in get().',
  lookFor:
    'Arrows from each put to the get that took it, in order. The main thread puts everything at once, then is ' +
    'blocked in join() while the consumer works; the last task_done() wakes it (an arrow). At the end the daemon ' +
    'consumer is still blocked in get() when the program finishes.',
  tags: ['threads', 'sync'],
  params: [{ name: 'items', kind: 'int', default: 5, min: 1, max: 50, help: 'how many items main puts' }],
  threadsHint: () => 1,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, consumer },
  verdict(run) {
    const items = Number(run.params.items)
    const ops = run.events.flatMap((e) => (e.type === 'op' ? [e] : []))
    const got = ops.filter((e) => e.op === 'get' && e.result === 'ok').map((e) => Number(e.value))
    const done = ops.filter((e) => e.op === 'task_done' && e.result === 'ok')
    const join = ops.find((e) => e.op === 'join' && e.line === 25)
    const last = done.at(-1)
    const inOrder = got.length === items && got.every((v, i) => v === i)
    const joinedByLast =
      join !== undefined && last !== undefined && join.cause !== null && join.tUs >= last.tUs
    const consumer = run.final.find((t) => t.name.startsWith('Thread-'))
    const text =
      inOrder && done.length === items && joinedByLast
        ? `All ${items} items were got once, in order, and marked done; join() returned after the last ` +
          `task_done(), and the daemon consumer ended with the program while ${consumer?.state ?? 'still'} in get().`
        : `Got ${got.length} of ${items} items, ${done.length} marked done; join() ` +
          `${join ? 'returned' : 'did not return'} (${run.outcome.status}).`
    return { text, figures: { items, got: got.length, done: done.length } }
  },
})
