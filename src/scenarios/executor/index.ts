import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { RunRecord } from '../../shared/trace'
import { narration } from './narration'

function power(py: Py, base: number, exp: number): number {
  py.at(11)
  py.sleep(0.2)
  py.at(12)
  return base ** exp
}

function main(py: Py): void {
  const kind = py.choice('kind')
  const maxWorkers = py.int('max_workers')
  const tasks = py.int('tasks')
  const exps = Array.from({ length: tasks }, (_, n) => n)
  py.at(17)
  const executor =
    kind === 'thread'
      ? py.ThreadPoolExecutor('executor', maxWorkers)
      : py.ProcessPoolExecutor('executor', maxWorkers)
  py.at(18)
  const futures = exps.map((n) => executor.submit('power', 2, n))
  const values: unknown[] = []
  for (const [n, future] of futures.entries()) {
    py.at(20)
    const value = future.result()
    values.push(value)
    py.print(`pow(2, ${n}) = ${value}`)
  }
  py.at(21)
  const mapped = executor.map(
    'power',
    exps.map(() => 3),
    exps,
  )
  py.print(mapped)
  py.result('submitted', values)
  py.result('mapped', mapped)
  py.at(17)
  executor.shutdown()
}

/** Which worker (thread, or process for a process pool) ran each call, from the trace. */
export function callsByWorker(run: RunRecord): Map<string, number> {
  const objects = new Map<number, string>()
  const threads = new Map<string, string>()
  for (const e of run.events) {
    if (e.type === 'object') objects.set(e.obj, e.name)
    if (e.type === 'thread-start') threads.set(`${e.pid}/${e.tid}`, e.name)
  }
  const byWorker = new Map<string, number>()
  for (const e of run.events) {
    if (e.type !== 'op' || e.op !== 'get' || e.value === 'None') continue
    const queue = objects.get(e.obj)
    const worker =
      queue === 'executor._work_queue'
        ? threads.get(`${e.pid}/${e.tid}`)
        : queue === 'executor._call_queue'
          ? run.processes[e.pid]?.name
          : undefined
    if (worker !== undefined) byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1)
  }
  return byWorker
}

export const executor = defineScenario({
  id: 'executor',
  title: 'concurrent.futures: submit, result and map',
  concept: 'Pools and executors',
  explanation:
    'An executor runs calls on a bounded set of workers: threads for ThreadPoolExecutor, processes for ' +
    'ProcessPoolExecutor. submit(power, 2, n) returns at once with a Future and queues the call; a worker ' +
    'is started only while there are fewer than max_workers and none is idle, so the same few workers take ' +
    'call after call. future.result() blocks until a worker has set the future, then returns its value. ' +
    'map() submits every call and hands back the results in order. In a process pool the calls and their ' +
    'results travel on multiprocessing queues, and a thread of the parent (the executor manager thread) sets ' +
    'the futures. Leaving the with block shuts the executor down: the workers stop once the queue is empty.',
  lookFor:
    'Only max_workers worker lanes (ThreadPoolExecutor-0_0, ... or SpawnProcess-1, ...), each running power ' +
    'several times. MainThread blocked in result() on line 20 on one future after another; an arrow from the ' +
    'worker (or the manager thread, for processes) that set the future to the result() it woke. With kind ' +
    'process, the calls go out on executor._call_queue and come back on executor._result_queue.',
  tags: ['threads', 'processes', 'IPC'],
  params: [
    {
      name: 'kind',
      kind: 'choice',
      default: 'thread',
      choices: ['thread', 'process'],
      help: 'ThreadPoolExecutor or ProcessPoolExecutor',
    },
    {
      name: 'max_workers',
      kind: 'int',
      default: 2,
      min: 1,
      max: 16,
      help: 'the most workers the executor runs',
    },
    {
      name: 'tasks',
      kind: 'int',
      default: 6,
      min: 1,
      max: 64,
      help: 'calls submitted, then mapped: pow(2, n), pow(3, n)',
    },
  ],
  threadsHint: (p) => (p.kind === 'thread' ? Number(p.max_workers) + 1 : 2),
  processesHint: (p) => (p.kind === 'process' ? Number(p.max_workers) : 0),
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, power },
  verdict(run) {
    const tasks = Number(run.params.tasks)
    const submitted = run.result.submitted as number[] | undefined
    const mapped = run.result.mapped as number[] | undefined
    const right =
      JSON.stringify(submitted) === JSON.stringify(Array.from({ length: tasks }, (_, n) => 2 ** n)) &&
      JSON.stringify(mapped) === JSON.stringify(Array.from({ length: tasks }, (_, n) => 3 ** n))
    const byWorker = callsByWorker(run)
    const k = Math.min(3, tasks - 1)
    const shares = [...byWorker].map(([w, n]) => `${w}: ${n}`).join(', ')
    const text = !submitted
      ? `The futures did not all return (${run.outcome.status}).`
      : right
        ? `Every future returned the right value (pow(2, ${k}) == ${submitted[k]}); ` +
          `${2 * tasks} calls ran ` +
          `on ${byWorker.size} ${run.params.kind === 'thread' ? 'thread' : 'process'}` +
          `${byWorker.size === 1 ? '' : run.params.kind === 'thread' ? 's' : 'es'} ` +
          `(max_workers=${run.params.max_workers}).`
        : `Some future returned a wrong value (${JSON.stringify(submitted)}, ${JSON.stringify(mapped)}): ` +
          'this is a bug in Interleave.'
    return {
      text,
      figures: { values: right ? 'right' : 'wrong', workers: byWorker.size, 'calls by worker': shares },
    }
  },
})
