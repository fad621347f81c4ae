import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { MpQueue } from '../../engine/thread/mp'
import { narration } from './narration'

/** math.factorial(n) or n * n, computed for real; exact in a double up to 18!, and numbers stop at 16. */
function f(n: number, work: string): number {
  if (work === 'square') return n * n
  let value = 1
  for (let i = 2; i <= n; i++) value *= i
  return value
}

type Item = { __tuple: [number, number] }

function compute(py: Py, n: number, results: MpQueue, work: string): void {
  py.at(10)
  const value = f(n, work)
  py.at(11)
  results.put({ __tuple: [n, value] } satisfies Item)
}

function main(py: Py): void {
  const numbers = py.int('numbers')
  const work = py.choice('work')
  py.at(15)
  const results = py.mp.Queue('results')
  py.at(16)
  const procs = Array.from({ length: numbers }, (_, i) =>
    py.mp.Process({ target: 'compute', args: [i + 1, results, work] }),
  )
  py.at(18)
  for (const p of procs) p.start()
  py.at(19)
  const got = procs.map(() => (results.get() as Item).__tuple)
  py.at(21)
  for (const p of procs) p.join()
  py.at(22)
  const order = got.map(([n]) => n)
  py.print(`completion order: [${order.join(', ')}]`)
  py.at(23)
  const sorted = [...got].sort((a, b) => a[0] - b[0])
  py.print(`results: [${sorted.map(([n, v]) => `(${n}, ${v})`).join(', ')}]`)
  py.result('order', order)
  py.result('results', sorted)
  py.result(
    'expected',
    procs.map((_, i) => [i + 1, f(i + 1, work)]),
  )
}

export const queueResults = defineScenario({
  id: 'queue-results',
  title: 'Results through a Queue, in order of completion',
  concept: 'Queues',
  explanation:
    'The parent starts one process per number; each computes its result and puts (n, f(n)) on a ' +
    'multiprocessing.Queue. The parent gets as many items as it started processes. Items arrive in the order ' +
    'the processes finish, which the operating system decides, not in the order they were started: put the ' +
    'input beside the result so the parent knows which is which. The parent gets the results before it joins: ' +
    'a process that has put items on a Queue ends only once they have been read.',
  lookFor:
    'Each put in a process lane has an arrow to the get in MainThread that took it. Compare the order of the ' +
    'arrows with the order of the starts, and run it again: the set of results is the same every time, the ' +
    'completion order is not.',
  tags: ['processes', 'IPC'],
  params: [
    {
      name: 'numbers',
      kind: 'int',
      default: 4,
      min: 1,
      max: 16,
      help: 'how many numbers, 1..numbers, one process each',
    },
    {
      name: 'work',
      kind: 'choice',
      default: 'factorial',
      choices: ['factorial', 'square'],
      help: 'what each process computes',
    },
  ],
  threadsHint: () => 1,
  processesHint: (p) => Number(p.numbers),
  distribution: { figure: 'order', label: 'order the results came in' },
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, compute },
  verdict(run) {
    const order = (run.result.order as number[] | undefined) ?? []
    const exact = JSON.stringify(run.result.results) === JSON.stringify(run.result.expected)
    const submitted = order.every((n, i) => n === i + 1)
    const text = !exact
      ? `The results are not f(1..${String(run.params.numbers)}): this is a bug in Interleave.`
      : submitted
        ? `All ${order.length} results arrived, in the order the processes were started this time; run it again.`
        : `All ${order.length} results arrived, in the order the processes finished (${order.join(', ')}), ` +
          'not the order they were started.'
    return {
      text,
      figures: { order: order.join(' '), exact: exact ? 'yes' : 'no' },
    }
  },
})
