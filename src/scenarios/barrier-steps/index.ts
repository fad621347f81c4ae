import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Barrier, Variable } from '../../engine/thread/primitives'
import type { RunRecord } from '../../shared/trace'
import { narration } from './narration'

function worker(py: Py, barrier: Barrier, counters: Variable<number>[], me: number, steps: number): void {
  py.at(13)
  const other = 1 - me
  for (let step = 0; step < steps; step++) {
    py.at(15)
    const seen = counters[other].get()
    py.at(16)
    py.sleep(Math.random() * 0.2)
    py.at(17)
    barrier.wait()
    py.at(18)
    counters[me].set(counters[me].get() + 1)
    py.at(19)
    barrier.wait()
    py.at(20)
    py.print(`${py.currentThread().name}: step ${step}, the other was at ${seen}`)
  }
}

function main(py: Py): void {
  const steps = py.int('steps')
  py.at(8)
  const barrier = py.Barrier('barrier', 2)
  py.at(9)
  const counters = [py.shared('counters[0]', 0), py.shared('counters[1]', 0)]
  py.at(24)
  const threads = [0, 1].map((me) => py.Thread({ target: 'worker', args: [barrier, counters, me, steps] }))
  py.at(26)
  for (const t of threads) t.start()
  py.at(28)
  for (const t of threads) t.join()
  py.at(29)
  const final = counters.map((c) => c.get())
  py.print(`counters = [${final.join(', ')}]`)
  py.result('counters', final)
}

/** Who arrived first at each barrier meeting, in order: the thread whose arrival had index 0. */
export function firstArrivals(run: RunRecord): string[] {
  const names = new Map<string, string>()
  for (const e of run.events) if (e.type === 'thread-start') names.set(`${e.pid}/${e.tid}`, e.name)
  return run.events
    .flatMap((e) => (e.type === 'op' && e.op === 'arrive' && e.value === 'index 0' ? [e] : []))
    .sort((a, b) => a.tUs - b.tUs)
    .map((e) => names.get(`${e.pid}/${e.tid}`) ?? '?')
}

export const barrierSteps = defineScenario({
  id: 'barrier-steps',
  title: 'Lock-step with a Barrier',
  concept: 'Conditions and events',
  explanation:
    "Two threads take steps together. At each step a thread reads the other thread's counter, works for a " +
    'random while, and waits at a Barrier(2) until both have read; then it adds one to its own counter and waits ' +
    'again until both have written. A barrier lets nobody through until all its parties have arrived, so neither ' +
    'thread can run a step ahead: each always sees the other at the same step as itself, and both counters end ' +
    'at the number of steps.',
  lookFor:
    'At every barrier the first thread to arrive waits (its arrival index is 0) until the other arrives (index 1) ' +
    "and releases both: an arrow from that arrival to the first one's wake-up. Which thread arrives first changes " +
    'from step to step with the random work; the two lanes still leave each barrier together.',
  tags: ['threads', 'sync'],
  params: [
    { name: 'steps', kind: 'int', default: 3, min: 1, max: 20, help: 'how many steps the threads take' },
  ],
  threadsHint: () => 2,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const steps = Number(run.params.steps)
    const counters = (run.result.counters as number[] | undefined) ?? []
    const prints = run.events.flatMap((e) => (e.type === 'print' ? [e.text] : []))
    const lockStep = prints.filter((p) => /step (\d+), the other was at \1$/.test(p)).length
    const first = firstArrivals(run)
    const short = (n: string): string => n.replace(/ \(worker\)$/, '')
    const order = first.filter((_, i) => i % 2 === 0).map(short)
    const text =
      counters.length === 2 && counters.every((c) => c === steps)
        ? `Both counters reached ${steps}, and at every step each thread saw the other at the same step ` +
          `(${lockStep} of ${2 * steps} lines). First to arrive at the first barrier of each step: ${order.join(', ')}.`
        : `Counters ${JSON.stringify(counters)} after ${steps} steps (${run.outcome.status}).`
    return {
      text,
      figures: {
        steps,
        counters: counters.join(', '),
        meetings: first.length,
        firstArrivals: first.map(short).join(' '),
      },
    }
  },
})
