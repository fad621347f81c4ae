/**
 * How an in-process shared object lays out its SharedArrayBuffer:
 * word 0 a guard (a futex mutex), then integer fields, then FIFO wait lists of thread ids,
 * then doubles (event ids), then raw bytes (queued items, a variable's value).
 */
import type { ObjectKind } from '../../shared/trace'

export const MAX_WAITERS = 128

export interface Layout {
  ints: number
  lists: number
  doubles: number
  bytes: number
}

export interface Offsets {
  intBase: number
  listBase: number
  doubleBase: number
  byteBase: number
  total: number
}

export function offsets(layout: Layout): Offsets {
  const intBase = 1
  const listBase = intBase + layout.ints
  const wordsEnd = listBase + layout.lists * (1 + MAX_WAITERS)
  const doubleByte = Math.ceil((wordsEnd * 4) / 8) * 8
  const byteBase = doubleByte + layout.doubles * 8
  return { intBase, listBase, doubleBase: doubleByte / 8, byteBase, total: byteBase + layout.bytes }
}

/** The wire form of an in-process object: structured-clones between threads, SAB shared. */
export interface ObjectHandle {
  __py: ObjectKind
  id: number
  name: string
  /** Absent when the handle crossed into another process: the host attaches the child's copy. */
  sab?: SharedArrayBuffer
  init: Record<string, number | ObjectHandle | null>
}

export function isHandle(v: unknown): v is ObjectHandle {
  return typeof v === 'object' && v !== null && '__py' in v && 'id' in v
}

// --- the guard ---------------------------------------------------------------------------

export function lockGuard(i32: Int32Array): void {
  let c = Atomics.compareExchange(i32, 0, 0, 1)
  if (c === 0) return
  do {
    if (c === 2 || Atomics.compareExchange(i32, 0, 1, 2) !== 0) Atomics.wait(i32, 0, 2)
  } while ((c = Atomics.compareExchange(i32, 0, 0, 2)) !== 0)
}

export function unlockGuard(i32: Int32Array): void {
  if (Atomics.sub(i32, 0, 1) !== 1) {
    Atomics.store(i32, 0, 0)
    Atomics.notify(i32, 0, 1)
  }
}

// --- wait lists (touched only under the guard) ----------------------------------------------

export class WaitList {
  constructor(
    private readonly i32: Int32Array,
    private readonly base: number,
  ) {}

  get count(): number {
    return this.i32[this.base]
  }

  push(tid: number): void {
    const n = this.i32[this.base]
    if (n >= MAX_WAITERS) throw new Error(`more than ${MAX_WAITERS} threads wait on one object`)
    this.i32[this.base + 1 + n] = tid
    this.i32[this.base] = n + 1
  }

  shift(): number {
    const n = this.i32[this.base]
    if (n === 0) return -1
    const first = this.i32[this.base + 1]
    this.i32.copyWithin(this.base + 1, this.base + 2, this.base + 1 + n)
    this.i32[this.base] = n - 1
    return first
  }

  remove(tid: number): boolean {
    const n = this.i32[this.base]
    for (let k = 0; k < n; k++) {
      if (this.i32[this.base + 1 + k] === tid) {
        this.i32.copyWithin(this.base + 1 + k, this.base + 2 + k, this.base + 1 + n)
        this.i32[this.base] = n - 1
        return true
      }
    }
    return false
  }

  clear(): void {
    this.i32[this.base] = 0
  }
}

/** After fork: no thread of the parent but the forking one exists, so nobody waits and no guard is held. */
export function resetAfterFork(i32: Int32Array, layout: Layout): void {
  const o = offsets(layout)
  i32[0] = 0
  for (let l = 0; l < layout.lists; l++) i32[o.listBase + l * (1 + MAX_WAITERS)] = 0
}
