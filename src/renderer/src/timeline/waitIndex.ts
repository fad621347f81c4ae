/**
 * The waits on one object, indexed by time: which of them overlap a window, without a pass over
 * all of them (a long run has hundreds of thousands, and the lane and the tooltips ask per frame).
 * Waits are in order of their start (RunTrace keeps them so); their ends are in no order, so a
 * MaxPyramid of ends finds those still going at a time. An open wait (its slice not ended yet)
 * counts as endless until it ends; each answer checks the slice's real end.
 */
import type { Wait, WaitList } from '../trace/runTrace'
import { MaxPyramid } from './maxPyramid'

export class WaitIndex {
  private readonly ends: MaxPyramid
  /** The waits that were open when the ends were last read: read again once they end. */
  private open: number[] = []

  constructor(readonly waits: WaitList) {
    this.ends = new MaxPyramid(
      (i) => waits.endUs(i),
      (i) => waits.startUs(i),
    )
  }

  /** A wait was inserted at `i` (RunTrace says so; the rest shift). */
  insertedAt(i: number): void {
    this.ends.changedFrom(i)
  }

  private sync(): void {
    for (const i of this.open) {
      if (!(i < this.waits.length && this.waits.endUs(i) === Infinity)) this.ends.changedFrom(i)
    }
    this.ends.sync(this.waits.length)
    // At most one a thread: found through the pyramid, not a pass.
    this.open = []
    this.ends.forEachAbove(0, this.waits.length, Number.MAX_VALUE, (i) => void this.open.push(i))
  }

  /** Index of the first wait that starts after `tUs`. */
  private startingAfter(tUs: number): number {
    return this.ends.firstKeyAfter(tUs)
  }

  /** Index of the first wait that starts at or after `tUs`. */
  private startingFrom(tUs: number): number {
    return this.ends.firstKeyFrom(tUs)
  }

  /**
   * Visits the waits that overlap `fromUs` to before `toUs` (open ones end at `nowUs`), in order of
   * their start, until `visit` returns false.
   */
  forEachOverlapping(
    fromUs: number,
    toUs: number,
    nowUs: number,
    visit: (wait: Wait, index: number) => boolean | void,
  ): void {
    this.sync()
    this.ends.forEachAbove(0, this.startingFrom(toUs), fromUs, (i) => {
      const waits = this.waits
      return Math.min(waits.endUs(i), nowUs) <= fromUs || visit(waits.at(i), i)
    })
  }

  /** The waits going on at `atUs` (started at or before it, not ended), in order of their start. */
  at(atUs: number, nowUs: number): Wait[] {
    const found: Wait[] = []
    this.sync()
    this.ends.forEachAbove(0, this.startingAfter(atUs), atUs, (i) => {
      if (atUs < Math.min(this.waits.endUs(i), nowUs)) found.push(this.waits.at(i))
    })
    return found
  }

  /** Whether anyone waited at some time from `fromUs` to before `toUs`. */
  anyDuring(fromUs: number, toUs: number, nowUs: number): boolean {
    let any = false
    this.forEachOverlapping(fromUs, toUs, nowUs, () => {
      any = true
      return false
    })
    return any
  }

  /** Index of the first wait that starts after `tUs`: for walking the starts in order from there. */
  firstStartingAfter(tUs: number): number {
    this.sync()
    return this.startingAfter(tUs)
  }

  /** When wait `i` starts. */
  startUs(i: number): number {
    return this.ends.key(i)
  }

  /** How many waits it has taken in (after any query). */
  get length(): number {
    return this.ends.length
  }
}

const indices = new WeakMap<WaitList, WaitIndex>()

/** The index of a list of waits, made on first use and kept with it. */
export function waitIndexOf(waits: WaitList): WaitIndex {
  let index = indices.get(waits)
  if (!index) indices.set(waits, (index = new WaitIndex(waits)))
  return index
}

/** A wait was inserted at `i`: an index made already reads the ends again from there. */
export function waitInsertedAt(waits: WaitList, i: number): void {
  indices.get(waits)?.insertedAt(i)
}
