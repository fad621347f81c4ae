import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Lock, Variable } from '../../engine/thread/primitives'
import { narration } from './narration'

/** The model of program.py; each py.at() names the line it stands for. */
function worker(py: Py, counter: Variable<number>, lock: Lock, iterations: number, useLock: boolean): void {
  for (let i = 0; i < iterations; i++) {
    if (useLock) {
      py.at(17)
      lock.acquire()
    }
    py.at(18)
    const x = counter.get()
    py.at(19)
    py.sleep(0)
    py.at(20)
    counter.set(x + 1)
    if (useLock) {
      py.at(22)
      lock.release()
    }
  }
}

function main(py: Py): void {
  const threads = py.int('threads')
  const iterations = py.int('iterations')
  const useLock = py.choice('lock') === 'on'
  py.at(9)
  const counter = py.shared('counter', 0)
  py.at(10)
  const lock = py.Lock('lock')
  py.at(26)
  const workers = Array.from({ length: threads }, () =>
    py.Thread({ target: 'worker', args: [counter, lock, iterations, useLock] }),
  )
  py.at(28)
  for (const t of workers) t.start()
  py.at(30)
  for (const t of workers) t.join()
  py.at(32)
  const final = counter.get()
  const expected = threads * iterations
  py.print(`counter = ${final}, expected ${expected}, lost ${expected - final}`)
  py.result('counter', final)
  py.result('expected', expected)
}

export const raceCounter = defineScenario({
  id: 'race-counter',
  title: 'Race condition: lost updates',
  concept: 'Race conditions and locks',
  explanation:
    'Each thread reads a shared counter, yields with sleep(0), then writes back the value it read plus one. ' +
    'If another thread runs between the read and the write, both write the same number and one increment is lost. ' +
    'A lock around the read-yield-write makes it one indivisible step for other threads.',
  lookFor:
    'Without the lock, the read, sleep and write of two threads overlap; every overlap is a lost update. ' +
    'With the lock, only the owner is between read and write; the others are blocked on the lock.',
  tags: ['threads', 'sync', 'GIL'],
  params: [
    {
      name: 'threads',
      kind: 'int',
      default: 2,
      min: 2,
      max: 16,
      help: 'how many threads add to the counter',
    },
    { name: 'iterations', kind: 'int', default: 1000, min: 1, max: 10000, help: 'increments per thread' },
    {
      name: 'lock',
      kind: 'choice',
      default: 'off',
      choices: ['off', 'on'],
      help: 'hold a lock around read-yield-write',
    },
  ],
  threadsHint: (p) => Number(p.threads),
  distribution: { figure: 'counter', label: 'final counter', expected: 'expected' },
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const counter = Number(run.result.counter)
    const expected = Number(run.result.expected)
    const lost = expected - counter
    const text =
      run.params.lock === 'on'
        ? lost === 0
          ? `All ${expected} increments counted: the lock made read-yield-write one step.`
          : `${lost} of ${expected} increments lost even with the lock: this is a bug in Interleave.`
        : lost > 0
          ? `${lost} of ${expected} increments lost: threads read the same value and wrote the same value + 1.`
          : `No increment lost this time (${expected} counted); the race is real but did not strike. Run again.`
    return { text, figures: { counter, expected, lost } }
  },
})
