/**
 * Deadlocks while a run goes on: the run's events are folded, as they arrive, into each thread's
 * state and each lock's owner; a cycle of threads each blocked on a lock the next one holds is a
 * deadlock. Only locks have owners, so only they can close such a cycle.
 */
import {
  threadKey,
  type DeadlockReport,
  type FinalThreadState,
  type ObjectKind,
  type TraceEvent,
} from '../shared/trace'

export interface ObjectFacts {
  name: string
  kind: ObjectKind
  owner: number | null
}

/** A cycle of threads each blocked on a lock that the next one holds, or null. */
export function findCycle(
  objects: ReadonlyMap<number, ObjectFacts>,
  threads: readonly FinalThreadState[],
): DeadlockReport | null {
  const byKey = new Map(threads.map((t) => [threadKey(t.pid, t.tid), t]))
  const waitsFor = (t: FinalThreadState): FinalThreadState | undefined => {
    if (t.state !== 'blocked' || t.obj === null) return undefined
    const owner = objects.get(t.obj)?.owner
    return owner === null || owner === undefined ? undefined : byKey.get(owner)
  }
  for (const start of threads) {
    const path: FinalThreadState[] = []
    let t: FinalThreadState | undefined = start
    while (t && !path.includes(t)) {
      path.push(t)
      t = waitsFor(t)
    }
    if (t && t === start && path.length > 1) {
      return {
        cycle: path.map((p) => ({
          pid: p.pid,
          tid: p.tid,
          process: p.process,
          thread: p.name,
          obj: p.obj!,
          objName: objects.get(p.obj!)?.name ?? `#${p.obj}`,
          line: p.line,
        })),
      }
    }
  }
  return null
}

/** Folds one event into each thread's latest state, line and object (by thread key): where it stands now. */
export function foldThreadEvent(
  threads: Map<number, FinalThreadState>,
  e: TraceEvent,
  processName: (pid: number) => string,
): void {
  const key = threadKey(e.pid, e.tid)
  if (e.type === 'thread-start') {
    threads.set(key, {
      pid: e.pid,
      tid: e.tid,
      process: processName(e.pid),
      name: e.name,
      state: 'running',
      obj: null,
      line: 0,
      cpuUs: 0,
    })
    return
  }
  const t = threads.get(key)
  if (!t) return
  if (e.type === 'state') {
    t.state = e.state
    t.obj = e.obj
    t.line = e.line
  } else if (e.type === 'thread-end') {
    t.state = 'finished'
    t.obj = null
  } else if (e.type === 'op' || e.type === 'print') {
    t.line = e.line
  }
}

/** How long a cycle must stand before it is reported: what a batch in flight could still change. */
export const DEADLOCK_CONFIRM_US = 250_000

/**
 * Each thread's state and each object's last state, kept up to date as batches arrive, and the
 * deadlock test over them. A cycle is reported once it has stood for DEADLOCK_CONFIRM_US of run
 * time, so that a thread whose later events are still on their way is not taken for stuck.
 */
export class DeadlockWatch {
  private readonly threads = new Map<number, FinalThreadState>()
  private readonly objects = new Map<number, ObjectFacts>()
  private readonly objectUs = new Map<number, number>()
  private seen: { key: string; sinceUs: number } | null = null
  reported: DeadlockReport | null = null

  constructor(private readonly processName: (pid: number) => string) {}

  add(events: readonly TraceEvent[]): void {
    for (const e of events) {
      if (e.type === 'object') {
        this.objects.set(e.obj, { name: e.name, kind: e.kind, owner: null })
        continue
      }
      const o = e.type === 'op' ? this.objects.get(e.obj) : undefined
      // By time: batches of different threads interleave.
      if (e.type === 'op' && o && e.tUs >= (this.objectUs.get(e.obj) ?? -Infinity)) {
        this.objectUs.set(e.obj, e.tUs)
        o.owner = e.after.owner ?? null
      }
      foldThreadEvent(this.threads, e, this.processName)
    }
  }

  /** Looks for a cycle at run time `nowUs`; returns it the first time it has stood long enough. */
  check(nowUs: number): DeadlockReport | null {
    if (this.reported) return null
    const cycle = findCycle(this.objects, [...this.threads.values()])
    if (!cycle) {
      this.seen = null
      return null
    }
    const key = cycle.cycle
      .map((c) => `${c.pid}:${c.tid}:${c.obj}`)
      .sort()
      .join(',')
    if (this.seen?.key !== key) {
      this.seen = { key, sinceUs: nowUs }
      return null
    }
    if (nowUs - this.seen.sinceUs < DEADLOCK_CONFIRM_US) return null
    this.reported = cycle
    return cycle
  }
}
