/**
 * The in-process object kinds: their layouts and how a fresh one starts. The process host uses
 * this too, to give a spawned child fresh copies (Python re-imports the module there).
 */
import type { ObjectKind } from '../../shared/trace'
import { offsets, type Layout, type ObjectHandle } from './layout'

export interface KindSpec {
  layout: Layout
  /** Writes the initial state into a new buffer. */
  init(i32: Int32Array, f64: Float64Array, initValues: ObjectHandle['init']): void
}

// Field indices (relative to the layout's intBase / doubleBase).
export const LOCK_OWNER = 0
export const RLOCK_COUNT = 1
export const SEM_VALUE = 0
export const SEM_INITIAL = 1
export const EVENT_FLAG = 0
export const BARRIER_PARTIES = 0
export const BARRIER_COUNT = 1
export const BARRIER_GENERATION = 2
export const BARRIER_BROKEN = 3
export const QUEUE_MAXSIZE = 0
export const QUEUE_COUNT = 1
export const QUEUE_UNFINISHED = 2
export const QUEUE_HEAD = 3
export const QUEUE_TAIL = 4
export const QUEUE_USED = 5
export const VAR_TAG = 0
export const VAR_LEN = 1
export const VAR_NUMBER = 0

export const QUEUE_BYTES = 1 << 20
export const VARIABLE_BYTES = 1 << 16

const num = (v: number | ObjectHandle | null | undefined, d: number): number =>
  typeof v === 'number' ? v : d

export const KINDS: Partial<Record<ObjectKind, KindSpec>> = {
  lock: { layout: { ints: 1, lists: 1, doubles: 0, bytes: 0 }, init: () => {} },
  rlock: { layout: { ints: 2, lists: 1, doubles: 0, bytes: 0 }, init: () => {} },
  condition: { layout: { ints: 0, lists: 1, doubles: 0, bytes: 0 }, init: () => {} },
  semaphore: {
    layout: { ints: 2, lists: 1, doubles: 0, bytes: 0 },
    init(i32, _f, v) {
      i32[1 + SEM_VALUE] = num(v.value, 1)
      i32[1 + SEM_INITIAL] = num(v.value, 1)
    },
  },
  'bounded-semaphore': {
    layout: { ints: 2, lists: 1, doubles: 0, bytes: 0 },
    init(i32, _f, v) {
      i32[1 + SEM_VALUE] = num(v.value, 1)
      i32[1 + SEM_INITIAL] = num(v.value, 1)
    },
  },
  event: { layout: { ints: 1, lists: 1, doubles: 0, bytes: 0 }, init: () => {} },
  barrier: {
    layout: { ints: 4, lists: 1, doubles: 1, bytes: 0 },
    init(i32, _f, v) {
      i32[1 + BARRIER_PARTIES] = num(v.parties, 1)
    },
  },
  queue: {
    layout: { ints: 6, lists: 3, doubles: 0, bytes: QUEUE_BYTES },
    init(i32, _f, v) {
      i32[1 + QUEUE_MAXSIZE] = num(v.maxsize, 0)
    },
  },
  variable: {
    layout: { ints: 2, lists: 0, doubles: 1, bytes: VARIABLE_BYTES },
    init(i32, f64, v) {
      // Numbers only here; other initial values are written by Variable itself.
      i32[1 + VAR_TAG] = 0
      const o = offsets(KINDS.variable!.layout)
      f64[o.doubleBase + VAR_NUMBER] = num(v.number, 0)
    },
  },
}

export function kindSpec(kind: ObjectKind): KindSpec {
  const spec = KINDS[kind]
  if (!spec) throw new Error(`'${kind}' is not an in-process object kind`)
  return spec
}

/** A fresh buffer for an object of `kind`, in its initial state. */
export function createBuffer(kind: ObjectKind, initValues: ObjectHandle['init']): SharedArrayBuffer {
  const spec = kindSpec(kind)
  const sab = new SharedArrayBuffer(offsets(spec.layout).total)
  spec.init(new Int32Array(sab), new Float64Array(sab, 0, Math.floor(sab.byteLength / 8)), initValues)
  return sab
}
