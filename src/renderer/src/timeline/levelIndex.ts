/**
 * An object's level (objectLevel: owned, depth, set, arrived) over its steps, indexed by time: the
 * highest level it had during a stretch of time without a pass over its steps, for the lane's
 * columns that hold many of them. Steps are in time order (RunTrace inserts late ones in place and
 * says where, `insertedAt`); a step that tells no level keeps the one before.
 */
import type { ObjectTrack } from '../trace/runTrace'
import { MaxPyramid } from './maxPyramid'
import { objectLevel } from './objectLevel'

/** What the index holds where nothing is known yet: below every level. */
const UNKNOWN = -1

export class LevelIndex {
  private readonly levels: MaxPyramid

  constructor(private readonly object: ObjectTrack) {
    this.levels = new MaxPyramid(
      (i) => objectLevel(object.kind, object.steps.after(i)) ?? (i > 0 ? this.levels.value(i - 1) : UNKNOWN),
      (i) => object.steps.tUs(i),
      true,
    )
  }

  insertedAt(i: number): void {
    this.levels.changedFrom(i)
  }

  /** Brings it up to date with the object's steps. */
  sync(): void {
    this.levels.sync(this.object.steps.length)
  }

  /** When step `i` happened. */
  startUs(i: number): number {
    return this.levels.key(i)
  }

  /** How many steps it has taken in (after sync). */
  get length(): number {
    return this.levels.length
  }

  /** Index of the first step at or after `tUs`. */
  private firstFrom(tUs: number): number {
    return this.levels.firstKeyFrom(tUs)
  }

  /** Index of the last step at or before `tUs`, or -1 (after sync). */
  lastAtOrBefore(tUs: number): number {
    return this.levels.firstKeyAfter(tUs) - 1
  }

  /** Whether a step happened after `fromUs` and before `toUs`: a change inside that stretch. */
  anyStepBetween(fromUs: number, toUs: number): boolean {
    this.sync()
    return this.levels.firstKeyAfter(fromUs) < this.firstFrom(toUs)
  }

  /**
   * The highest level from `fromUs` to before `toUs`: the one in effect at `fromUs` and those its
   * steps set then; null if none is known.
   */
  maxDuring(fromUs: number, toUs: number): number | null {
    this.sync()
    const first = this.firstFrom(fromUs)
    // The step in effect at fromUs: the last one before it, or one exactly at it.
    const atStart = first < this.length && this.startUs(first) === fromUs ? first : first - 1
    const level = this.levels.max(Math.max(0, atStart), this.firstFrom(toUs))
    return level === UNKNOWN || level === -Infinity ? null : level
  }
}

const indices = new WeakMap<ObjectTrack, LevelIndex>()

export function levelIndexOf(object: ObjectTrack): LevelIndex {
  let index = indices.get(object)
  if (!index) indices.set(object, (index = new LevelIndex(object)))
  return index
}

/** A step was inserted at `i`: an index made already reads its levels again from there. */
export function stepInsertedAt(object: ObjectTrack, i: number): void {
  indices.get(object)?.insertedAt(i)
}
