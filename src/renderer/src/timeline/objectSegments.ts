/**
 * An object's state over time, as its lane draws it and the tooltips tell it: its level (owned,
 * full, set, arrived), its owner, and the threads waiting on it. Waiters come from the threads'
 * blocked and waiting slices, since an operation is recorded only once it completes: a thread stuck
 * in `acquire()` has no operation yet, only its slice.
 */
import { OBJECT_STATE_FIELDS, type ObjectKind } from '../../../shared/trace'
import type { ObjectStep, ObjectTrack, Wait, WaitList } from '../trace/runTrace'
import { objectLevel } from './objectLevel'
import { levelIndexOf } from './levelIndex'
import { waitIndexOf, type WaitIndex } from './waitIndex'

export interface ObjectState {
  /** objectLevel's number (1 while owned, a queue's depth, ...), or null while nothing is known. */
  level: number | null
  /** The owning thread's key, for locks and conditions; null when free, or for other kinds. */
  owner: number | null
  /** Threads blocked or waiting on it, in the order they began. */
  waiting: readonly Wait[]
  /** The latest operation at or before then. */
  step: ObjectStep | null
}

export interface ObjectSegment extends Omit<ObjectState, 'step'> {
  startUs: number
  endUs: number
  /** The latest step's index in the object's steps, or -1 (objectStateAt makes the step itself). */
  stepIndex: number
}

/** Kinds that have an owner: locks, and conditions through their lock. */
export function isOwnedKind(kind: ObjectKind): boolean {
  return OBJECT_STATE_FIELDS[kind].includes('owner')
}

/** What a bar's height is measured against: a bounded queue's maxsize, a barrier's parties. */
export function objectCapacity(object: Pick<ObjectTrack, 'kind' | 'size'>): number {
  switch (object.kind) {
    case 'queue':
    case 'mp-queue':
    case 'mp-joinable-queue':
    case 'barrier':
    case 'mp-barrier':
    case 'bounded-semaphore':
      return object.size
    default:
      return 0
  }
}

const NO_WAITERS: readonly Wait[] = []

/** The steps' part of the state at `atUs`: the latest step then, and the latest level and owner. */
function stepStateAt(
  object: ObjectTrack,
  atUs: number,
): { index: number; level: number | null; owner: number | null } {
  const levels = levelIndexOf(object)
  levels.sync()
  const index = levels.lastAtOrBefore(atUs)
  for (let j = index; j >= 0; j--) {
    const after = object.steps.after(j)
    const level = objectLevel(object.kind, after)
    if (level !== null) return { index, level, owner: after.owner ?? null }
  }
  return { index, level: null, owner: null }
}

/**
 * The owner as it really is: a thread waiting on a condition has released the condition's lock,
 * though no operation said so (the wait is recorded when it returns).
 */
function effective(
  object: ObjectTrack,
  level: number | null,
  owner: number | null,
  waiting: readonly Wait[],
): { level: number | null; owner: number | null } {
  if (owner === null || !waiting.some((w) => w.threadKey === owner && w.state === 'waiting'))
    return { level, owner }
  return { level: isOwnedKind(object.kind) ? 0 : level, owner: null }
}

function endOf(wait: Wait, nowUs: number): number {
  return Math.min(wait.endUs, nowUs)
}

/** The object's state at `atUs` (`nowUs`: where open waits end). */
export function objectStateAt(
  object: ObjectTrack,
  waits: WaitList,
  atUs: number,
  nowUs: number,
): ObjectState {
  const { index, level, owner } = stepStateAt(object, atUs)
  const waiting = waitIndexOf(waits).at(atUs, nowUs)
  return {
    ...effective(object, level, owner, waiting),
    waiting,
    step: index >= 0 ? object.steps.at(index) : null,
  }
}

/**
 * The object's states from `fromUs` to `toUs` (and not past `nowUs`), one segment per change;
 * nothing where nothing is known (before its first operation, with nobody waiting).
 */
export function objectSegments(
  object: ObjectTrack,
  waits: WaitList,
  fromUs: number,
  toUs: number,
  nowUs: number,
): ObjectSegment[] {
  const segments: ObjectSegment[] = []
  forEachObjectSegment(object, waits, fromUs, toUs, nowUs, (s) => segments.push({ ...s }))
  return segments
}

/**
 * objectSegments one at a time, without making them: `visit` gets the same object each time,
 * changed, so it must copy what it keeps. A long run seen whole has hundreds of thousands of
 * segments, which as objects cost much of its first draw. `visit` may return a later time to go on
 * from, skipping the segments before it: the lane's level of detail skips a pixel column's worth.
 * The waits come through their index (waitIndexOf), so only those near the window are looked at.
 */
export function forEachObjectSegment(
  object: ObjectTrack,
  waits: WaitList,
  fromUs: number,
  toUs: number,
  nowUs: number,
  visit: (segment: Readonly<ObjectSegment>) => number | void,
): void {
  const endUs = Math.min(toUs, nowUs)
  const index = waitIndexOf(waits)
  const segment: ObjectSegment = {
    startUs: 0,
    endUs: 0,
    level: null,
    owner: null,
    waiting: NO_WAITERS,
    stepIndex: -1,
  }
  for (let atUs: number | null = fromUs; atUs !== null && atUs < endUs;) {
    atUs = walkSegments(object, waits, index, atUs, endUs, nowUs, segment, visit)
  }
}

/** The segments from `fromUs` to `endUs`; returns where `visit` asked to go on from, or null at the end. */
function walkSegments(
  object: ObjectTrack,
  waits: WaitList,
  index: WaitIndex,
  fromUs: number,
  endUs: number,
  nowUs: number,
  segment: ObjectSegment,
  visit: (segment: Readonly<ObjectSegment>) => number | void,
): number | null {
  const steps = object.steps
  const initial = stepStateAt(object, fromUs)
  // Synced by the calls above.
  const levels = levelIndexOf(object)
  let level = initial.level
  let owner = initial.owner
  let step = initial.index
  // Who is waiting at the start; then waits start in the order of the list, and stop.
  let waiting: readonly Wait[] = index.at(fromUs, nowUs)
  let nextWait = index.firstStartingAfter(fromUs)

  let tUs = fromUs
  const emit = (untilUs: number): number | void => {
    if (untilUs <= tUs || (level === null && waiting.length === 0)) return
    // Segments share the waiters' array until it changes: from here on it is replaced, never
    // changed in place (a copy per segment cost much of a long run's first draw).
    const now = waiting.length ? waiting : NO_WAITERS
    const shown = effective(object, level, owner, now)
    segment.startUs = tUs
    segment.endUs = untilUs
    segment.level = shown.level
    segment.owner = shown.owner
    segment.waiting = now
    segment.stepIndex = step
    return visit(segment)
  }
  let next = initial.index + 1
  for (;;) {
    const stepAt = next < levels.length ? levels.startUs(next) : Infinity
    const stepUs = stepAt < endUs ? stepAt : Infinity
    const waitAt = nextWait < index.length ? index.startUs(nextWait) : Infinity
    const startUs = waitAt < endUs ? waitAt : Infinity
    let stopUs = Infinity
    let stopping: Wait | null = null
    for (const w of waiting) {
      const stop = endOf(w, nowUs)
      if (stop < stopUs && stop < endUs) {
        stopUs = stop
        stopping = w
      }
    }
    const atUs = Math.min(stepUs, startUs, stopUs)
    if (atUs === Infinity) break
    const resume = emit(atUs)
    if (resume !== undefined && resume > tUs) return resume
    tUs = Math.max(tUs, atUs)
    if (stepUs === atUs) {
      step = next++
      const after = steps.after(step)
      const stepLevel = objectLevel(object.kind, after)
      if (stepLevel !== null) {
        level = stepLevel
        owner = after.owner ?? null
      }
    } else if (startUs === atUs) {
      waiting = [...waiting, waits.at(nextWait++)]
    } else {
      waiting = waiting.filter((w) => w !== stopping)
    }
  }
  const resume = emit(endUs)
  return resume !== undefined && resume > tUs ? resume : null
}

/**
 * Who held an owned object between `fromUs` and `toUs`, in order, leaving out `exceptKey` (the
 * thread that waited for it); empty for kinds without an owner.
 */
export function holdersDuring(
  object: ObjectTrack,
  waits: WaitList,
  fromUs: number,
  toUs: number,
  exceptKey: number,
): number[] {
  if (!isOwnedKind(object.kind)) return []
  const holders: number[] = []
  for (const s of objectSegments(object, waits, fromUs, toUs, toUs)) {
    if (s.owner !== null && s.owner !== exceptKey && !holders.includes(s.owner)) holders.push(s.owner)
  }
  return holders
}

/**
 * A state in a few words, for the lane (`Thread-1`, `2/3`, `set`, `1/2 arrived`) and the waiters
 * after it; empty when there is nothing worth writing.
 */
export function objectStateText(
  object: Pick<ObjectTrack, 'kind' | 'size'>,
  state: Pick<ObjectState, 'level' | 'owner' | 'waiting'>,
  threadName: (key: number) => string,
): string {
  const parts: string[] = []
  const level = state.level
  const capacity = objectCapacity(object)
  if (isOwnedKind(object.kind)) {
    if (state.owner !== null) parts.push(threadName(state.owner))
  } else if (level !== null && level > 0) {
    switch (object.kind) {
      case 'event':
      case 'mp-event':
        parts.push('set')
        break
      case 'barrier':
      case 'mp-barrier':
        parts.push(`${level}/${capacity} arrived`)
        break
      case 'semaphore':
      case 'bounded-semaphore':
      case 'mp-semaphore':
        parts.push(`value ${level}`)
        break
      default:
        parts.push(capacity > 0 ? `${level}/${capacity}` : String(level))
    }
  }
  if (state.waiting.length) parts.push(`${state.waiting.length} waiting`)
  return parts.join(' · ')
}
