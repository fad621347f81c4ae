import { defineScenario } from '../../engine/scenario'
import { isPyError } from '../../engine/thread/errors'
import type { Py } from '../../engine/thread/py'
import type { Event, Queue } from '../../engine/thread/primitives'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { narration } from './narration'

function putter(py: Py, q: Queue, done: Event, items: number): void {
  for (let item = 0; item < items; item++) {
    py.at(16)
    q.put(item)
    py.at(17)
    py.sleep(0.01)
  }
  py.at(18)
  done.set()
}

function getter(py: Py, q: Queue, done: Event, style: string): void {
  py.at(22)
  const name = py.currentThread().name
  for (;;) {
    py.at(23)
    if (done.isSet() && q.empty()) break
    let item: unknown
    if (style === 'check-then-act') {
      py.at(25)
      if (q.empty()) {
        py.at(26)
        py.sleep(0.001)
        continue
      }
      py.at(28)
      py.sleep(0)
      py.at(29)
      item = q.getNowait()
    } else {
      try {
        py.at(32)
        item = q.getNowait()
      } catch (e) {
        if (!isPyError(e, 'queue.Empty')) throw e
        py.at(34)
        py.sleep(0.001)
        continue
      }
    }
    py.at(36)
    py.print(`${name} got ${item as number}`)
  }
}

function main(py: Py): void {
  const getters = py.int('getters')
  const items = py.int('items')
  const style = py.choice('style')
  py.at(10)
  const q = py.Queue('q', 2)
  py.at(11)
  const done = py.Event('done')
  py.at(40)
  const gs = Array.from({ length: getters }, () => py.Thread({ target: 'getter', args: [q, done, style] }))
  py.at(41)
  const p = py.Thread({ target: 'putter', args: [q, done, items] })
  py.at(42)
  for (const t of [...gs, p]) t.start()
  py.at(44)
  for (const t of gs) t.join()
  py.at(45)
  const left = q.qsize()
  py.print(`${left} of ${items} items left in the queue`)
  py.result('left', left)
}

/** The getters' get_nowait() calls: those that took an item and those that found the queue empty. */
export function nowaitGets(run: RunRecord): { ok: OpEvent[]; empty: OpEvent[] } {
  const gets = run.events.filter(
    (e): e is OpEvent => e.type === 'op' && e.op === 'get' && (e.line === 29 || e.line === 32),
  )
  return { ok: gets.filter((e) => e.result === 'ok'), empty: gets.filter((e) => e.result === 'fail') }
}

/** Getters that died of an uncaught queue.Empty. */
export function raised(run: RunRecord): number {
  return run.events.filter(
    (e) => e.type === 'thread-end' && e.reason === 'exception' && /queue\.Empty/.test(e.error ?? ''),
  ).length
}

export const queueNowait = defineScenario({
  id: 'queue-nowait',
  title: 'get_nowait(): check-then-act or try/except',
  concept: 'Queues',
  explanation:
    'Several getters take items from a small queue that one putter fills slowly. In the check-then-act style a ' +
    'getter asks empty() first and calls get_nowait() only if the answer was False; but between the check and ' +
    'the act another getter can take the item, and get_nowait() then raises queue.Empty, which nobody catches: ' +
    'the getter dies. The answer of empty() (or full(), or qsize()) may be stale by the time you act on it. The ' +
    'try/except style just calls get_nowait() and handles queue.Empty: the get is the check, so no item is lost ' +
    'and no getter dies.',
  lookFor:
    'Check-then-act: two getters both read empty() -> False for the same item, the first get_nowait() takes it, ' +
    'and the second fails and its lane ends with queue.Empty. Try/except: failed get_nowait() calls are retried ' +
    'after a short sleep; every item put is got exactly once and all getters finish.',
  tags: ['threads', 'sync'],
  params: [
    { name: 'getters', kind: 'int', default: 3, min: 2, max: 8, help: 'how many getter threads' },
    { name: 'items', kind: 'int', default: 10, min: 1, max: 50, help: 'how many items the putter puts' },
    {
      name: 'style',
      kind: 'choice',
      default: 'check-then-act',
      choices: ['check-then-act', 'try-except'],
      help: 'check empty() before get_nowait(), or catch queue.Empty',
    },
  ],
  threadsHint: (p) => Number(p.getters) + 1,
  distribution: { figure: 'died', label: 'getters that died of queue.Empty', expected: 0 },
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, getter, putter },
  verdict(run) {
    const items = Number(run.params.items)
    const getters = Number(run.params.getters)
    const { ok, empty } = nowaitGets(run)
    const got = ok.map((e) => e.value)
    const once = new Set(got).size === got.length
    const died = raised(run)
    const left = Number(run.result.left ?? items - got.length)
    const text =
      died > 0
        ? `${died} of ${getters} getters died of queue.Empty: empty() said there was an item, but another getter ` +
          `took it before their get_nowait(). ${got.length} of ${items} items were got, ${left} left in the queue.`
        : once && got.length === items
          ? `All ${items} items were got exactly once and no getter died` +
            (run.params.style === 'try-except'
              ? `; ${empty.length} get_nowait() calls found the queue empty and were retried.`
              : '; the race between the check and the act did not strike this time.')
          : `${got.length} of ${items} items were got, ${left} left (${run.outcome.status}).`
    return { text, figures: { items, got: got.length, left, died, emptyRetries: empty.length } }
  },
})
