import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import { narration } from './narration'

const MODES = ['serial', 'threads', 'processes'] as const
type Mode = (typeof MODES)[number]

function task(py: Py, kind: string, latency: number, count: number): void {
  if (kind === 'io') {
    py.at(15)
    py.io(latency)
  } else {
    py.at(18)
    py.countdown(count)
  }
}

function timed(py: Py, mode: Mode, tasks: number, args: [string, number, number]): number {
  py.at(23)
  const start = py.perfCounter()
  if (mode === 'serial') {
    for (let i = 0; i < tasks; i++) {
      py.at(26)
      task(py, ...args)
    }
  } else {
    py.at(29)
    const workers = Array.from({ length: tasks }, () =>
      mode === 'threads' ? py.Thread({ target: 'task', args }) : py.mp.Process({ target: 'task', args }),
    )
    py.at(31)
    for (const w of workers) w.start()
    py.at(33)
    for (const w of workers) w.join()
  }
  py.at(34)
  return py.perfCounter() - start
}

function main(py: Py): void {
  const tasks = py.int('tasks')
  const kind = py.choice('kind')
  const mode = py.choice('mode')
  const args: [string, number, number] = [kind, Number(py.params.latency), py.int('count')]
  const modes = mode === 'all' ? MODES : [mode as Mode]
  const wallS: Record<string, number> = {}
  for (const m of modes) {
    py.at(40)
    wallS[m] = timed(py, m, tasks, args)
    py.at(41)
    py.print(`${tasks} ${kind} tasks, ${m}: ${wallS[m].toFixed(2)} s`)
  }
  py.result('wallS', wallS)
}

export const ioVsCpu = defineScenario({
  id: 'io-vs-cpu',
  title: 'When threads help: I/O-bound versus CPU-bound',
  concept: 'The GIL',
  explanation:
    'The same tasks run three ways: one after another, in threads, and in processes. A task that waits for I/O ' +
    'lets go of the GIL while it waits, so threads overlap their waits and finish in about the time of one ' +
    'task. A task that computes in Python needs the GIL the whole time, so threads take turns and are no ' +
    'faster than doing the tasks one by one; processes each have their own GIL and use every core.',
  lookFor:
    'I/O: in threads, every lane is in I/O at the same time. CPU: in threads, the lanes alternate between ' +
    'running and waiting for the GIL and one core is busy; in processes, all the lanes run at once.',
  tags: ['GIL', 'threads', 'processes'],
  params: [
    { name: 'tasks', kind: 'int', default: 4, min: 1, max: 16, help: 'how many tasks each way runs' },
    {
      name: 'kind',
      kind: 'choice',
      default: 'io',
      choices: ['io', 'cpu'],
      help: 'tasks wait for I/O, or compute',
    },
    {
      name: 'mode',
      kind: 'choice',
      default: 'all',
      choices: ['all', ...MODES],
      help: 'run the tasks all three ways, or one way only',
    },
    { name: 'latency', kind: 'number', default: 0.5, min: 0.01, max: 5, help: 'seconds an I/O task waits' },
    {
      name: 'count',
      kind: 'int',
      default: 5_000_000,
      min: 1000,
      max: 100_000_000,
      help: 'a CPU task counts down from',
    },
  ],
  threadsHint: (p) => Number(p.tasks),
  processesHint: (p) => (p.mode === 'all' || p.mode === 'processes' ? Number(p.tasks) : 0),
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, task },
  verdict(run) {
    const wall = (run.result.wallS ?? {}) as Partial<Record<Mode, number>>
    const figures: Record<string, string> = {}
    for (const m of MODES) if (wall[m] !== undefined) figures[`${m}S`] = wall[m]!.toFixed(2)
    const { serial, threads, processes } = wall
    if (serial === undefined || threads === undefined || processes === undefined) {
      return { text: 'Run with mode=all to compare the three ways.', figures }
    }
    const t = serial / threads
    const p = serial / processes
    figures.threadsSpeedup = t.toFixed(1)
    figures.processesSpeedup = p.toFixed(1)
    const text =
      run.params.kind === 'io'
        ? `I/O-bound: threads were ${t.toFixed(1)}x faster than serial, processes ${p.toFixed(1)}x: the waits overlapped.`
        : `CPU-bound: threads were ${t.toFixed(1)}x as fast as serial (no gain under the GIL), processes ` +
          `${p.toFixed(1)}x on ${run.machine.cores} cores.`
    return { text, figures }
  },
})
