/**
 * Wake latencies read from a run's trace (pure, so tests/benchFigures.test.ts can check it on a
 * hand-made trace). A wake is an operation that ended a wait and names its cause: an acquire let in
 * by a release, a wait ended by a notify. Its latency runs from the waker's mark (a read of a
 * variable named MARK, the waker's event just before the release or notify) to the woken thread's
 * next `running` state, both on the run's single clock.
 */
import { eventId, type TraceEvent } from '../src/shared/trace'

export interface Wake {
  /** When the waker called release() or notify(): its mark's time, µs. */
  callUs: number
  /** The release's or notify's own event (a brokered one carries the broker's time), µs. */
  causeUs: number
  /** The woken operation's event (the acquire, the wait), µs. */
  wokenUs: number
  /** When the woken thread ran again, µs. */
  runningUs: number
  latencyUs: number
  /**
   * When the waker itself blocked or waited right after the release or notify (in its next call), µs;
   * null if it did not. A woken thread that finds no free core runs once its waker parks.
   */
  wakerParkedUs: number | null
  /** Whether the woken thread blocked again before it ran: a condition's lock still held by its notifier, or the GIL. */
  blockedAgain: boolean
}

export function findWakes(events: readonly TraceEvent[], markName: string): Wake[] {
  const byId = new Map<number, TraceEvent>()
  /** Each thread's events by sequence number. */
  const threads = new Map<string, TraceEvent[]>()
  const marks = new Set<string>()
  for (const e of events) {
    byId.set(eventId(e.pid, e.tid, e.seq), e)
    const key = `${e.pid}:${e.tid}`
    let list = threads.get(key)
    if (!list) threads.set(key, (list = []))
    list[e.seq] = e
    if (e.type === 'object' && e.name === markName) marks.add(`${e.pid}:${e.obj}`)
  }
  const isMark = (e: TraceEvent | undefined): boolean =>
    e?.type === 'op' && e.op === 'read' && marks.has(`${e.pid}:${e.obj}`)

  const wakes: Wake[] = []
  for (const e of events) {
    if (e.type !== 'op' || e.cause === null || (e.op !== 'acquire' && e.op !== 'wait')) continue
    const cause = byId.get(e.cause)
    if (cause?.type !== 'op' || (cause.op !== 'release' && cause.op !== 'notify')) continue
    // The waker's mark must be its very event before the call: nothing else between them.
    const mark = threads.get(`${cause.pid}:${cause.tid}`)?.[cause.seq - 1]
    if (!mark || !isMark(mark)) continue
    const own = threads.get(`${e.pid}:${e.tid}`) ?? []
    let running: TraceEvent | undefined
    let blockedAgain = false
    for (let s = e.seq + 1; s < own.length; s++) {
      const next = own[s]
      if (next?.type === 'state' && next.state === 'running') {
        running = next
        break
      }
      if (next?.type === 'state') blockedAgain = true
      // Another operation before running again: this thread did not wait for the wake after all.
      if (next?.type === 'op' && next.op !== 'acquire') break
    }
    if (!running) continue
    const waker = threads.get(`${cause.pid}:${cause.tid}`) ?? []
    let wakerParkedUs: number | null = null
    for (let s = cause.seq + 1; s < waker.length; s++) {
      const next = waker[s]
      if (next?.type === 'state' && next.state !== 'running') {
        wakerParkedUs = next.tUs
        break
      }
      // Past its next call (other than a condition's wait letting go of its lock) without parking.
      if (next?.type === 'op' && next.op !== 'release') break
    }
    wakes.push({
      callUs: mark.tUs,
      causeUs: cause.tUs,
      wokenUs: e.tUs,
      runningUs: running.tUs,
      latencyUs: running.tUs - mark.tUs,
      wakerParkedUs,
      blockedAgain,
    })
  }
  return wakes.sort((a, b) => a.callUs - b.callUs)
}
