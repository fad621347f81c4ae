/**
 * A thread's slices for tests of what reads them (SliceList), made the way a run makes them: from
 * state events fed to a RunTrace, one thread, so the slices are the trace's own and not a copy.
 */
import type { ThreadState, TraceEvent } from '../../src/shared/trace'
import { RunTrace, type SliceList } from '../../src/renderer/src/trace/runTrace'

/** A slice as a test writes it: from, to (Infinity while open), in what state. */
export interface Span {
  startUs: number
  endUs: number
  state: ThreadState
}

/** One thread's state events, fed as a test goes: `begin` starts a slice, `finish` ends one without another. */
export class ThreadSlices {
  readonly trace = new RunTrace()
  private seq = 0

  constructor(startUs = 0) {
    this.feed({ type: 'thread-start', tUs: startUs, name: 'MainThread', daemon: false, parent: null })
  }

  get slices(): SliceList {
    return (this.trace.threads.get(0) as { slices: SliceList }).slices
  }

  /** A slice of `state` from `startUs` (the open one ends there). */
  begin(startUs: number, state: ThreadState): void {
    this.feed({ type: 'state', tUs: startUs, state, obj: null, line: 0 })
  }

  /** Ends the open slice at `endUs`. */
  finish(endUs: number): void {
    this.feed({ type: 'state', tUs: endUs, state: 'finished', obj: null, line: 0 })
  }

  private feed(event: Record<string, unknown>): void {
    this.trace.addEvents([{ pid: 0, tid: 0, seq: this.seq++, ...event } as TraceEvent])
  }
}

/** The slices of these spans (in time order; a gap between two ends the first with `finished`). */
export function sliceListOf(spans: readonly Span[]): SliceList {
  const thread = new ThreadSlices(spans[0]?.startUs ?? 0)
  spans.forEach((s, i) => {
    thread.begin(s.startUs, s.state)
    const next = spans[i + 1]
    if (s.endUs !== Infinity && (!next || next.startUs !== s.endUs)) thread.finish(s.endUs)
  })
  return thread.slices
}
