/**
 * Readers of a RunRecord for tests: event ids, threads by name, state intervals.
 */
import {
  eventId,
  threadKey,
  type OpEvent,
  type RunRecord,
  type ThreadState,
  type TraceEvent,
} from '../../src/shared/trace'
import { opsOn, threadName } from './runModel'

/** The id other events use to name `e` as their cause. */
export function idOf(e: Pick<TraceEvent, 'pid' | 'tid' | 'seq'>): number {
  return eventId(e.pid, e.tid, e.seq)
}

/** The thread key (what `after.owner` holds) of the thread an event belongs to. */
export function keyOf(e: Pick<TraceEvent, 'pid' | 'tid'>): number {
  return threadKey(e.pid, e.tid)
}

/** The (pid, tid) of the thread called `name` (the first one, if several processes have one). */
export function threadNamed(run: RunRecord, name: string): { pid: number; tid: number } {
  const start = run.events.find((e) => e.type === 'thread-start' && e.name === name)
  if (!start) throw new Error(`no thread named ${name} in the run`)
  return { pid: start.pid, tid: start.tid }
}

/** Operations on the object `obj` (by name) done by thread `thread` (by name), in time order. */
export function opsBy(run: RunRecord, obj: string, thread: string): OpEvent[] {
  return opsOn(run, obj).filter((e) => threadName(run, e) === thread)
}

/** The one operation on `obj` that matches; fails the test's lookup loudly if there is none or several. */
export function theOp(
  run: RunRecord,
  obj: string,
  match: Partial<Pick<OpEvent, 'op' | 'line' | 'result'>>,
): OpEvent {
  const found = opsOn(run, obj).filter(
    (e) =>
      (match.op === undefined || e.op === match.op) &&
      (match.line === undefined || e.line === match.line) &&
      (match.result === undefined || e.result === match.result),
  )
  if (found.length !== 1)
    throw new Error(`expected one ${JSON.stringify(match)} on ${obj}, found ${found.length}`)
  return found[0]
}

/** The operation named `id` (an event id, as in `cause`). */
export function eventById(run: RunRecord, id: number | null): TraceEvent | undefined {
  return id === null ? undefined : run.events.find((e) => idOf(e) === id)
}

export interface Interval {
  state: ThreadState
  obj: number | null
  startUs: number
  endUs: number
}

/** A thread's state changes as intervals: each state lasts until the thread's next state (or its end). */
export function stateIntervals(run: RunRecord, thread: string): Interval[] {
  const { pid, tid } = threadNamed(run, thread)
  const mine = run.events.filter((e) => e.pid === pid && e.tid === tid).sort((a, b) => a.seq - b.seq)
  const out: Interval[] = []
  let open: Interval | null = null
  for (const e of mine) {
    if (e.type !== 'state' && e.type !== 'thread-end') continue
    if (open) {
      open.endUs = e.tUs
      out.push(open)
      open = null
    }
    if (e.type === 'state') open = { state: e.state, obj: e.obj, startUs: e.tUs, endUs: e.tUs }
  }
  if (open) out.push({ ...open, endUs: run.outcome.wallUs })
  return out
}

/** How long two sets of intervals overlap: in total, and the longest single overlap. */
export function overlap(a: Interval[], b: Interval[]): { totalUs: number; maxUs: number } {
  let totalUs = 0
  let maxUs = 0
  for (const x of a) {
    for (const y of b) {
      const o = Math.min(x.endUs, y.endUs) - Math.max(x.startUs, y.startUs)
      if (o > 0) {
        totalUs += o
        maxUs = Math.max(maxUs, o)
      }
    }
  }
  return { totalUs, maxUs }
}

/** Total length of intervals, microseconds. */
export function totalUs(intervals: Interval[]): number {
  return intervals.reduce((s, i) => s + (i.endUs - i.startUs), 0)
}

/** The last CPU time sampled for a thread (by name), microseconds; null if it was never sampled. */
export function lastCpuUs(run: RunRecord, thread: string): number | null {
  const { pid, tid } = threadNamed(run, thread)
  const samples = run.threadCpu.filter((s) => s.pid === pid && s.tid === tid)
  return samples.length === 0 ? null : Math.max(...samples.map((s) => s.cpuUs))
}
