/**
 * Causal links indexed by time, for the arrows in view without a pass over every link. Links are
 * appended as their operations arrive, in no order of time, and an arrow can only be placed once
 * its cause has arrived too. So the index takes new links lazily (when the trace has more events
 * than it saw) and keeps those whose cause is missing aside until it comes. An arrow spans from
 * the earlier of its two ends to the later; arrows are kept in classes by how long they are (under
 * 1 µs, under 2, 4, 8 µs, ...), each sorted by its earlier end, so a window finds those that reach
 * into it with a binary search per class: a long arrow never makes the short ones be scanned.
 * How many reach into a window is counted from those searches too, and thinning them out visits
 * only the ones kept, so a window of seventy thousand arrows costs what the drawn ones do.
 * A link within one thread draws no arrow and is left out.
 * The classes hold numbers only (arrays of them, by arrow), not an object an arrow: a million-event
 * run has a hundred thousand arrows or more, and a visit makes the one it hands over.
 */
import type { RunTrace } from '../trace/runTrace'

export interface PlacedLink {
  /** The link's index in the trace's links (`trace.links.at(index)` for the rest of it). */
  index: number
  /** The cause's thread and time. */
  fromKey: number
  fromUs: number
  /** The operation's thread and time. */
  toKey: number
  toUs: number
}

interface LengthClass {
  /** The earlier end of each arrow, ascending. */
  lo: number[]
  /** Each arrow's link (its index in the trace's links). */
  index: number[]
}

export class LinkIndex {
  private readonly classes: LengthClass[] = []
  /** Links of the trace taken so far. */
  private seen = 0
  /** Links whose cause had not arrived, by their index in the trace's links. */
  private waiting: number[] = []
  private seenEvents = -1
  size = 0

  constructor(private readonly trace: RunTrace) {}

  private sync(): void {
    const trace = this.trace
    if (trace.eventCount === this.seenEvents) return
    this.seenEvents = trace.eventCount
    const still: number[] = []
    for (const i of this.waiting) if (!this.place(i)) still.push(i)
    for (; this.seen < trace.links.length; this.seen++) if (!this.place(this.seen)) still.push(this.seen)
    this.waiting = still
  }

  private place(i: number): boolean {
    const links = this.trace.links
    const cause = this.trace.eventAt(links.causeId(i))
    if (!cause) return false
    if (cause.threadKey === links.threadKey(i)) return true
    const toUs = links.tUs(i)
    const lo = Math.min(cause.tUs, toUs)
    const length = Math.max(cause.tUs, toUs) - lo
    const c = length < 1 ? 0 : Math.floor(Math.log2(length)) + 1
    while (this.classes.length <= c) this.classes.push({ lo: [], index: [] })
    const k = this.classes[c]
    // Mostly in order: from the end.
    let at = k.lo.length
    while (at > 0 && k.lo[at - 1] > lo) at--
    k.lo.splice(at, 0, lo)
    k.index.splice(at, 0, i)
    this.size++
    return true
  }

  /** Arrow `k` of class `c`, as a PlacedLink (its cause has arrived: it was placed). */
  private placed(c: LengthClass, k: number): PlacedLink {
    const i = c.index[k]
    const links = this.trace.links
    const cause = this.trace.eventAt(links.causeId(i)) as { threadKey: number; tUs: number }
    return {
      index: i,
      fromKey: cause.threadKey,
      fromUs: cause.tUs,
      toKey: links.threadKey(i),
      toUs: links.tUs(i),
    }
  }

  /**
   * The later end of arrow `k` of class `c`: its operation's time, unless that is its earlier end
   * (a cause stamped later than its effect, by another process's clock), when it is the cause's.
   */
  private hiUs(c: LengthClass, k: number): number {
    const i = c.index[k]
    const links = this.trace.links
    const toUs = links.tUs(i)
    if (toUs > c.lo[k]) return toUs
    return (this.trace.eventAt(links.causeId(i)) as { tUs: number }).tUs
  }

  /** Arrows of class `c` are shorter than this: any that reaches `fromUs` starts after fromUs minus it. */
  private static reach(c: number): number {
    return c === 0 ? 1 : 2 ** c
  }

  /** How many placed links reach into `fromUs` to `toUs`. */
  countIn(fromUs: number, toUs: number): number {
    this.sync()
    let count = 0
    for (let c = 0; c < this.classes.length; c++) {
      const k = this.classes[c]
      const { lo } = k
      const first = firstAtOrAfter(lo, fromUs - LinkIndex.reach(c))
      const inside = firstAtOrAfter(lo, fromUs)
      const end = firstAfter(lo, toUs)
      // Those starting inside the window reach into it; of those starting before, the long enough.
      count += Math.max(0, end - inside)
      for (let j = first; j < Math.min(inside, end); j++) {
        if (this.hiUs(k, j) >= fromUs) count++
      }
    }
    return count
  }

  /**
   * Visits the placed links that reach into `fromUs` to `toUs`, class by class; with `every`, only
   * those whose place in their class is a multiple of it (the same ones while the window moves).
   */
  forEachIn(fromUs: number, toUs: number, visit: (placed: PlacedLink) => void, every = 1): void {
    this.sync()
    for (let c = 0; c < this.classes.length; c++) {
      const k = this.classes[c]
      const { lo } = k
      const first = firstAtOrAfter(lo, fromUs - LinkIndex.reach(c))
      for (let j = Math.ceil(first / every) * every; j < lo.length && lo[j] <= toUs; j += every) {
        if (this.hiUs(k, j) >= fromUs) visit(this.placed(k, j))
      }
    }
  }
}

function firstAtOrAfter(sorted: readonly number[], x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

function firstAfter(sorted: readonly number[], x: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] <= x) lo = mid + 1
    else hi = mid
  }
  return lo
}

const indices = new WeakMap<RunTrace, LinkIndex>()

/** The trace's link index, made on first use and kept with it. */
export function linkIndexOf(trace: RunTrace): LinkIndex {
  let index = indices.get(trace)
  if (!index) indices.set(trace, (index = new LinkIndex(trace)))
  return index
}
