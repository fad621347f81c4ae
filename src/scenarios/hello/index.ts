import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import { narration } from './narration'

const TIMES = 3

function name(py: Py, kind: string): string {
  if (kind === 'thread') {
    py.at(13)
    return py.currentThread().name
  }
  py.at(14)
  return py.mp.currentProcess().name
}

function worker(py: Py, kind: string): void {
  for (let i = 0; i < TIMES; i++) {
    const who = name(py, kind)
    py.at(19)
    py.print(`hello ${i} from ${who}`)
    py.at(20)
    py.sleep(0.1)
  }
}

function main(py: Py): void {
  const kind = py.choice('kind')
  const count = py.int('count')
  py.at(25)
  const workers = Array.from({ length: count }, () =>
    kind === 'thread'
      ? py.Thread({ target: 'worker', args: [kind] })
      : py.mp.Process({ target: 'worker', args: [kind] }),
  )
  py.at(27)
  for (const w of workers) w.start()
  py.at(29)
  for (const w of workers) w.join()
  const who = name(py, kind)
  py.at(30)
  py.print(`${who}: all ${count} workers finished`)
}

export const hello = defineScenario({
  id: 'hello',
  title: 'Hello from threads and processes',
  concept: 'Threads and processes',
  explanation:
    'A thread or a process is created with a target function, starts running it at start(), and ends when the ' +
    'function returns. join() waits for it to end. Every thread has a name (threading.current_thread().name, ' +
    'Thread-1 (worker), ...) and so does every process (multiprocessing.current_process().name, Process-1, ...). ' +
    'Here each worker prints its name a few times, sleeping in between, and the main thread prints last, once it ' +
    'has joined them all.',
  lookFor:
    "A worker's lane begins at its start() and ends when worker() returns; its prints sit on its lane. The main " +
    'thread is blocked in join() until each worker in turn has ended, and only then prints that it finished. With ' +
    'processes, each worker is a process of its own with its own MainThread.',
  tags: ['threads', 'processes'],
  params: [
    {
      name: 'kind',
      kind: 'choice',
      default: 'thread',
      choices: ['thread', 'process'],
      help: 'start the workers as threads or as processes',
    },
    { name: 'count', kind: 'int', default: 3, min: 1, max: 16, help: 'how many workers to start' },
  ],
  threadsHint: (p) => (p.kind === 'thread' ? Number(p.count) : 1),
  processesHint: (p) => (p.kind === 'process' ? Number(p.count) : 0),
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const count = Number(run.params.count)
    const prints = run.events.flatMap((e) => (e.type === 'print' ? [e] : []))
    const hellos = prints.filter((p) => p.text.startsWith('hello '))
    const last = prints.find((p) => p.text.endsWith('workers finished'))
    const workerEnds = run.events.filter((e) => e.type === 'thread-end' && (e.pid > 0 || e.tid > 0))
    const lastEndUs = Math.max(0, ...workerEnds.map((e) => e.tUs))
    const after = last !== undefined && workerEnds.length === count && last.tUs >= lastEndUs
    const text = after
      ? `All ${count} ${run.params.kind === 'thread' ? 'threads' : 'processes'} printed their ${hellos.length} ` +
        'lines; the main thread printed last, after joining every one.'
      : `Only ${workerEnds.length} of ${count} workers ended before the main thread's last line (${run.outcome.status}).`
    return { text, figures: { workers: count, lines: hellos.length } }
  },
})
