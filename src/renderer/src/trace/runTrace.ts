/**
 * A run as the timeline needs it, built incrementally from the stream's batches: per thread, its
 * state slices and the program lines it passed; causal links; objects' states over time; output; CPU.
 * Plain data, no Vue and no DOM: the store holds one in a shallowRef and triggers it per batch.
 *
 * The events stay in their table (EventTable, columns of numbers), and the trace's lists hold rows
 * of it: a million events' trace weighed 143 B an event as objects (slices, steps, the operations
 * themselves), which is what made a long run's memory.
 */
import type {
  CpuSample,
  ObjectKind,
  OpEvent,
  ProcessInfo,
  ThreadState,
  ThreadCpuSample,
  TraceEvent,
} from '../../../shared/trace'
import { eventId, objectKey, OBJECT_KINDS, OPS, THREAD_STATES, threadKey } from '../../../shared/trace'
import { EVENT_TYPE_CODES, EventTable, opOfCode } from '../../../shared/eventTable'
import { IntList } from './intList'
import type { LaneObject, LaneProcess, LaneThread } from '../timeline/laneLayout'
import { stepInsertedAt } from '../timeline/levelIndex'
import { objectLevel } from '../timeline/objectLevel'
import { waitInsertedAt } from '../timeline/waitIndex'

/** A span of one state, as a thread's SliceList gives it. `endUs` is Infinity while the thread is still in it. */
export interface Slice {
  startUs: number
  endUs: number
  state: ThreadState
  /** The object waited on (blocked, waiting), as an object key; null otherwise. */
  objectKey: string | null
  line: number
}

/** A slice's end row while the slice is open. */
export const OPEN_SLICE = -1

/**
 * Rows of the trace's table (its EventTable), in a list: the trace's lists hold the rows of the
 * events they are made of, four bytes each, and read the events' fields from the table's columns.
 * `at(i)` makes item `i` as an object, for the few readers that keep one.
 */
export abstract class RowList<T> {
  readonly rows = new IntList()

  constructor(protected readonly trace: RunTrace) {}

  abstract at(i: number): T

  get length(): number {
    return this.rows.length
  }

  toArray(): T[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i))
  }

  /** When item `i`'s event happened. */
  tUs(i: number): number {
    return this.trace.table.columns.tUs[this.rows.data[i]]
  }

  /** The thread of item `i`'s event. */
  threadKey(i: number): number {
    const c = this.trace.table.columns
    const row = this.rows.data[i]
    return threadKey(c.pid[row], c.tid[row])
  }

  /** Index of the last item at or before `tUs` (items in time order), or -1. */
  lastAtOrBefore(tUs: number): number {
    const times = this.trace.table.columns.tUs
    const rows = this.rows.data
    let lo = 0
    let hi = this.rows.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (times[rows[mid]] <= tUs) lo = mid + 1
      else hi = mid
    }
    return lo - 1
  }

  /**
   * Adds `row` after every item at or before its time; from the end, since most come in order.
   * Returns where it went.
   */
  insertByTime(row: number): number {
    const times = this.trace.table.columns.tUs
    const rows = this.rows.data
    const tUs = times[row]
    let i = this.rows.length
    while (i > 0 && times[rows[i - 1]] > tUs) i--
    this.rows.insert(i, row)
    return i
  }
}

/**
 * A thread's slices: the row of the state event that began each and of the event that ended it
 * (the next state, or the thread's end; OPEN while it lasts). Eight bytes a slice, where the
 * objects they replace weighed about sixty, and a million-event run has hundreds of thousands.
 * Fields come from the table; `at(i)` makes a Slice for the few readers that want one.
 */
export class SliceList extends RowList<Slice> {
  readonly ends = new IntList()

  startUs(i: number): number {
    return this.tUs(i)
  }

  /** Its end: the ending event's time or the run's end (never before its start), or Infinity while open. */
  endUs(i: number): number {
    const end = this.ends.data[i]
    const tUs = this.trace.table.columns.tUs
    const startUs = tUs[this.rows.data[i]]
    if (end === OPEN_SLICE) return this.trace.endUs === null ? Infinity : Math.max(startUs, this.trace.endUs)
    return Math.max(startUs, tUs[end])
  }

  /** Its state, as an index into THREAD_STATES. */
  stateCode(i: number): number {
    return this.trace.table.columns.code[this.rows.data[i]]
  }

  state(i: number): ThreadState {
    return THREAD_STATES[this.stateCode(i)]
  }

  objectKey(i: number): string | null {
    const row = this.rows.data[i]
    const obj = this.trace.table.objOf(row)
    return obj === null ? null : this.trace.objectKeyOf(this.trace.table.columns.pid[row], obj)
  }

  line(i: number): number {
    return this.trace.table.columns.line[this.rows.data[i]]
  }

  at(i: number): Slice {
    return {
      startUs: this.startUs(i),
      endUs: this.endUs(i),
      state: this.state(i),
      objectKey: this.objectKey(i),
      line: this.line(i),
    }
  }
}

/** A thread's events (or its operations), in the order they arrived: its own order. */
export class EventList<T extends TraceEvent = TraceEvent> extends RowList<T> {
  at(i: number): T {
    return this.trace.table.event(this.rows.data[i]) as T
  }
}

/** One value of an object's state from `startUs` on. */
export interface ObjectStep {
  startUs: number
  after: Record<string, number | null>
  op: string
  threadKey: number
}

/** An object's operations (its steps), in time order. */
export class StepList extends RowList<ObjectStep> {
  /** Its state after step `i`. */
  after(i: number): Record<string, number | null> {
    const table = this.trace.table
    return table.states[table.columns.more[this.rows.data[i]]]
  }

  at(i: number): ObjectStep {
    const row = this.rows.data[i]
    return {
      startUs: this.tUs(i),
      after: this.after(i),
      op: OPS[opOfCode(this.trace.table.columns.code[row])],
      threadKey: this.threadKey(i),
    }
  }
}

/** An arrow: the event `causeId` let the op at (`toKey`, `toUs`) happen. */
export interface CausalLink {
  causeId: number
  toKey: number
  toUs: number
  op: string
  objectKey: string
}

/** The operations that name a cause, in the order they arrived: the arrows. */
export class LinkList extends RowList<CausalLink> {
  /** Link `i`'s cause, an event id. */
  causeId(i: number): number {
    return this.trace.table.refOf(this.rows.data[i])
  }

  at(i: number): CausalLink {
    const table = this.trace.table
    const c = table.columns
    const row = this.rows.data[i]
    return {
      causeId: this.causeId(i),
      toKey: this.threadKey(i),
      toUs: this.tUs(i),
      op: OPS[opOfCode(c.code[row])],
      objectKey: this.trace.objectKeyOf(c.pid[row], table.objOf(row) as number),
    }
  }
}

export interface ThreadTrack {
  key: number
  pid: number
  tid: number
  name: string
  daemon: boolean
  startUs: number
  /** null while alive. */
  endUs: number | null
  error: string | null
  slices: SliceList
  /** The operations it did, in time order (for markers, hover and the arrows' ends). */
  ops: EventList<OpEvent>
  /**
   * Every event of it, in the order they arrived (its seq order): where arrows from them start
   * (`eventAt`), and the program lines it passed (`lineAt`).
   */
  events: EventList
  /** What it printed, in time order. */
  prints: PrintLine[]
  /** Its CPU time by the latest sample, and the core it last ran on. */
  cpuUs: number
  lastCore: number | null
  /** Its CPU time over the run: by `cpuSampleUs[i]`, it had used `cpuSampleCpuUs[i]`. */
  cpuSampleUs: number[]
  cpuSampleCpuUs: number[]
}

export interface ObjectTrack {
  key: string
  obj: number
  pid: number
  kind: ObjectKind
  name: string
  size: number
  steps: StepList
  /** The highest level (objectLevel) it reached: the top of its lane. */
  maxLevel: number
}

/** A thread blocked or waiting on an object, for as long as its slice `index` lasts. */
export class Wait {
  constructor(
    readonly threadKey: number,
    private readonly slices: SliceList,
    readonly index: number,
  ) {}

  get startUs(): number {
    return this.slices.startUs(this.index)
  }

  get endUs(): number {
    return this.slices.endUs(this.index)
  }

  get state(): ThreadState {
    return this.slices.state(this.index)
  }
}

/**
 * The threads that blocked or waited on one object, in order of when they started to: the row of the
 * state event that began each wait, and that slice's index in its thread's slices. Eight bytes a
 * wait; `at(i)` makes a Wait for the readers that keep one.
 */
export class WaitList extends RowList<Wait> {
  readonly slices = new IntList()

  startUs(i: number): number {
    return this.tUs(i)
  }

  endUs(i: number): number {
    return this.sliceList(i).endUs(this.slices.data[i])
  }

  at(i: number): Wait {
    return new Wait(this.threadKey(i), this.sliceList(i), this.slices.data[i])
  }

  /** Adds a wait (its state event's row, its slice's index) in time order; returns where it went. */
  insertWait(row: number, slice: number): number {
    const i = this.insertByTime(row)
    this.slices.insert(i, slice)
    return i
  }

  private sliceList(i: number): SliceList {
    return (this.trace.threads.get(this.threadKey(i)) as ThreadTrack).slices
  }
}

export interface PrintLine {
  tUs: number
  threadKey: number
  text: string
}

/** How event ids pack a thread key and a seq (`eventId`): thread key * SEQ_SPAN + seq. */
const SEQ_SPAN = eventId(0, 1, 0)

/** Objects worth a lane of their own: what threads block on or hand things through. */
const NO_LANE = new Set<ObjectKind>(['thread', 'process', 'variable', 'mp-array', 'task', 'future'])
const LANE_KINDS = new Set<ObjectKind>(OBJECT_KINDS.filter((kind) => !NO_LANE.has(kind)))

const { START, STATE, OBJECT, OP, PRINT, END } = EVENT_TYPE_CODES
const FINISHED = THREAD_STATES.indexOf('finished')
const BLOCKED = THREAD_STATES.indexOf('blocked')
const WAITING = THREAD_STATES.indexOf('waiting')

/**
 * The trace reads its events from `table`, which holds them as columns (EventTable): its lists hold
 * rows of the table, not events. `addEvents` appends to the table and takes the new rows in;
 * `addRows` takes in rows already there (a replay, in its own order). A live run's table is the
 * store's, which the trace fills as batches come.
 */
export class RunTrace {
  readonly threads = new Map<number, ThreadTrack>()
  readonly processes = new Map<number, ProcessInfo>()
  readonly objects = new Map<string, ObjectTrack>()
  readonly links: LinkList = new LinkList(this)
  readonly prints: PrintLine[] = []
  readonly cpu: CpuSample[] = []
  /** Object keys by process and object id, each made once: a new string per event cost its hashing too. */
  private readonly objectKeys = new Map<number, Map<number, string>>()
  /** Who waited on each object (by object key), in order of when they started. */
  private readonly waits = new Map<string, WaitList>()
  private readonly noWaits = new WaitList(this)
  eventCount = 0
  /** The newest time seen. */
  nowUs = 0
  /** Set when the run has ended: its wall time. */
  endUs: number | null = null

  constructor(readonly table: EventTable = new EventTable()) {}

  /** The time the view runs to: the end, or the newest time while streaming. */
  get lastUs(): number {
    return this.endUs ?? this.nowUs
  }

  /** Adds events (or those from `from` to before `to`) to the table, and takes them in. */
  addEvents(events: readonly TraceEvent[], from = 0, to = events.length): void {
    const first = this.table.length
    this.table.append(events, from, to)
    for (let r = first; r < this.table.length; r++) this.addRow(r)
  }

  /** Takes in rows of the table (those of `rows` from `from` to before `to`), in that order. */
  addRows(rows: ArrayLike<number>, from = 0, to = rows.length): void {
    for (let k = from; k < to; k++) this.addRow(rows[k])
  }

  addCpu(samples: readonly CpuSample[], from = 0, to = samples.length): void {
    for (let i = from; i < to; i++) {
      const s = samples[i]
      this.cpu.push(s)
      if (s.tUs > this.nowUs) this.nowUs = s.tUs
    }
  }

  addThreadCpu(samples: readonly ThreadCpuSample[], from = 0, to = samples.length): void {
    for (let i = from; i < to; i++) {
      const s = samples[i]
      const t = this.threads.get(threadKey(s.pid, s.tid))
      if (!t) continue
      t.cpuUs = s.cpuUs
      t.lastCore = s.core
      if (s.tUs >= (t.cpuSampleUs.at(-1) ?? -Infinity)) {
        t.cpuSampleUs.push(s.tUs)
        t.cpuSampleCpuUs.push(s.cpuUs)
      }
    }
  }

  setProcess(info: ProcessInfo): void {
    this.processes.set(info.pid, info)
  }

  /** Ends the trace at the run's wall time: open slices close there. Its lists stop growing. */
  end(wallUs: number): void {
    this.endUs = Math.max(wallUs, this.nowUs)
    for (const t of this.threads.values()) {
      for (const list of [t.events.rows, t.slices.rows, t.slices.ends, t.ops.rows]) list.trim()
    }
    for (const o of this.objects.values()) o.steps.rows.trim()
    for (const w of this.waits.values()) {
      w.rows.trim()
      w.slices.trim()
    }
    this.links.rows.trim()
  }

  /** Where an arrow starts: the thread and time of its cause, once that event has arrived. */
  causeOf(link: Pick<CausalLink, 'causeId'>): { threadKey: number; tUs: number } | null {
    return this.eventAt(link.causeId)
  }

  /** The thread and time of the event with this id (`eventId`), once it has arrived; else null. */
  eventAt(id: number): { threadKey: number; tUs: number } | null {
    // splitEventId, without the objects it makes: the arrows ask this once each.
    const key = Math.floor(id / SEQ_SPAN)
    const seq = id % SEQ_SPAN
    const t = this.threads.get(key)
    if (!t) return null
    const table = this.table
    const rows = t.events.rows.data
    const n = t.events.length
    // A thread's events arrive in seq order from 0, so its seq is mostly its place in the list.
    if (seq < n && table.seqOf(rows[seq]) === seq)
      return { threadKey: key, tUs: table.columns.tUs[rows[seq]] }
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (table.seqOf(rows[mid]) < seq) lo = mid + 1
      else hi = mid
    }
    return lo < n && table.seqOf(rows[lo]) === seq
      ? { threadKey: key, tUs: table.columns.tUs[rows[lo]] }
      : null
  }

  /** The line a thread was on at `atUs`: that of its latest event then with a line, or 0 if none. */
  lineAt(key: number, atUs: number): number {
    const t = this.threads.get(key)
    if (!t) return 0
    const c = this.table.columns
    const rows = t.events.rows.data
    for (let i = t.events.lastAtOrBefore(atUs); i >= 0; i--) {
      const type = c.type[rows[i]]
      if ((type === STATE || type === OP || type === PRINT) && c.line[rows[i]] > 0) return c.line[rows[i]]
    }
    return 0
  }

  /** The CPU time a thread had used by `atUs`, from its latest sample then. */
  cpuUsAt(key: number, atUs: number): number {
    const t = this.threads.get(key)
    if (!t) return 0
    const i = lastAtOrBefore(t.cpuSampleUs, atUs)
    return i < 0 ? 0 : t.cpuSampleCpuUs[i]
  }

  /** The threads that blocked or waited on an object, in order of when they started to. */
  waitsOn(objectKey: string): WaitList {
    return this.waits.get(objectKey) ?? this.noWaits
  }

  /** A thread as people name it: with its process's name once there is more than one process. */
  threadLabel(key: number): string {
    const t = this.threads.get(key)
    if (!t) return 'unknown thread'
    if (!this.severalProcesses()) return t.name
    const process = this.processes.get(t.pid)?.name ?? `Process ${t.pid}`
    return `${process}/${t.name}`
  }

  private severalProcesses(): boolean {
    if (this.processes.size > 1) return true
    let pid: number | null = null
    for (const t of this.threads.values()) {
      if (pid !== null && t.pid !== pid) return true
      pid = t.pid
    }
    return false
  }

  /** A short name for tight places: a process's name for its MainThread, else the thread's name without its target. */
  shortThreadLabel(key: number): string {
    const t = this.threads.get(key)
    if (!t) return '?'
    if (this.severalProcesses() && t.tid === 0) return this.processes.get(t.pid)?.name ?? `Process ${t.pid}`
    return t.name.replace(/ \(.*\)$/, '')
  }

  /** The earliest time anything happened: where the picture starts. */
  get firstUs(): number {
    let first = Infinity
    for (const t of this.threads.values()) first = Math.min(first, t.startUs)
    return first === Infinity ? 0 : first
  }

  /** What the lane layout needs: processes (known or seen) with their threads and lane objects. */
  laneProcesses(): LaneProcess[] {
    const byPid = new Map<number, LaneProcess & { threads: LaneThread[]; objects: LaneObject[] }>()
    const ensure = (pid: number) => {
      let p = byPid.get(pid)
      if (!p) {
        const name = this.processes.get(pid)?.name ?? (pid === 0 ? 'MainProcess' : `Process ${pid}`)
        byPid.set(pid, (p = { pid, name, threads: [], objects: [] }))
      }
      return p
    }
    for (const pid of this.processes.keys()) ensure(pid)
    for (const t of this.threads.values())
      ensure(t.pid).threads.push({ key: t.key, tid: t.tid, name: t.name })
    for (const o of this.laneObjects()) {
      ensure(o.pid).objects.push({ key: o.key, kind: o.kind, name: o.name })
    }
    return [...byPid.values()].sort((a, b) => a.pid - b.pid)
  }

  /** Objects that get a lane: kinds threads block on or pass data through, that were used. */
  laneObjects(): ObjectTrack[] {
    return [...this.objects.values()].filter((o) => LANE_KINDS.has(o.kind) && o.steps.length > 0)
  }

  /** An object's key, each made once (by process and object id). */
  objectKeyOf(pid: number, obj: number): string {
    let byObj = this.objectKeys.get(pid)
    if (!byObj) this.objectKeys.set(pid, (byObj = new Map()))
    let key = byObj.get(obj)
    if (key === undefined) byObj.set(obj, (key = objectKey(pid, obj)))
    return key
  }

  private addRow(r: number): void {
    const table = this.table
    const c = table.columns
    this.eventCount++
    const tUs = c.tUs[r]
    if (tUs > this.nowUs) this.nowUs = tUs
    const pid = c.pid[r]
    const tid = c.tid[r]
    const key = threadKey(pid, tid)
    const type = c.type[r]
    let t = this.threads.get(key)
    if (type === START) {
      t = this.ensureThread(pid, tid, tUs)
      t.events.rows.push(r)
      t.name = table.strings[c.str[r]]
      t.daemon = c.code[r] === 1
      t.startUs = Math.min(t.startUs, tUs)
      return
    }
    t ??= this.ensureThread(pid, tid, tUs)
    t.events.rows.push(r)
    switch (type) {
      case STATE: {
        const slices = t.slices
        closeLast(slices, r)
        const state = c.code[r]
        if (state !== FINISHED) {
          const index = slices.length
          slices.rows.push(r)
          slices.ends.push(OPEN_SLICE)
          const obj = table.objOf(r)
          if (obj !== null && (state === BLOCKED || state === WAITING)) {
            const waitedOn = this.objectKeyOf(pid, obj)
            let waits = this.waits.get(waitedOn)
            if (!waits) this.waits.set(waitedOn, (waits = new WaitList(this)))
            // The timeline's index of these waits (if made) reads them again from there.
            waitInsertedAt(waits, waits.insertWait(r, index))
          }
        }
        break
      }
      case OP: {
        t.ops.rows.push(r)
        const ok = this.objectKeyOf(pid, table.objOf(r) as number)
        const track = this.objects.get(ok)
        if (track) {
          // Threads' batches arrive out of step with each other: keep the steps in time order.
          const at = track.steps.insertByTime(r)
          stepInsertedAt(track, at)
          track.maxLevel = Math.max(track.maxLevel, objectLevel(track.kind, table.states[c.more[r]]) ?? 0)
        }
        if (c.ref[r] >= 0) this.links.rows.push(r)
        break
      }
      case OBJECT: {
        const obj = table.objOf(r) as number
        const ok = this.objectKeyOf(pid, obj)
        if (!this.objects.has(ok)) {
          this.objects.set(ok, {
            key: ok,
            obj,
            pid,
            kind: OBJECT_KINDS[c.code[r]],
            name: table.strings[c.str[r]],
            size: table.refOf(r),
            steps: new StepList(this),
            maxLevel: 0,
          })
        }
        break
      }
      case PRINT: {
        const line = { tUs, threadKey: key, text: table.strings[c.str[r]] }
        this.prints.push(line)
        t.prints.push(line)
        break
      }
      case END: {
        closeLast(t.slices, r)
        t.endUs = tUs
        t.error = table.stringOf(c.str[r])
        break
      }
    }
  }

  private ensureThread(pid: number, tid: number, tUs: number): ThreadTrack {
    const key = threadKey(pid, tid)
    let t = this.threads.get(key)
    if (!t) {
      t = {
        key,
        pid,
        tid,
        name: tid === 0 ? 'MainThread' : `Thread ${tid}`,
        daemon: false,
        startUs: tUs,
        endUs: null,
        error: null,
        slices: new SliceList(this),
        ops: new EventList<OpEvent>(this),
        events: new EventList(this),
        prints: [],
        cpuUs: 0,
        lastCore: null,
        cpuSampleUs: [],
        cpuSampleCpuUs: [],
      }
      this.threads.set(key, t)
    }
    return t
  }
}

/** Ends a thread's open slice, if it has one, at row `r`'s event. */
function closeLast(slices: SliceList, r: number): void {
  const last = slices.length - 1
  if (last >= 0 && slices.ends.data[last] === OPEN_SLICE) slices.ends.data[last] = r
}

/** Index of the last value <= x in a sorted array, or -1. */
export function lastAtOrBefore(sorted: readonly number[], x: number): number {
  return lastAtOrBeforeBy(sorted, x, (v) => v)
}

/** Index of the last item whose `at(item)` is <= x, in items sorted by it, or -1. */
export function lastAtOrBeforeBy<T>(items: readonly T[], x: number, at: (item: T) => number): number {
  let lo = 0
  let hi = items.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (at(items[mid]) <= x) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}
