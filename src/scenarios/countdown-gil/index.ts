import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { RunRecord } from '../../shared/trace'
import { narration } from './narration'

function countdown(py: Py, n: number): void {
  py.at(12)
  py.countdown(n)
}

function main(py: Py): void {
  const workers = py.int('workers')
  const count = py.int('count')
  const mode = py.choice('mode')
  py.at(18)
  const list = Array.from({ length: workers }, () =>
    mode === 'threads'
      ? py.Thread({ target: 'countdown', args: [count] })
      : py.mp.Process({ target: 'countdown', args: [count] }),
  )
  py.at(19)
  const start = py.perfCounter()
  py.at(21)
  for (const w of list) w.start()
  py.at(23)
  for (const w of list) w.join()
  py.at(24)
  const elapsed = py.perfCounter() - start
  py.at(25)
  py.print(`${workers} ${mode} counted down from ${count.toLocaleString('en-US')} in ${elapsed.toFixed(2)} s`)
  py.result('elapsedS', elapsed)
}

/** Cores busy on average while the workers counted: from the first worker's start to the last one's end. */
export function coresBusy(run: RunRecord): number {
  const isWorker = (e: { pid: number; tid: number }): boolean => e.pid > 0 || e.tid > 0
  const starts = run.events.filter((e) => e.type === 'thread-start' && isWorker(e)).map((e) => e.tUs)
  const ends = run.events.filter((e) => e.type === 'thread-end' && isWorker(e)).map((e) => e.tUs)
  if (starts.length === 0 || ends.length === 0) return 0
  const [from, to] = [Math.min(...starts), Math.max(...ends)]
  // A sample covers the time since the one before it: keep those wholly inside the counting.
  const samples = run.cpu.filter((s, i) => i > 0 && run.cpu[i - 1].tUs >= from && s.tUs <= to)
  if (samples.length === 0) return 0
  return samples.reduce((a, s) => a + s.corePct.reduce((x, y) => x + y, 0) / 100, 0) / samples.length
}

export const countdownGil = defineScenario({
  id: 'countdown-gil',
  title: 'CPU-bound work: threads, processes and the GIL',
  concept: 'The GIL',
  explanation:
    'Each worker counts down from a large number: pure CPU work. Threads of one process share one GIL, so only ' +
    'one of them runs Python code at a time and they take turns every switch interval (5 ms). Processes each have ' +
    'their own interpreter and GIL, so they run at the same time on different cores. Free-threaded Python ' +
    '(--gil off) lets threads do the same.',
  lookFor:
    'With threads and the GIL on, the lanes alternate between running and waiting for the GIL, and about one ' +
    'core is busy. With processes, or the GIL off, every lane runs at once and every core is busy.',
  tags: ['GIL', 'threads', 'processes'],
  params: [
    {
      name: 'workers',
      kind: 'int',
      default: 2,
      min: 1,
      max: 16,
      help: 'how many threads or processes count',
    },
    {
      name: 'count',
      kind: 'int',
      default: 20_000_000,
      min: 1000,
      max: 500_000_000,
      help: 'where each countdown starts',
    },
    {
      name: 'mode',
      kind: 'choice',
      default: 'threads',
      choices: ['threads', 'processes'],
      help: 'run the workers as',
    },
  ],
  threadsHint: (p) => (p.mode === 'threads' ? Number(p.workers) : 1),
  processesHint: (p) => (p.mode === 'processes' ? Number(p.workers) : 0),
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, countdown },
  verdict(run) {
    const elapsed = Number(run.result.elapsedS)
    const busy = coresBusy(run)
    const workerCpuS =
      run.final.filter((t) => t.name !== 'MainThread' || t.pid > 0).reduce((a, t) => a + t.cpuUs, 0) / 1e6
    const parallel = run.params.mode === 'processes' || !run.options.gil
    const text = parallel
      ? `The workers ran side by side: about ${busy.toFixed(1)} cores busy, ${elapsed.toFixed(2)} s of wall time.`
      : `The threads took turns on the GIL: about ${busy.toFixed(1)} core busy, ${elapsed.toFixed(2)} s of wall time.`
    return {
      text,
      figures: {
        elapsedS: elapsed.toFixed(2),
        coresBusy: busy.toFixed(2),
        workerCpuS: workerCpuS.toFixed(2),
        cpuPerWallS: (workerCpuS / elapsed).toFixed(2),
      },
    }
  },
})
