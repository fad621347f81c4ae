import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { narration } from './narration'

function square(py: Py, x: number): number {
  py.at(11)
  py.sleep(0.1)
  py.at(12)
  return x * x
}

function main(py: Py): void {
  const processes = py.int('processes')
  const items = py.int('items')
  const chunksize = py.int('chunksize')
  py.at(16)
  const pool = py.mp.Pool('pool', processes)
  py.at(17)
  const results = pool.map(
    'square',
    Array.from({ length: items }, (_, i) => i),
    chunksize === 0 ? null : chunksize,
  )
  py.at(18)
  pool.close()
  py.at(19)
  pool.join()
  py.at(20)
  py.print(results)
  py.result('results', results)
}

/** The chunks the pool's workers took off the task queue: which process took which items. */
export function chunksTaken(run: RunRecord): { process: string; get: OpEvent }[] {
  const inqueue = new Set(
    run.events.flatMap((e) => (e.type === 'object' && e.name === 'pool._inqueue' ? [e.obj] : [])),
  )
  return run.events
    .filter((e): e is OpEvent => e.type === 'op' && inqueue.has(e.obj) && e.op === 'get')
    .filter((e) => e.result === 'ok' && e.value !== 'None')
    .sort((a, b) => a.tUs - b.tUs)
    .map((get) => ({ process: run.processes[get.pid]?.name ?? `process ${get.pid}`, get }))
}

export const poolMap = defineScenario({
  id: 'pool-map',
  title: 'Pool.map: chunks of work for worker processes',
  concept: 'Pools and executors',
  explanation:
    'Pool(4) starts four worker processes that wait on a task queue. pool.map(square, items) cuts the items ' +
    'into chunks (by default len(items) / (4 x processes), rounded up), puts one task per chunk on the ' +
    "queue and waits. Each worker takes a task, calls square on every item of its chunk and puts the chunk's " +
    'results on a result queue; whichever worker is free takes the next task. map() puts the results back ' +
    'in the order of the items, so the list is the same as [square(x) for x in items], however the chunks ' +
    'were shared out. close() sends each worker a None to stop on; join() waits for them.',
  lookFor:
    'Arrows from the parent to the worker processes: each task put on pool._inqueue and the worker that got ' +
    "it; the worker's lane then sleeps in square once per item of the chunk, and an arrow goes back on " +
    'pool._outqueue. Meanwhile MainThread is blocked in map() on line 17. A bigger chunksize means fewer, ' +
    'longer tasks; with more processes than tasks some workers get none.',
  tags: ['processes', 'IPC'],
  params: [
    { name: 'processes', kind: 'int', default: 4, min: 1, max: 16, help: 'worker processes in the pool' },
    { name: 'items', kind: 'int', default: 10, min: 0, max: 200, help: 'how many numbers to square' },
    {
      name: 'chunksize',
      kind: 'int',
      default: 0,
      min: 0,
      max: 200,
      help: 'items per task; 0 is None: Pool picks items / (4 x processes), rounded up',
    },
  ],
  processesHint: (p) => Number(p.processes),
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, square },
  verdict(run) {
    const items = Number(run.params.items)
    const results = run.result.results as number[] | undefined
    const expected = Array.from({ length: items }, (_, x) => x * x)
    const right = JSON.stringify(results) === JSON.stringify(expected)
    const perWorker = new Map<string, number>()
    const chunks = chunksTaken(run)
    for (const { process } of chunks) perWorker.set(process, (perWorker.get(process) ?? 0) + 1)
    const shares = [...perWorker].map(([p, n]) => `${p}: ${n}`).join(', ')
    const text = !results
      ? `map() did not return (${run.outcome.status}).`
      : right
        ? `map() returned all ${items} squares in order; ${chunks.length} chunks went to ` +
          `${perWorker.size} of ${run.params.processes} worker processes, whichever was free.`
        : `map() returned ${JSON.stringify(results)}, not the squares in order: this is a bug in Interleave.`
    return {
      text,
      figures: {
        results: !results ? 'none' : right ? 'right' : 'wrong',
        chunks: chunks.length,
        'chunks by worker': shares,
      },
    }
  },
})
