/**
 * Deadlocks and hangs while a run goes on: the run's events are folded, as they arrive, into each
 * thread's state and each object's owner. A cycle of threads each blocked on a lock the next one
 * holds is a deadlock (only locks have owners, so only they can close such a cycle). A hang is wider:
 * every thread still alive blocked or waiting (on a condition nobody will notify, a queue nobody will
 * put to, a join) and nothing moving for a while; it is reported with what each thread waits for.
 */
import {
  FIRST_BROKERED_ID,
  threadKey,
  type DeadlockReport,
  type FinalThreadState,
  type HangReport,
  type ObjectKind,
  type TraceEvent,
} from '../shared/trace'

/** Where ObjectFold keeps brokered objects' states: not a process (pids are from 0). */
const BROKERED = -1

/** Whose copy of an object a state is: a process's own (a forked child has its own), or the broker's. */
function stateOwner(pid: number, obj: number): number {
  return obj >= FIRST_BROKERED_ID ? BROKERED : pid
}

interface LastState {
  tUs: number
  after: Record<string, number | null>
}

export interface ObjectFacts {
  name: string
  kind: ObjectKind
  owner: number | null
  /** The object's state after its latest operation (OBJECT_STATE_FIELDS). */
  after: Record<string, number | null>
}

/**
 * Each object's name and kind (from its declaration) and its state after its latest operation, by
 * time (batches of different threads interleave). A process's own objects are numbered per process
 * (a forked child's copy of a lock has its parent's number but its own owner), so states are kept
 * per process; a copy takes its name from the declaration.
 */
export class ObjectFold {
  private readonly declared = new Map<number, { name: string; kind: ObjectKind }>()
  /**
   * The latest state by process, then object (brokered objects, one for every process, under
   * BROKERED). Updated in place: this runs for every op of a run, as it arrives.
   */
  private readonly states = new Map<number, Map<number, LastState>>()
  /**
   * The state the previous op updated, and whose: a thread's batch tends to work on one object many
   * times in a row (a loop on a shared variable), so most ops skip both lookups.
   */
  private lastOwner = NaN
  private lastObj = NaN
  private last: LastState | null = null

  add(e: TraceEvent): void {
    if (e.type === 'op') {
      const owner = stateOwner(e.pid, e.obj)
      let last = this.last
      if (owner !== this.lastOwner || e.obj !== this.lastObj || !last) {
        let states = this.states.get(owner)
        if (!states) {
          states = new Map()
          this.states.set(owner, states)
        }
        last = states.get(e.obj) ?? null
        if (!last) {
          last = { tUs: e.tUs, after: e.after }
          states.set(e.obj, last)
        }
        this.lastOwner = owner
        this.lastObj = e.obj
        this.last = last
      }
      if (e.tUs >= last.tUs) {
        last.tUs = e.tUs
        last.after = e.after
      }
    } else if (e.type === 'object') {
      this.declared.set(e.obj, { name: e.name, kind: e.kind })
    }
  }

  /** What is known of object `obj` as process `pid` sees it. */
  facts(pid: number, obj: number): ObjectFacts | undefined {
    const d = this.declared.get(obj)
    if (!d) return undefined
    const after = this.states.get(stateOwner(pid, obj))?.get(obj)?.after ?? {}
    return { ...d, owner: after.owner ?? null, after }
  }
}

/** A cycle of threads each blocked on a lock that the next one holds, or null. */
export function findCycle(objects: ObjectFold, threads: readonly FinalThreadState[]): DeadlockReport | null {
  const byKey = new Map(threads.map((t) => [threadKey(t.pid, t.tid), t]))
  const waitsFor = (t: FinalThreadState): FinalThreadState | undefined => {
    if (t.state !== 'blocked' || t.obj === null) return undefined
    const owner = objects.facts(t.pid, t.obj)?.owner
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
          objName: objects.facts(p.pid, p.obj!)?.name ?? `#${p.obj}`,
          line: p.line,
        })),
      }
    }
  }
  return null
}

/**
 * The threads of a hang, each with what would wake it, if every thread still alive (in a process
 * still running) is blocked or waiting; null if one could still move by itself.
 */
export function findHang(
  objects: ObjectFold,
  threads: readonly FinalThreadState[],
  alive: (pid: number) => boolean,
): HangReport['threads'] | null {
  const live = threads.filter((t) => t.state !== 'finished' && alive(t.pid))
  if (live.length === 0 || !live.every((t) => t.state === 'blocked' || t.state === 'waiting')) return null
  const label = (key: number): string => {
    const t = threads.find((u) => threadKey(u.pid, u.tid) === key)
    return t ? `${t.process}/${t.name}` : 'a thread that is gone'
  }
  return live.map((t) => {
    const facts = t.obj === null ? undefined : objects.facts(t.pid, t.obj)
    const objName = facts?.name ?? (t.obj === null ? '?' : `#${t.obj}`)
    return {
      pid: t.pid,
      tid: t.tid,
      process: t.process,
      thread: t.name,
      state: t.state,
      obj: t.obj,
      objName,
      line: t.line,
      needs: facts ? wakeOf(facts, t.state, label) : `something from ${objName}`,
    }
  })
}

/** What would let a thread blocked or waiting on this object go on: the edge of the wait-for graph. */
function wakeOf(o: ObjectFacts, state: FinalThreadState['state'], label: (key: number) => string): string {
  const held = o.owner === null ? '' : `, held by ${label(o.owner)}`
  switch (o.kind) {
    case 'lock':
    case 'rlock':
    case 'mp-lock':
    case 'mp-rlock':
      return `a release of ${o.name}${held}`
    case 'condition':
    case 'mp-condition':
      return state === 'waiting' ? `a notify() on ${o.name}` : `a release of ${o.name}${held}`
    case 'semaphore':
    case 'bounded-semaphore':
    case 'mp-semaphore':
      return `a release() of ${o.name}`
    case 'event':
    case 'mp-event':
      return `a set() of ${o.name}`
    case 'barrier':
    case 'mp-barrier':
      return `the other parties to reach ${o.name}`
    case 'queue':
    case 'mp-queue':
    case 'mp-joinable-queue':
      if (state === 'waiting') return `a task_done() for every item of ${o.name}`
      return o.after.depth ? `a get() from ${o.name}, which is full` : `a put() on ${o.name}`
    case 'mp-pipe':
      return `a send() into ${o.name}`
    case 'thread':
      return `thread ${o.name} to end`
    case 'process':
      return `process ${o.name} to end`
    case 'task':
    case 'future':
      return `${o.name} to be done`
    default:
      return `something from ${o.name}`
  }
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
 * deadlock and hang tests over them. A cycle is reported once it has stood for DEADLOCK_CONFIRM_US
 * of run time, so that a thread whose later events are still on their way is not taken for stuck.
 */
export class DeadlockWatch {
  private readonly threads = new Map<number, FinalThreadState>()
  private readonly objects = new ObjectFold()
  private seen: { key: string; sinceUs: number } | null = null
  reported: DeadlockReport | null = null

  constructor(private readonly processName: (pid: number) => string) {}

  add(events: readonly TraceEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      const e = events[i]
      this.objects.add(e)
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

  /**
   * The hang as things stand, if every thread of the processes `alive` says is blocked or waiting
   * and each such process has a thread (one still starting could yet move).
   */
  hang(alive: readonly number[], sinceUs: number): HangReport | null {
    const threads = [...this.threads.values()]
    if (!alive.every((pid) => threads.some((t) => t.pid === pid))) return null
    const stuck = findHang(this.objects, threads, (pid) => alive.includes(pid))
    return stuck ? { sinceUs, threads: stuck } : null
  }
}
