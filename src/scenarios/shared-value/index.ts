import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { MpValue } from '../../engine/thread/mp'
import { narration } from './narration'

function worker(py: Py, counter: MpValue, increments: number, useLock: boolean): void {
  const lock = useLock ? counter.getLock() : null
  for (let i = 0; i < increments; i++) {
    if (lock) {
      py.at(12)
      lock.acquire()
      py.at(13)
      counter.value = counter.value + 1
      py.at(12)
      lock.release()
    } else {
      py.at(15)
      counter.value = counter.value + 1
    }
  }
}

function main(py: Py): void {
  const processes = py.int('processes')
  const increments = py.int('increments')
  const useLock = py.choice('lock') === 'on'
  py.at(19)
  const counter = py.mp.Value('counter', 'i', 0)
  py.at(20)
  const procs = Array.from({ length: processes }, () =>
    py.mp.Process({ target: 'worker', args: [counter, increments, useLock] }),
  )
  py.at(22)
  for (const p of procs) p.start()
  py.at(24)
  for (const p of procs) p.join()
  py.at(25)
  const expected = processes * increments
  py.at(26)
  const final = counter.value
  py.print(`counter = ${final}, expected ${expected}, lost ${expected - final}`)
  py.result('counter', final)
  py.result('expected', expected)
}

export const sharedValue = defineScenario({
  id: 'shared-value',
  title: 'A shared multiprocessing.Value, with and without its lock',
  concept: 'Shared state',
  explanation:
    'multiprocessing.Value puts one number in memory that every process can reach. Each read and each write ' +
    'of .value is safe on its own, but counter.value += 1 is two steps: read, then write. If another process ' +
    'writes in between, one of the two increments is lost. The Value comes with a lock of its own, ' +
    'get_lock(): holding it around the read and the write makes them one step for the other processes.',
  lookFor:
    'Without the lock, the reads and writes on counter from the worker processes interleave: two reads of the ' +
    'same value followed by two writes of the same value + 1 are a lost update. With the lock, every ' +
    "increment sits between an acquire and a release of counter's lock, whose owner moves from process to " +
    'process, and the others are blocked on it.',
  tags: ['processes', 'sync', 'IPC'],
  params: [
    {
      name: 'processes',
      kind: 'int',
      default: 2,
      min: 2,
      max: 8,
      help: 'how many processes add to the value',
    },
    { name: 'increments', kind: 'int', default: 5000, min: 1, max: 10000, help: 'increments per process' },
    {
      name: 'lock',
      kind: 'choice',
      default: 'off',
      choices: ['off', 'on'],
      help: "hold the value's own lock (get_lock()) around each increment",
    },
  ],
  // Every .value access is a round trip to the broker: 5000 locked increments a process take a while.
  timeoutS: 120,
  threadsHint: () => 1,
  processesHint: (p) => Number(p.processes),
  distribution: { figure: 'counter', label: 'final counter', expected: 'expected' },
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const counter = Number(run.result.counter)
    const expected = Number(run.result.expected)
    const lost = expected - counter
    const lockIds = new Set(
      run.events.flatMap((e) => (e.type === 'object' && e.name === 'counter.lock' ? [e.obj] : [])),
    )
    const holders = new Set(
      run.events.flatMap((e) => (e.type === 'op' && e.op === 'acquire' && lockIds.has(e.obj) ? [e.pid] : [])),
    )
    const text = Number.isNaN(counter)
      ? `The run did not finish (${run.outcome.status}).`
      : run.params.lock === 'on'
        ? lost === 0
          ? `All ${expected} increments counted: get_lock() made each read and write one step.`
          : `${lost} of ${expected} increments lost even with the lock: this is a bug in Interleave.`
        : lost > 0
          ? `${lost} of ${expected} increments lost: processes read the same value and wrote the same value + 1.`
          : `No increment lost this time (${expected} counted); the race is real but did not strike. Run again.`
    return { text, figures: { counter, expected, lost, processesThatHeldTheLock: holders.size } }
  },
})
