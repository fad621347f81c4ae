import { THREAD_STATES, threadKey, type RunRecord, type ThreadState } from '../shared/trace'

export interface ThreadSummary {
  pid: number
  tid: number
  process: string
  name: string
  /** Microseconds spent in each state. */
  stateUs: Record<ThreadState, number>
  cpuUs: number
  printed: string[]
  end: string
}

export interface RunSummary {
  scenario: string
  status: RunRecord['outcome']['status']
  message: string
  wallS: number
  threads: ThreadSummary[]
  /** Mean utilisation of each core over the run, 0 to 100. */
  corePct: number[]
  /** Sum over cores, in cores (1.0 = one core busy the whole run). */
  coresBusy: number
  processCpuS: Record<string, number>
}

/** What the CLI prints: time per state per thread, output, CPU per core. */
export function summarize(run: RunRecord): RunSummary {
  const procName = new Map(run.processes.map((p) => [p.pid, p.name]))
  const threads = new Map<number, ThreadSummary & { since: number; state: ThreadState | null }>()
  for (const e of run.events) {
    const key = threadKey(e.pid, e.tid)
    if (e.type === 'thread-start') {
      threads.set(key, {
        pid: e.pid,
        tid: e.tid,
        process: procName.get(e.pid) ?? `process ${e.pid}`,
        name: e.name,
        stateUs: Object.fromEntries(THREAD_STATES.map((s) => [s, 0])) as Record<ThreadState, number>,
        cpuUs: 0,
        printed: [],
        end: 'still running at the end',
        since: e.tUs,
        state: null,
      })
      continue
    }
    const t = threads.get(key)
    if (!t) continue
    if (e.type === 'state' || e.type === 'thread-end') {
      if (t.state) t.stateUs[t.state] += e.tUs - t.since
      t.since = e.tUs
      t.state = e.type === 'state' ? e.state : null
      if (e.type === 'thread-end') t.end = e.reason === 'returned' ? 'returned' : (e.error ?? e.reason)
    } else if (e.type === 'print') {
      t.printed.push(e.text)
    }
  }
  const wallUs = run.outcome.wallUs
  for (const t of threads.values()) {
    const proc = run.processes.find((p) => p.pid === t.pid)
    const stopUs = proc?.endUs ?? wallUs
    if (t.state) t.stateUs[t.state] += Math.max(0, stopUs - t.since)
    if (t.state && t.end === 'still running at the end') t.end = `${t.state} when the run ended`
  }
  for (const s of run.threadCpu) {
    const t = threads.get(threadKey(s.pid, s.tid))
    if (t) t.cpuUs = Math.max(t.cpuUs, s.cpuUs)
  }
  const cores = run.machine.cores
  const corePct = Array.from({ length: cores }, (_, i) => {
    const samples = run.cpu.map((c) => c.corePct[i] ?? 0)
    return samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : 0
  })
  return {
    scenario: run.scenario,
    status: run.outcome.status,
    message: run.outcome.message,
    wallS: wallUs / 1e6,
    threads: [...threads.values()].map(({ since: _s, state: _st, ...t }) => t),
    corePct,
    coresBusy: corePct.reduce((a, b) => a + b, 0) / 100,
    processCpuS: Object.fromEntries(run.processes.map((p) => [`${p.name} (${p.pid})`, p.cpuUs / 1e6])),
  }
}
