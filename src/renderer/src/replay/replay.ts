/**
 * A recording played back: the run's trace as it stood at a moment, built by feeding the recorded
 * events into a RunTrace in time order, as the live stream did. Forward moves add what happened
 * since; a move back starts again from the beginning (a few ms for a hundred thousand events).
 * The events stay in their table (EventTable), which the trace reads its rows from: none is made
 * into an object to be fed.
 */
import {
  threadKey,
  type CpuSample,
  type ProcessInfo,
  type RunRecord,
  type ThreadCpuSample,
  type TraceEvent,
} from '../../../shared/trace'
import { EventTable, eventTableOf } from '../../../shared/eventTable'
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
 * The order to replay events in: by time, each thread's in its recorded order. A thread's event is
 * placed no earlier than the ones it recorded before it (an op stamped by the broker can carry an
 * earlier time). Equal times keep the recorded order. Returns the events' indices in that order.
 *
 * So each thread's events, with those times, are already in order: this merges the threads' lists
 * (a heap of threads by their next event) rather than sorting the whole, which took about a second
 * for a million events. It reads the fields as columns (an EventTable's), making no objects.
 */
export function timeOrder(
  n: number,
  tUs: ArrayLike<number>,
  pid: ArrayLike<number>,
  tid: ArrayLike<number>,
): Int32Array {
  /** Each event's time as placed: never before its thread's earlier events. */
  const at = new Float64Array(n)
  /** Each event's thread list, and each list's length. */
  const listOf = new Int32Array(n)
  const sizes: number[] = []
  const latest: number[] = []
  const listIds = new Map<number, number>()
  let lastKey = -1
  let list = -1
  for (let i = 0; i < n; i++) {
    const key = threadKey(pid[i], tid[i])
    if (key !== lastKey) {
      lastKey = key
      const known = listIds.get(key)
      if (known === undefined) {
        list = sizes.length
        listIds.set(key, list)
        sizes.push(0)
        latest.push(0)
      } else list = known
    }
    const t = Math.max(latest[list], tUs[i])
    latest[list] = t
    at[i] = t
    listOf[i] = list
    sizes[list]++
  }
  // Every list's events, in recorded order, one list after another in `members`.
  const starts = new Int32Array(sizes.length + 1)
  for (let l = 0; l < sizes.length; l++) starts[l + 1] = starts[l] + sizes[l]
  const members = new Int32Array(n)
  const fill = starts.slice(0, sizes.length)
  for (let i = 0; i < n; i++) members[fill[listOf[i]]++] = i

  // A min-heap of lists, by their next event's (time, index): `next[l]` is where list l is, and
  // `headAt[l]`, `headOf[l]` that event's placed time and index, kept at hand for the comparisons.
  const lists = sizes.length
  const next = starts.slice(0, lists)
  const headAt = new Float64Array(lists)
  const headOf = new Int32Array(lists)
  for (let l = 0; l < lists; l++) {
    headOf[l] = members[next[l]]
    headAt[l] = at[headOf[l]]
  }
  const heap = Int32Array.from(sizes, (_, l) => l)
  let size = lists
  const before = (a: number, b: number): boolean =>
    headAt[a] < headAt[b] || (headAt[a] === headAt[b] && headOf[a] < headOf[b])
  const siftDown = (from: number): void => {
    let i = from
    const l = heap[i]
    for (;;) {
      const left = 2 * i + 1
      if (left >= size) break
      const right = left + 1
      const child = right < size && before(heap[right], heap[left]) ? right : left
      if (!before(heap[child], l)) break
      heap[i] = heap[child]
      i = child
    }
    heap[i] = l
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i)

  const out = new Int32Array(n)
  for (let k = 0; k < n; k++) {
    const l = heap[0]
    out[k] = headOf[l]
    if (++next[l] === starts[l + 1]) {
      if (--size === 0) break
      heap[0] = heap[size]
    } else {
      headOf[l] = members[next[l]]
      headAt[l] = at[headOf[l]]
    }
    siftDown(0)
  }
  return out
}

/** Events in time order, as `timeOrder` places them. */
export function eventsByTime(events: readonly TraceEvent[]): TraceEvent[] {
  const n = events.length
  const tUs = new Float64Array(n)
  const pid = new Float64Array(n)
  const tid = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    tUs[i] = events[i].tUs
    pid[i] = events[i].pid
    tid[i] = events[i].tid
  }
  return Array.from(timeOrder(n, tUs, pid, tid), (i) => events[i])
}

/** Index of the first item later than `tUs`, from `from` on. */
function endOf(items: readonly { tUs: number }[], from: number, tUs: number): number {
  let i = from
  while (i < items.length && items[i].tUs <= tUs) i++
  return i
}

export class Replay {
  readonly durationUs: number
  /** The events, as a table, and the order to play them in (rows of the table). */
  private readonly table: EventTable
  /**
   * Null once every event has been fed (4 bytes an event, kept only while it is needed): a move
   * back makes it again (timeOrder, about a tenth of a second for a million events).
   */
  private order: Int32Array | null
  readonly firstUs: number
  private readonly cpu: CpuSample[]
  private readonly threadCpu: ThreadCpuSample[]
  private trace: RunTrace
  private at = { events: 0, cpu: 0, threadCpu: 0 }
  private atUs = -1

  /** `table`: the record's events, if held in one already (a recording opened in the page). */
  constructor(
    private readonly record: RunRecord,
    table = eventTableOf(record) ?? EventTable.fromEvents(record.events),
  ) {
    this.table = table
    this.trace = new RunTrace(table)
    const c = table.columns
    this.order = timeOrder(table.length, c.tUs, c.pid, c.tid)
    this.cpu = byTime(record.cpu)
    this.threadCpu = byTime(record.threadCpu)
    const lastEventUs = this.order.length ? c.tUs[this.order[this.order.length - 1]] : 0
    this.durationUs = Math.max(record.outcome.wallUs, lastEventUs, this.cpu.at(-1)?.tUs ?? 0)
    // Where the first thread starts: a replay begins just before it.
    this.firstUs = this.order.length ? c.tUs[this.order[0]] : 0
  }

  private playOrder(): Int32Array {
    const c = this.table.columns
    return (this.order ??= timeOrder(this.table.length, c.tUs, c.pid, c.tid))
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
      this.trace = new RunTrace(this.table)
      this.at = { events: 0, cpu: 0, threadCpu: 0 }
    }
    const t = this.trace
    const events = this.eventsEnd(this.at.events, to)
    const cpu = endOf(this.cpu, this.at.cpu, to)
    const threadCpu = endOf(this.threadCpu, this.at.threadCpu, to)
    for (const p of this.record.processes) {
      if (p.startUs <= to) t.setProcess(processAt(p, to))
    }
    t.addRows(this.playOrder(), this.at.events, events)
    t.addCpu(this.cpu, this.at.cpu, cpu)
    t.addThreadCpu(this.threadCpu, this.at.threadCpu, threadCpu)
    this.at = { events, cpu, threadCpu }
    this.atUs = to
    t.nowUs = Math.max(t.nowUs, to)
    if (to >= this.durationUs && t.endUs === null) t.end(this.record.outcome.wallUs)
    if (events === this.table.length) this.order = null
    return t
  }

  /** Index (in play order) of the first event later than `tUs`, from `from` on. */
  private eventsEnd(from: number, tUs: number): number {
    const times = this.table.columns.tUs
    if (from === this.table.length) return from
    const order = this.playOrder()
    let i = from
    while (i < order.length && times[order[i]] <= tUs) i++
    return i
  }
}

/** A process as it stood at `tUs`: not yet ended if it ended later. */
function processAt(p: ProcessInfo, tUs: number): ProcessInfo {
  if (p.endUs === null || p.endUs <= tUs) return p
  return { ...p, endUs: null, exitCode: null, signal: null }
}
