/**
 * A recording played back: the run's trace as it stood at a moment, built by feeding the recorded
 * events into a RunTrace in time order, as the live stream did. Forward moves add what happened
 * since; a move back starts again from the beginning (a few ms for a hundred thousand events).
 */
import {
  threadKey,
  type CpuSample,
  type ProcessInfo,
  type RunRecord,
  type ThreadCpuSample,
  type TraceEvent,
} from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'

/** Sorted by time, stable, so that one thread's events keep their recorded order. */
function byTime<T extends { tUs: number }>(items: readonly T[]): T[] {
  let sorted = true
  for (let i = 1; i < items.length && sorted; i++) sorted = items[i - 1].tUs <= items[i].tUs
  if (sorted) return [...items]
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.tUs - b.item.tUs || a.i - b.i)
    .map(({ item }) => item)
}

/**
 * Events in time order, each thread's in its recorded order: a thread's event is placed no earlier
 * than the ones it recorded before it (an op stamped by the broker can carry an earlier time).
 * Equal times keep the file's order.
 *
 * So each thread's events, with those times, are already in order: this merges the threads' lists
 * (a heap of threads by their next event) rather than sorting the whole, which took about a second
 * for a million events.
 */
export function eventsByTime(events: readonly TraceEvent[]): TraceEvent[] {
  const n = events.length
  /** Each event's time as placed: never before its thread's earlier events. */
  const at = new Float64Array(n)
  /** Each thread's events, as indices into `events`, in recorded order. */
  const lists: number[][] = []
  const latest: number[] = []
  const listOf = new Map<number, number>()
  let lastKey = -1
  let list = -1
  for (let i = 0; i < n; i++) {
    const e = events[i]
    const key = threadKey(e.pid, e.tid)
    if (key !== lastKey) {
      lastKey = key
      const known = listOf.get(key)
      if (known === undefined) {
        list = lists.length
        listOf.set(key, list)
        lists.push([])
        latest.push(0)
      } else list = known
    }
    const t = Math.max(latest[list], e.tUs)
    latest[list] = t
    at[i] = t
    lists[list].push(i)
  }

  // A min-heap of lists, by their next event's (time, index); `next[l]` is where list l is.
  const next = new Int32Array(lists.length)
  const heap = lists.map((_, l) => l)
  const headOf = (l: number): number => lists[l][next[l]]
  const before = (a: number, b: number): boolean => {
    const ia = headOf(a)
    const ib = headOf(b)
    return at[ia] < at[ib] || (at[ia] === at[ib] && ia < ib)
  }
  const siftDown = (from: number): void => {
    let i = from
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) return
      const right = left + 1
      const child = right < heap.length && before(heap[right], heap[left]) ? right : left
      if (!before(heap[child], heap[i])) return
      ;[heap[i], heap[child]] = [heap[child], heap[i]]
      i = child
    }
  }
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i)

  const out: TraceEvent[] = new Array<TraceEvent>(n)
  for (let k = 0; k < n; k++) {
    const l = heap[0]
    out[k] = events[headOf(l)]
    if (++next[l] === lists[l].length) {
      const last = heap.pop() as number
      if (heap.length === 0) break
      if (l !== last) heap[0] = last
    }
    siftDown(0)
  }
  return out
}

/** Index of the first item later than `tUs`, from `from` on. */
function endOf(items: readonly { tUs: number }[], from: number, tUs: number): number {
  let i = from
  while (i < items.length && items[i].tUs <= tUs) i++
  return i
}

export class Replay {
  readonly durationUs: number
  private readonly events: TraceEvent[]
  private readonly cpu: CpuSample[]
  private readonly threadCpu: ThreadCpuSample[]
  private trace = new RunTrace()
  private at = { events: 0, cpu: 0, threadCpu: 0 }
  private atUs = -1

  constructor(private readonly record: RunRecord) {
    this.events = eventsByTime(record.events)
    this.cpu = byTime(record.cpu)
    this.threadCpu = byTime(record.threadCpu)
    this.durationUs = Math.max(record.outcome.wallUs, this.events.at(-1)?.tUs ?? 0, this.cpu.at(-1)?.tUs ?? 0)
  }

  /** Where the first thread starts: a replay begins just before it. */
  get firstUs(): number {
    return this.events[0]?.tUs ?? 0
  }

  get playheadUs(): number {
    return Math.max(0, this.atUs)
  }

  get atEnd(): boolean {
    return this.atUs >= this.durationUs
  }

  /**
   * The trace as it was at `tUs` (clamped to the run). The same object while moving forward, a new
   * one after a move back: callers compare to know whether to rebuild what they derived from it.
   */
  seek(tUs: number): RunTrace {
    const to = Math.min(Math.max(0, tUs), this.durationUs)
    if (to < this.atUs) {
      this.trace = new RunTrace()
      this.at = { events: 0, cpu: 0, threadCpu: 0 }
    }
    const t = this.trace
    const events = endOf(this.events, this.at.events, to)
    const cpu = endOf(this.cpu, this.at.cpu, to)
    const threadCpu = endOf(this.threadCpu, this.at.threadCpu, to)
    for (const p of this.record.processes) {
      if (p.startUs <= to) t.setProcess(processAt(p, to))
    }
    t.addEvents(this.events, this.at.events, events)
    t.addCpu(this.cpu, this.at.cpu, cpu)
    t.addThreadCpu(this.threadCpu, this.at.threadCpu, threadCpu)
    this.at = { events, cpu, threadCpu }
    this.atUs = to
    t.nowUs = Math.max(t.nowUs, to)
    if (to >= this.durationUs && t.endUs === null) t.end(this.record.outcome.wallUs)
    return t
  }
}

/** A process as it stood at `tUs`: not yet ended if it ended later. */
function processAt(p: ProcessInfo, tUs: number): ProcessInfo {
  if (p.endUs === null || p.endUs <= tUs) return p
  return { ...p, endUs: null, exitCode: null, signal: null }
}
