/**
 * A run as the timeline needs it, built incrementally from the stream's batches: per thread, its
 * state slices and the program lines it passed; causal links; objects' states over time; output; CPU.
 * Plain data, no Vue and no DOM: the store holds one in a shallowRef and triggers it per batch.
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
import { eventId, objectKey, OBJECT_KINDS, threadKey } from '../../../shared/trace'
import type { LaneObject, LaneProcess, LaneThread } from '../timeline/laneLayout'
import { stepInsertedAt } from '../timeline/levelIndex'
import { objectLevel } from '../timeline/objectLevel'
import { waitInsertedAt } from '../timeline/waitIndex'

/** A span of one state. `endUs` is Infinity while the thread is still in it. */
export interface Slice {
  startUs: number
  endUs: number
  state: ThreadState
  /** The object waited on (blocked, waiting), as an object key; null otherwise. */
  objectKey: string | null
  line: number
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
  slices: Slice[]
  /** The operations it did, in time order (for markers, hover and the arrows' ends). */
  ops: OpEvent[]
  /** Program lines it passed, in time order: `lineUs[i]` is when it was at `lines[i]`. */
  lineUs: number[]
  lines: number[]
  /** What it printed, in time order. */
  prints: PrintLine[]
  /** Its CPU time by the latest sample, and the core it last ran on. */
  cpuUs: number
  lastCore: number | null
  /** Its CPU time over the run: by `cpuSampleUs[i]`, it had used `cpuSampleCpuUs[i]`. */
  cpuSampleUs: number[]
  cpuSampleCpuUs: number[]
  /**
   * When each of its events happened, by its seq: where arrows from them start (`causeOf`). Kept per
   * thread rather than in one map by event id, which cost most of the time a large recording took.
   */
  eventUs: number[]
}

/** One value of an object's state from `startUs` on. */
export interface ObjectStep {
  startUs: number
  after: Record<string, number | null>
  op: string
  threadKey: number
}

export interface ObjectTrack {
  key: string
  obj: number
  pid: number
  kind: ObjectKind
  name: string
  size: number
  steps: ObjectStep[]
  /** The highest level (objectLevel) it reached: the top of its lane. */
  maxLevel: number
}

/** An arrow: the event `causeId` let the op at (`toKey`, `toUs`) happen. */
export interface CausalLink {
  causeId: number
  toKey: number
  toUs: number
  op: string
  objectKey: string
}

/** A thread blocked or waiting on an object, for as long as `slice` lasts. */
export interface Wait {
  threadKey: number
  slice: Slice
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

export class RunTrace {
  readonly threads = new Map<number, ThreadTrack>()
  readonly processes = new Map<number, ProcessInfo>()
  readonly objects = new Map<string, ObjectTrack>()
  readonly links: CausalLink[] = []
  readonly prints: PrintLine[] = []
  readonly cpu: CpuSample[] = []
  /** Object keys by process and object id, each made once: a new string per event cost its hashing too. */
  private readonly objectKeys = new Map<number, Map<number, string>>()
  /** Who waited on each object (by object key), in order of when they started. */
  private readonly waits = new Map<string, Wait[]>()
  eventCount = 0
  /** The newest time seen. */
  nowUs = 0
  /** Set when the run has ended: its wall time. */
  endUs: number | null = null

  /** The time the view runs to: the end, or the newest time while streaming. */
  get lastUs(): number {
    return this.endUs ?? this.nowUs
  }

  /** Adds events (or those from `from` to before `to`: a replay adds its sorted events in runs). */
  addEvents(events: readonly TraceEvent[], from = 0, to = events.length): void {
    for (let i = from; i < to; i++) this.addEvent(events[i])
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

  /** Ends the trace at the run's wall time: open slices close there. */
  end(wallUs: number): void {
    this.endUs = Math.max(wallUs, this.nowUs)
    for (const t of this.threads.values()) {
      const last = t.slices.at(-1)
      if (last && last.endUs === Infinity) last.endUs = this.endUs
    }
  }

  /** Where an arrow starts: the thread and time of its cause, once that event has arrived. */
  causeOf(link: CausalLink): { threadKey: number; tUs: number } | null {
    // splitEventId, without the objects it makes: the arrows ask this once each per draw.
    const key = Math.floor(link.causeId / SEQ_SPAN)
    const tUs = this.threads.get(key)?.eventUs[link.causeId % SEQ_SPAN]
    return tUs === undefined ? null : { threadKey: key, tUs }
  }

  /** The line a thread was on at `atUs`: that of its latest event then, or 0 if none. */
  lineAt(key: number, atUs: number): number {
    const t = this.threads.get(key)
    if (!t) return 0
    const i = lastAtOrBefore(t.lineUs, atUs)
    return i < 0 ? 0 : t.lines[i]
  }

  /** The CPU time a thread had used by `atUs`, from its latest sample then. */
  cpuUsAt(key: number, atUs: number): number {
    const t = this.threads.get(key)
    if (!t) return 0
    const i = lastAtOrBefore(t.cpuSampleUs, atUs)
    return i < 0 ? 0 : t.cpuSampleCpuUs[i]
  }

  /** The threads that blocked or waited on an object, in order of when they started to. */
  waitsOn(objectKey: string): readonly Wait[] {
    return this.waits.get(objectKey) ?? []
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

  private addEvent(e: TraceEvent): void {
    this.eventCount++
    if (e.tUs > this.nowUs) this.nowUs = e.tUs
    const key = threadKey(e.pid, e.tid)
    let t = this.threads.get(key)
    if (e.type === 'thread-start') {
      t = this.ensureThread(e.pid, e.tid, e.tUs)
      t.eventUs[e.seq] = e.tUs
      t.name = e.name
      t.daemon = e.daemon
      t.startUs = Math.min(t.startUs, e.tUs)
      return
    }
    t ??= this.ensureThread(e.pid, e.tid, e.tUs)
    t.eventUs[e.seq] = e.tUs
    switch (e.type) {
      case 'state': {
        const last = t.slices.at(-1)
        if (last && last.endUs === Infinity) last.endUs = Math.max(last.startUs, e.tUs)
        if (e.state !== 'finished') {
          const waitedOn = e.obj === null ? null : this.objectKeyOf(e.pid, e.obj)
          const slice: Slice = {
            startUs: e.tUs,
            endUs: Infinity,
            state: e.state,
            objectKey: waitedOn,
            line: e.line,
          }
          t.slices.push(slice)
          if (waitedOn !== null && (e.state === 'blocked' || e.state === 'waiting')) {
            let waits = this.waits.get(waitedOn)
            if (!waits) this.waits.set(waitedOn, (waits = []))
            // The timeline's index of these waits (if made) reads them again from there.
            const at = insertByTime(waits, { threadKey: key, slice }, (w) => w.slice.startUs)
            waitInsertedAt(waits, at)
          }
        }
        this.passLine(t, e.tUs, e.line)
        break
      }
      case 'op': {
        t.ops.push(e)
        this.passLine(t, e.tUs, e.line)
        const ok = this.objectKeyOf(e.pid, e.obj)
        const track = this.objects.get(ok)
        if (track) {
          // Threads' batches arrive out of step with each other: keep the steps in time order.
          const at = insertByTime(
            track.steps,
            { startUs: e.tUs, after: e.after, op: e.op, threadKey: key },
            (s) => s.startUs,
          )
          stepInsertedAt(track, at)
          track.maxLevel = Math.max(track.maxLevel, objectLevel(track.kind, e.after) ?? 0)
        }
        if (e.cause !== null)
          this.links.push({ causeId: e.cause, toKey: key, toUs: e.tUs, op: e.op, objectKey: ok })
        break
      }
      case 'object': {
        const ok = objectKey(e.pid, e.obj)
        if (!this.objects.has(ok)) {
          this.objects.set(ok, {
            key: ok,
            obj: e.obj,
            pid: e.pid,
            kind: e.kind,
            name: e.name,
            size: e.size,
            steps: [],
            maxLevel: 0,
          })
        }
        break
      }
      case 'print': {
        const line = { tUs: e.tUs, threadKey: key, text: e.text }
        this.prints.push(line)
        t.prints.push(line)
        this.passLine(t, e.tUs, e.line)
        break
      }
      case 'thread-end': {
        const last = t.slices.at(-1)
        if (last && last.endUs === Infinity) last.endUs = Math.max(last.startUs, e.tUs)
        t.endUs = e.tUs
        t.error = e.error
        break
      }
      case 'result':
        break
    }
  }

  private objectKeyOf(pid: number, obj: number): string {
    let byObj = this.objectKeys.get(pid)
    if (!byObj) this.objectKeys.set(pid, (byObj = new Map()))
    let key = byObj.get(obj)
    if (key === undefined) byObj.set(obj, (key = objectKey(pid, obj)))
    return key
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
        slices: [],
        ops: [],
        lineUs: [],
        lines: [],
        prints: [],
        cpuUs: 0,
        lastCore: null,
        cpuSampleUs: [],
        cpuSampleCpuUs: [],
        eventUs: [],
      }
      this.threads.set(key, t)
    }
    return t
  }

  private passLine(t: ThreadTrack, tUs: number, line: number): void {
    if (line > 0) {
      t.lineUs.push(tUs)
      t.lines.push(line)
    }
  }
}

/**
 * Inserts `item` after every item at or before its time; from the end, since most come in order.
 * Returns where it went.
 */
function insertByTime<T>(items: T[], item: T, at: (item: T) => number): number {
  const tUs = at(item)
  let i = items.length
  while (i > 0 && at(items[i - 1]) > tUs) i--
  if (i === items.length) items.push(item)
  else items.splice(i, 0, item)
  return i
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
