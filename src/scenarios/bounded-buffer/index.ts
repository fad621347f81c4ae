import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Event, Queue } from '../../engine/thread/primitives'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { narration } from './narration'

function producer(py: Py, q: Queue, stop: Event, n: number): void {
  py.at(17)
  let made = 0
  for (;;) {
    py.at(18)
    if (stop.isSet()) break
    py.at(19)
    q.put(`p${n}-${made}`)
    py.at(20)
    made += 1
    py.at(21)
    py.sleep(Math.random() * 0.1)
  }
  py.at(22)
  py.print(`${py.currentThread().name} made ${made}`)
}

function consumer(py: Py, q: Queue): void {
  py.at(26)
  let used = 0
  for (;;) {
    py.at(28)
    const item = q.get()
    py.at(29)
    if (item === null) break
    py.at(31)
    used += 1
    py.at(32)
    py.sleep(Math.random() * 0.1)
  }
  py.at(33)
  py.print(`${py.currentThread().name} used ${used}`)
}

function main(py: Py): void {
  const producers = py.int('producers')
  const consumers = py.int('consumers')
  const maxsize = py.int('maxsize')
  const duration = Number(py.params.duration)
  py.at(12)
  const q = py.Queue('q', maxsize)
  py.at(13)
  const stop = py.Event('stop')
  py.at(37)
  const cs = Array.from({ length: consumers }, () => py.Thread({ target: 'consumer', args: [q] }))
  py.at(38)
  const ps = Array.from({ length: producers }, (_, n) =>
    py.Thread({ target: 'producer', args: [q, stop, n] }),
  )
  py.at(40)
  for (const t of [...cs, ...ps]) t.start()
  py.at(41)
  py.sleep(duration)
  py.at(42)
  stop.set()
  py.at(44)
  for (const t of ps) t.join()
  for (let i = 0; i < consumers; i++) {
    py.at(46)
    q.put(null)
  }
  py.at(48)
  for (const t of cs) t.join()
}

/** What went through the queue, from its put and get operations (sentinels left out). */
export function traffic(run: RunRecord): { put: string[]; got: string[]; maxDepth: number; ops: OpEvent[] } {
  const ids = new Set(run.events.flatMap((e) => (e.type === 'object' && e.name === 'q' ? [e.obj] : [])))
  const ops = run.events.filter((e): e is OpEvent => e.type === 'op' && ids.has(e.obj))
  const items = (op: string): string[] =>
    ops.filter((e) => e.op === op && e.result === 'ok' && e.value !== 'None').map((e) => String(e.value))
  const maxDepth = Math.max(0, ...ops.map((e) => Number(e.after.depth ?? 0)))
  return { put: items('put'), got: items('get'), maxDepth, ops }
}

/** How many times a thread blocked in put() on a full queue (line 19) or in get() on an empty one (line 28). */
export function blockedAt(run: RunRecord, line: number): number {
  const ids = new Set(run.events.flatMap((e) => (e.type === 'object' && e.name === 'q' ? [e.obj] : [])))
  return run.events.filter(
    (e) => e.type === 'state' && e.state === 'blocked' && e.obj !== null && ids.has(e.obj) && e.line === line,
  ).length
}

export const boundedBuffer = defineScenario({
  id: 'bounded-buffer',
  title: 'Producers and consumers on a bounded queue',
  concept: 'Queues',
  explanation:
    'Producers put items on a queue.Queue(maxsize) and consumers get them, each at its own random pace. The ' +
    'queue holds at most maxsize items: a producer that finds it full is blocked in put() until a consumer ' +
    'takes one, and a consumer that finds it empty is blocked in get() until a producer puts one. The queue does ' +
    'all the locking, so no item is lost or taken twice. After the duration, main sets a stop event for the ' +
    'producers, then puts one None per consumer as a sentinel that tells it to stop.',
  lookFor:
    "The queue's depth against its capacity over time: it never goes above maxsize. Producer lanes are blocked " +
    'when it is full and consumer lanes when it is empty; each put -> get arrow is one item changing hands. At ' +
    'the end the sentinels (None) reach the consumers after every real item.',
  tags: ['threads', 'sync'],
  params: [
    { name: 'producers', kind: 'int', default: 2, min: 1, max: 8, help: 'how many producer threads' },
    { name: 'consumers', kind: 'int', default: 2, min: 1, max: 8, help: 'how many consumer threads' },
    {
      name: 'maxsize',
      kind: 'int',
      default: 3,
      min: 1,
      max: 50,
      help: 'how many items the queue holds at most',
    },
    {
      name: 'duration',
      kind: 'number',
      default: 2,
      min: 0.2,
      max: 120,
      help: 'seconds before main tells the producers to stop',
    },
  ],
  threadsHint: (p) => Number(p.producers) + Number(p.consumers),
  // It ends by itself after `duration` (up to two minutes, for a long recording): time enough for that.
  timeoutS: 150,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, producer, consumer },
  verdict(run) {
    const maxsize = Number(run.params.maxsize)
    const { put, got, maxDepth } = traffic(run)
    const sortedPut = [...put].sort()
    const sortedGot = [...got].sort()
    const same = sortedPut.length === sortedGot.length && sortedPut.every((v, i) => v === sortedGot[i])
    const duplicated = got.length - new Set(got).size
    const onFull = blockedAt(run, 19)
    const onEmpty = blockedAt(run, 28)
    const blocked = `Producers were blocked on a full queue ${onFull} times, consumers on an empty one ${onEmpty} times.`
    const text =
      same && maxDepth <= maxsize
        ? `All ${put.length} items put were got exactly once, and the queue never held more than ${maxDepth} ` +
          `(maxsize ${maxsize}). ${blocked}`
        : `${put.length} items put, ${got.length} got (${duplicated} twice), largest depth ${maxDepth} of ` +
          `${maxsize}: this is a bug in Interleave (${run.outcome.status}).`
    return {
      text,
      figures: {
        put: put.length,
        got: got.length,
        maxDepth,
        maxsize,
        blockedOnFull: onFull,
        blockedOnEmpty: onEmpty,
      },
    }
  },
})
