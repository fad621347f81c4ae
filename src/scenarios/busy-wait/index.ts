import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Event, Variable } from '../../engine/thread/primitives'
import type { RunRecord } from '../../shared/trace'
import { narration } from './narration'

function producer(py: Py, items: Variable<number[]>, commands: Variable<string[]>, ready: Event): void {
  const count = py.int('items')
  const pause = Number(py.params.pause)
  for (let i = 0; i < count; i++) {
    py.at(16)
    items.update((list) => [...list, i])
    py.at(17)
    py.sleep(pause)
  }
  py.at(18)
  commands.set(['stop'])
  py.at(19)
  ready.set()
}

function consumer(py: Py, items: Variable<number[]>, commands: Variable<string[]>, ready: Event): void {
  if (py.choice('wait') === 'event') {
    py.at(24)
    ready.wait()
  } else {
    // `while not commands: pass`: one traced read, the one that sees the command.
    py.at(26)
    py.spinUntil(commands, (c) => c.length > 0)
  }
  py.at(28)
  const command = commands.get()[0]
  const seen = items.get()
  py.print(`consumer got '${command}' after ${seen.length} items: [${seen.join(', ')}]`)
  py.result('command', command)
  py.result('itemsSeen', seen.length)
}

function main(py: Py): void {
  py.at(9)
  const items = py.shared<number[]>('items', [])
  py.at(10)
  const commands = py.shared<string[]>('commands', [])
  py.at(11)
  const ready = py.Event('ready')
  py.at(32)
  const threads = (['consumer', 'producer'] as const).map((target) =>
    py.Thread({ target, args: [items, commands, ready] }),
  )
  py.at(34)
  for (const t of threads) t.start()
  py.at(36)
  for (const t of threads) t.join()
}

/** CPU time of a worker thread (by its target), from the run's final states. */
export function cpuSeconds(run: RunRecord, target: 'consumer' | 'producer'): number {
  const t = run.final.find((f) => f.name.endsWith(`(${target})`))
  return (t?.cpuUs ?? 0) / 1e6
}

/** Seconds the consumer was alive: from its start to its end. */
function consumerWallS(run: RunRecord): number {
  const start = run.events.find((e) => e.type === 'thread-start' && e.name.endsWith('(consumer)'))
  if (!start) return 0
  const end = run.events.find((e) => e.type === 'thread-end' && e.pid === start.pid && e.tid === start.tid)
  return ((end?.tUs ?? run.outcome.wallUs) - start.tUs) / 1e6
}

export const busyWait = defineScenario({
  id: 'busy-wait',
  title: 'Busy waiting: spinning until the data arrives',
  concept: 'Conditions and events',
  explanation:
    'The producer appends items to a shared list, pausing between them, and finally appends a command. The ' +
    'consumer waits for that command with `while not commands: pass`: it checks the list again and again, ' +
    'millions of times a second. That loop is Python code, so it burns a whole core and holds the GIL; the ' +
    'producer, waking from each sleep, must wait for the spinner to hand the GIL over. The consumer does get ' +
    'every item, but only by wasting CPU. Waiting on a threading.Event instead blocks the consumer without CPU ' +
    'until set() wakes it.',
  lookFor:
    'Spinning: the consumer is running the whole time (a busy core), and each time the producer wakes from a ' +
    'sleep it waits for the GIL before it can append. With the Event, the consumer is waiting, using no CPU, ' +
    'and set() wakes it.',
  tags: ['threads', 'GIL', 'sync'],
  params: [
    { name: 'items', kind: 'int', default: 10, min: 1, max: 100, help: 'items the producer appends' },
    {
      name: 'pause',
      kind: 'number',
      default: 0.1,
      min: 0.01,
      max: 1,
      help: 'seconds the producer sleeps after each item',
    },
    {
      name: 'wait',
      kind: 'choice',
      default: 'spin',
      choices: ['spin', 'event'],
      help: 'how the consumer waits: spin on the list, or Event.wait()',
    },
  ],
  threadsHint: () => 2,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, producer, consumer },
  verdict(run) {
    const seen = Number(run.result.itemsSeen)
    const expected = Number(run.params.items)
    const consumerCpuS = cpuSeconds(run, 'consumer')
    const producerCpuS = cpuSeconds(run, 'producer')
    const waitedS = consumerWallS(run)
    const got = `The consumer got the command after all ${seen} of ${expected} items`
    const text =
      run.params.wait === 'event'
        ? `${got}, blocked on the Event: ${consumerCpuS.toFixed(2)} s of CPU in ${waitedS.toFixed(2)} s.`
        : `${got}, but spinning cost ${consumerCpuS.toFixed(2)} s of CPU in ${waitedS.toFixed(2)} s ` +
          `(the producer used ${producerCpuS.toFixed(3)} s).`
    return {
      text: seen === expected ? text : `The consumer saw ${seen} of ${expected} items.`,
      figures: {
        itemsSeen: seen,
        consumerCpuS: consumerCpuS.toFixed(3),
        producerCpuS: producerCpuS.toFixed(3),
        consumerWallS: waitedS.toFixed(2),
      },
    }
  },
})
