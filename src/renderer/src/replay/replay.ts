/**
 * A recording played back: the run's trace as it stood at a moment, built by feeding the recorded
 * events into a RunTrace in time order, as the live stream did. Forward moves add what happened
 * since; a move back starts again from the beginning (a few ms for a hundred thousand events).
 */
import type { CpuSample, ProcessInfo, RunRecord, ThreadCpuSample, TraceEvent } from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'

/** Sorted by time, stable, so that one thread's events keep their recorded order. */
function byTime<T extends { tUs: number }>(items: readonly T[]): T[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => a.item.tUs - b.item.tUs || a.i - b.i)
    .map(({ item }) => item)
}

/**
 * Events in time order, each thread's in its recorded order: a thread's event is placed no earlier
 * than the ones it recorded before it (an op stamped by the broker can carry an earlier time).
 */
function eventsByTime(events: readonly TraceEvent[]): TraceEvent[] {
  const latest = new Map<string, number>()
  const keyed = events.map((e, i) => {
    const thread = `${e.pid}:${e.tid}`
    const t = Math.max(latest.get(thread) ?? 0, e.tUs)
    latest.set(thread, t)
    return { e, t, i }
  })
  keyed.sort((a, b) => a.t - b.t || a.i - b.i)
  return keyed.map(({ e }) => e)
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
    t.addEvents(this.events.slice(this.at.events, events))
    t.addCpu(this.cpu.slice(this.at.cpu, cpu))
    t.addThreadCpu(this.threadCpu.slice(this.at.threadCpu, threadCpu))
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
