import { defineScenario, type Verdict } from '../../engine/scenario'
import type { Coroutine } from '../../engine/thread/asyncio'
import type { Py } from '../../engine/thread/py'
import type { RunRecord } from '../../shared/trace'
import { narration } from './narration'

function* fetch(py: Py, i: number): Coroutine<number> {
  const latency = Number(py.params.latency)
  if (py.choice('blocking') === 'on') {
    py.at(12)
    py.sleep(latency)
  } else {
    py.at(14)
    yield* py.asyncio.sleep(latency)
  }
  py.at(15)
  return i
}

function* main(py: Py): Coroutine<void> {
  const connections = py.int('connections')
  const latency = Number(py.params.latency)
  py.at(19)
  const start = py.perfCounter()
  py.at(20)
  const tasks = Array.from({ length: connections }, (_, i) => py.asyncio.createTask(fetch, i))
  py.at(21)
  const results = yield* py.asyncio.gather(...tasks)
  py.at(22)
  const elapsed = py.perfCounter() - start
  py.at(23)
  py.print(`${results.length} requests of ${latency} s each took ${elapsed.toFixed(2)} s`)
  py.result('requests', results.length)
  py.result('elapsedS', elapsed)
}

/** The module's top level: `asyncio.run(main())` on MainThread. */
function program(py: Py): void {
  py.at(27)
  py.asyncio.run(main)
}

/** Tasks whose result was set (their coroutine returned), from the trace. */
export function tasksDone(run: RunRecord): number {
  const tasks = new Set(run.events.flatMap((e) => (e.type === 'object' && e.kind === 'task' ? [e.obj] : [])))
  return run.events.filter((e) => e.type === 'op' && tasks.has(e.obj) && e.op === 'set' && e.after.done === 1)
    .length
}

export const asyncioIo = defineScenario({
  id: 'asyncio-io',
  title: 'asyncio: many slow requests on one thread',
  concept: 'asyncio',
  explanation:
    'One thread runs an event loop. Each request is a task that awaits a slow reply (asyncio.sleep stands for ' +
    'the network). At every await the task gives the thread back to the loop, which runs another ready task; ' +
    'when none is ready, the loop sleeps in select() until the next reply is due. So all the waits overlap ' +
    'and a hundred requests take about one latency, using almost no CPU. A blocking call such as time.sleep ' +
    'inside a coroutine never gives the thread back: the loop stands still and the requests run one after another.',
  lookFor:
    'One lane, MainThread, in I/O (select) for almost the whole run. The tasks start, each waits at line 14 and ' +
    'is resumed by its timer, interleaved: every task waits before the first one is resumed. With blocking on, ' +
    'the thread sleeps inside one task at a time and the total is connections x latency.',
  tags: ['async'],
  params: [
    {
      name: 'connections',
      kind: 'int',
      default: 100,
      min: 1,
      max: 1000,
      help: 'how many requests the loop awaits',
    },
    {
      name: 'latency',
      kind: 'number',
      default: 0.5,
      min: 0.01,
      max: 5,
      help: 'seconds each reply takes',
    },
    {
      name: 'blocking',
      kind: 'choice',
      default: 'off',
      choices: ['off', 'on'],
      help: 'wait with time.sleep() instead of await asyncio.sleep()',
    },
  ],
  // Blocking at the defaults takes connections x latency = 50 s.
  timeoutS: 90,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main: program },
  verdict(run): Verdict {
    const connections = Number(run.params.connections)
    const latency = Number(run.params.latency)
    const main = run.final.find((t) => t.pid === 0 && t.name === 'MainThread')
    const cpuS = (main?.cpuUs ?? 0) / 1e6
    if (run.result.elapsedS === undefined) {
      const done = tasksDone(run)
      return {
        text:
          `The run ended before the requests did: ${done} of ${connections} done. ` +
          (run.params.blocking === 'on'
            ? 'time.sleep() blocked the event loop, so they ran one at a time.'
            : 'The loop never got them all.'),
        figures: { connections, done, cpuS: cpuS.toFixed(3) },
      }
    }
    const elapsed = Number(run.result.elapsedS)
    const latencies = elapsed / latency
    const text =
      run.params.blocking === 'on'
        ? `${connections} requests took ${elapsed.toFixed(2)} s, ${latencies.toFixed(1)} latencies: ` +
          'time.sleep() blocked the event loop, so they ran one after another.'
        : `${connections} requests took ${elapsed.toFixed(2)} s, about ${latencies.toFixed(1)} latencies, ` +
          `not ${connections}: the loop overlapped every wait on one thread, using ${cpuS.toFixed(3)} s of CPU.`
    return {
      text,
      figures: {
        connections,
        latencyS: latency,
        elapsedS: elapsed.toFixed(2),
        latencies: latencies.toFixed(2),
        cpuS: cpuS.toFixed(3),
      },
    }
  },
})
