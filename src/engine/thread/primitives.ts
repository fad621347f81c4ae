/**
 * threading's primitives and queue.Queue, on shared memory within one process. A blocked
 * thread parks with Atomics.wait (no CPU); every operation is traced with the object's
 * state after it and, where one exists, the event that caused it.
 */
import { serialize, deserialize } from 'node:v8'
import type { ObjectKind } from '../../shared/trace'
import { PyError } from './errors'
import { pyRepr } from './repr'
import { KINDS, createBuffer, kindSpec } from './kinds'
import * as K from './kinds'
import {
  lockGuard,
  MAX_WAITERS,
  offsets,
  unlockGuard,
  WaitList,
  type ObjectHandle,
  type Offsets,
} from './layout'
import type { ThreadRuntime } from './runtime'

/** Creates a new object of `kind` in this process and announces it (trace and host). */
export function newHandle(
  rt: ThreadRuntime,
  kind: ObjectKind,
  name: string,
  init: ObjectHandle['init'],
  size = 0,
): ObjectHandle {
  const handle: ObjectHandle = { __py: kind, id: rt.newObjectId(), name, sab: createBuffer(kind, init), init }
  rt.announce(handle, size)
  return handle
}

abstract class SharedObject {
  readonly id: number
  readonly name: string
  protected readonly i32: Int32Array
  protected readonly f64: Float64Array
  protected readonly o: Offsets

  constructor(
    protected readonly rt: ThreadRuntime,
    readonly handle: ObjectHandle,
  ) {
    if (!handle.sab) throw new Error(`object ${handle.name} arrived without its memory`)
    this.id = handle.id
    this.name = handle.name
    this.o = offsets(kindSpec(handle.__py).layout)
    this.i32 = new Int32Array(handle.sab)
    this.f64 = new Float64Array(handle.sab, 0, Math.floor(handle.sab.byteLength / 8))
  }

  protected int(k: number): number {
    return this.i32[this.o.intBase + k]
  }
  protected setInt(k: number, v: number): void {
    this.i32[this.o.intBase + k] = v
  }
  protected list(l: number): WaitList {
    return new WaitList(this.i32, this.o.listBase + l * (1 + MAX_WAITERS))
  }
  protected guard(): void {
    lockGuard(this.i32)
  }

  /** Set by blockOn when it times out: whether the thread had left Python code to wait. */
  private blockedWhenTimedOut = false

  /** Ends a timed-out blockOn: the guard is held; release it and come back to Python. */
  protected endTimeout(): void {
    this.unguard()
    if (this.blockedWhenTimedOut) this.rt.leaveBlocking()
  }
  protected unguard(): void {
    unlockGuard(this.i32)
    const waking = this.waking
    if (waking.length === 0) return
    for (const tid of waking) this.rt.signal(tid)
    waking.length = 0
  }

  /** Threads woken under the guard, to be signalled once the guard is free (unpark, unguard). */
  private readonly waking: number[] = []

  /**
   * Wakes a parked thread of this process, naming the event that woke it, as ThreadRuntime.unpark
   * does, with the guard held; but the thread is signalled (Atomics.notify) only by unguard, once the
   * guard is free. The first thing a woken thread does is take the guard: signalled under it, it
   * would often find it still held (its waker still in the notify call, or preempted by it) and
   * sleep on it at once, a second wake-up for one wake (one wake in five or six did, in the
   * benchmark's lock and condition ping-pongs). The wake itself (the park word, the cause) is still
   * written under the guard, so a thread that times out meanwhile sees that it was woken; the late
   * notify then finds it awake, or parked again with 0 in its word, which park() takes for a
   * spurious wake and waits on.
   */
  protected unpark(tid: number, cause: number): void {
    this.rt.markWoken(tid, cause)
    this.waking.push(tid)
  }

  /**
   * The wait loop every blocking call shares: under the guard, `attempt` either finishes
   * (returns a value) or asks to wait (returns WAIT) on `list`. Shows `state` while parked;
   * returns TIMED_OUT at the deadline, with the guard held.
   */
  protected blockOn<T>(
    list: WaitList,
    state: 'blocked' | 'waiting',
    deadlineMs: number,
    attempt: (woken: boolean) => T | typeof WAIT,
  ): T | typeof TIMED_OUT {
    const rt = this.rt
    let blocked = false
    let woken = false
    for (;;) {
      let r: T | typeof WAIT
      try {
        r = attempt(woken)
      } catch (e) {
        // An attempt that raises (a queue put past its bytes: MemoryError) leaves the object as it
        // was; its guard must not stay held, or every other thread would wait on it for ever.
        this.unguard()
        if (blocked) rt.leaveBlocking()
        throw e
      }
      if (r !== WAIT) {
        this.unguard()
        if (blocked) rt.leaveBlocking()
        return r
      }
      if (performance.now() >= deadlineMs) {
        this.blockedWhenTimedOut = blocked
        return TIMED_OUT
      }
      rt.armPark()
      list.push(rt.tid)
      this.unguard()
      if (!blocked) {
        rt.enterBlocking(state, this.id)
        blocked = true
      }
      woken = rt.park(deadlineMs)
      this.guard()
      if (!woken && !list.remove(rt.tid)) woken = true
    }
  }
}

const WAIT = Symbol('wait')
const TIMED_OUT = Symbol('timed-out')

/** queue.Queue's timeouts: a negative one raises. */
function checkTimeout(timeout: number | null | undefined): number | null {
  if (timeout === undefined || timeout === null) return null
  if (timeout < 0) throw new PyError('ValueError', "'timeout' must be a non-negative number")
  return timeout
}

/**
 * The timeouts of Condition.wait and what CPython builds on it (Event, Semaphore, Barrier):
 * None waits for ever; a negative one does not wait at all, like 0.
 */
function waitTimeout(timeout: number | null | undefined): number | null {
  if (timeout === undefined || timeout === null) return null
  return Math.max(0, timeout)
}

// --- Lock and RLock ---------------------------------------------------------------------------

interface Lockish {
  readonly id: number
  acquire(blocking?: boolean, timeout?: number): boolean
  release(): void
  /** Condition's helpers: release fully / reacquire, as in CPython. */
  releaseSave(): number
  acquireRestore(saved: number, inBlocking: boolean): void
  isOwned(): boolean
  ownerCode(): number
}

export class Lock extends SharedObject implements Lockish {
  static create(rt: ThreadRuntime, name: string): Lock {
    return new Lock(rt, newHandle(rt, 'lock', name, {}))
  }

  acquire(blocking = true, timeout = -1): boolean {
    if (!blocking && timeout !== -1)
      throw new PyError('ValueError', "can't specify a timeout for a non-blocking call")
    if (timeout < 0 && timeout !== -1)
      throw new PyError('ValueError', 'timeout value must be a non-negative number')
    this.rt.checkpoint()
    return this.acquireAt(blocking, this.rt.deadline(timeout), false)
  }

  protected acquireAt(blocking: boolean, deadline: number, inBlocking: boolean): boolean {
    const rt = this.rt
    const waiters = this.list(0)
    this.guard()
    const r = this.blockOn(waiters, 'blocked', blocking ? deadline : -Infinity, (woken) => {
      if (this.int(K.LOCK_OWNER) !== 0) return WAIT
      this.setInt(K.LOCK_OWNER, rt.ownerCode)
      rt.recordOp(this.id, 'acquire', 'ok', this.after(), woken ? rt.wakeCause() : null)
      return true
    })
    if (r === TIMED_OUT) {
      rt.recordOp(this.id, 'acquire', blocking ? 'timeout' : 'fail', this.after())
      this.endTimeout()
      if (inBlocking) rt.leaveBlocking()
      return false
    }
    if (inBlocking) rt.leaveBlocking()
    return r
  }

  release(): void {
    this.rt.checkpoint()
    this.guard()
    if (this.int(K.LOCK_OWNER) === 0) {
      this.rt.recordOp(this.id, 'release', 'error', this.after())
      this.unguard()
      throw new PyError('RuntimeError', 'release unlocked lock')
    }
    this.setInt(K.LOCK_OWNER, 0)
    this.releaseAndWake()
  }

  /** Records the release and wakes the first waiter; the guard is held on entry and released. */
  protected releaseAndWake(): void {
    const waiters = this.list(0)
    const next = waiters.shift()
    const ev = this.rt.recordOp(this.id, 'release', 'ok', this.after())
    if (next >= 0) this.unpark(next, ev)
    this.unguard()
  }

  locked(): boolean {
    this.rt.checkpoint()
    return Atomics.load(this.i32, this.o.intBase + K.LOCK_OWNER) !== 0
  }

  releaseSave(): number {
    this.release()
    return 0
  }
  acquireRestore(_saved: number, inBlocking: boolean): void {
    this.acquireAt(true, Infinity, inBlocking)
  }
  isOwned(): boolean {
    // CPython's Condition asks a plain Lock whether *anyone* holds it.
    return this.int(K.LOCK_OWNER) !== 0
  }
  ownerCode(): number {
    return this.int(K.LOCK_OWNER)
  }
  protected after(): number[] {
    return [this.int(K.LOCK_OWNER), this.list(0).count]
  }
}

export class RLock extends Lock {
  static override create(rt: ThreadRuntime, name: string): RLock {
    return new RLock(rt, newHandle(rt, 'rlock', name, {}))
  }

  protected override acquireAt(blocking: boolean, deadline: number, inBlocking: boolean, count = 1): boolean {
    const rt = this.rt
    this.guard()
    const r = this.blockOn(this.list(0), 'blocked', blocking ? deadline : -Infinity, (woken) => {
      const owner = this.int(K.LOCK_OWNER)
      if (owner !== 0 && owner !== rt.ownerCode) return WAIT
      this.setInt(K.LOCK_OWNER, rt.ownerCode)
      this.setInt(K.RLOCK_COUNT, (owner === 0 ? 0 : this.int(K.RLOCK_COUNT)) + count)
      rt.recordOp(this.id, 'acquire', 'ok', this.after(), woken ? rt.wakeCause() : null)
      return true
    })
    if (r === TIMED_OUT) {
      rt.recordOp(this.id, 'acquire', blocking ? 'timeout' : 'fail', this.after())
      this.endTimeout()
      if (inBlocking) rt.leaveBlocking()
      return false
    }
    if (inBlocking) rt.leaveBlocking()
    return r
  }

  override release(): void {
    this.rt.checkpoint()
    this.releaseCount(1)
  }

  private releaseCount(all: number): number {
    this.guard()
    if (this.int(K.LOCK_OWNER) !== this.rt.ownerCode) {
      this.rt.recordOp(this.id, 'release', 'error', this.after())
      this.unguard()
      throw new PyError('RuntimeError', 'cannot release un-acquired lock')
    }
    const count = this.int(K.RLOCK_COUNT)
    const left = all === Infinity ? 0 : count - all
    this.setInt(K.RLOCK_COUNT, left)
    if (left > 0) {
      this.rt.recordOp(this.id, 'release', 'ok', this.after())
      this.unguard()
      return count
    }
    this.setInt(K.LOCK_OWNER, 0)
    this.releaseAndWake()
    return count
  }

  override releaseSave(): number {
    return this.releaseCount(Infinity)
  }
  override acquireRestore(saved: number, inBlocking: boolean): void {
    this.acquireAt(true, Infinity, inBlocking, saved)
  }
  override isOwned(): boolean {
    return this.int(K.LOCK_OWNER) === this.rt.ownerCode
  }
  protected override after(): number[] {
    return [this.int(K.LOCK_OWNER), this.int(K.RLOCK_COUNT), this.list(0).count]
  }
}

// --- Condition ---------------------------------------------------------------------------------

export class Condition extends SharedObject {
  readonly lock: Lock

  static create(rt: ThreadRuntime, name: string, lock?: Lock): Condition {
    const inner = lock ?? RLock.create(rt, `${name}._lock`)
    return new Condition(rt, newHandle(rt, 'condition', name, { lock: inner.handle }))
  }

  constructor(rt: ThreadRuntime, handle: ObjectHandle) {
    super(rt, handle)
    const lockHandle = handle.init.lock as ObjectHandle
    this.lock = lockHandle.__py === 'rlock' ? new RLock(rt, lockHandle) : new Lock(rt, lockHandle)
  }

  acquire(blocking = true, timeout = -1): boolean {
    return this.lock.acquire(blocking, timeout)
  }
  release(): void {
    this.lock.release()
  }

  wait(timeout: number | null = null): boolean {
    const rt = this.rt
    rt.checkpoint()
    if (!this.lock.isOwned()) throw new PyError('RuntimeError', 'cannot wait on un-acquired lock')
    const waiters = this.list(0)
    const deadline = rt.deadline(waitTimeout(timeout))
    this.guard()
    rt.armPark()
    waiters.push(rt.tid)
    this.unguard()
    const saved = this.lock.releaseSave()
    rt.enterBlocking('waiting', this.id)
    let woken = rt.park(deadline)
    this.guard()
    if (!woken && !waiters.remove(rt.tid)) woken = true
    rt.recordOp(this.id, 'wait', woken ? 'ok' : 'timeout', this.after(), woken ? rt.wakeCause() : null)
    this.unguard()
    this.lock.acquireRestore(saved, true)
    return woken
  }

  /** Condition.wait_for: CPython's loop, with the predicate evaluated by this thread. */
  waitFor(predicate: () => boolean, timeout: number | null = null): boolean {
    let result = predicate()
    const end = timeout === null ? null : performance.now() / 1000 + timeout * this.rt.options.speed
    while (!result) {
      let wait: number | null = null
      if (end !== null) {
        wait = (end - performance.now() / 1000) / this.rt.options.speed
        if (wait <= 0) break
      }
      this.wait(wait)
      result = predicate()
    }
    return result
  }

  notify(n = 1): void {
    this.rt.checkpoint()
    if (!this.lock.isOwned()) throw new PyError('RuntimeError', 'cannot notify on un-acquired lock')
    this.wake(n, n === Infinity ? 'notify_all' : 'notify')
  }

  notifyAll(): void {
    this.rt.checkpoint()
    if (!this.lock.isOwned()) throw new PyError('RuntimeError', 'cannot notify on un-acquired lock')
    this.wake(Infinity, 'notify_all')
  }

  private wake(n: number, op: 'notify' | 'notify_all'): void {
    const waiters = this.list(0)
    this.guard()
    const woken: number[] = []
    while (woken.length < n && waiters.count > 0) woken.push(waiters.shift())
    const ev = this.rt.recordOp(this.id, op, 'ok', this.after(), null, `woke ${woken.length}`)
    for (const tid of woken) this.unpark(tid, ev)
    this.unguard()
  }

  private after(): number[] {
    return [this.lock.ownerCode(), this.list(0).count]
  }
}

// --- Semaphore and BoundedSemaphore ---------------------------------------------------------------

export class Semaphore extends SharedObject {
  static create(rt: ThreadRuntime, name: string, value = 1, bounded = false): Semaphore {
    if (value < 0) throw new PyError('ValueError', 'semaphore initial value must be >= 0')
    const kind = bounded ? 'bounded-semaphore' : 'semaphore'
    return new Semaphore(rt, newHandle(rt, kind, name, { value }, value))
  }

  acquire(blocking = true, timeout: number | null = null): boolean {
    const rt = this.rt
    if (!blocking && timeout !== null)
      throw new PyError('ValueError', "can't specify timeout for non-blocking acquire")
    rt.checkpoint()
    this.guard()
    const deadline = blocking ? rt.deadline(waitTimeout(timeout)) : -Infinity
    const r = this.blockOn(this.list(0), 'blocked', deadline, (woken) => {
      const v = this.int(K.SEM_VALUE)
      if (v === 0) return WAIT
      this.setInt(K.SEM_VALUE, v - 1)
      rt.recordOp(this.id, 'acquire', 'ok', this.after(), woken ? rt.wakeCause() : null)
      return true
    })
    if (r === TIMED_OUT) {
      rt.recordOp(this.id, 'acquire', blocking ? 'timeout' : 'fail', this.after())
      this.endTimeout()
      return false
    }
    return r
  }

  release(n = 1): void {
    const rt = this.rt
    rt.checkpoint()
    if (n < 1) throw new PyError('ValueError', 'n must be one or more')
    this.guard()
    const v = this.int(K.SEM_VALUE)
    if (this.handle.__py === 'bounded-semaphore' && v + n > this.int(K.SEM_INITIAL)) {
      rt.recordOp(this.id, 'release', 'error', this.after())
      this.unguard()
      throw new PyError('ValueError', 'Semaphore released too many times')
    }
    this.setInt(K.SEM_VALUE, v + n)
    const waiters = this.list(0)
    const woken: number[] = []
    while (woken.length < n && waiters.count > 0) woken.push(waiters.shift())
    const ev = rt.recordOp(this.id, 'release', 'ok', this.after())
    for (const tid of woken) this.unpark(tid, ev)
    this.unguard()
  }

  private after(): number[] {
    return [this.int(K.SEM_VALUE), this.list(0).count]
  }
}

// --- Event ----------------------------------------------------------------------------------------

export class Event extends SharedObject {
  static create(rt: ThreadRuntime, name: string): Event {
    return new Event(rt, newHandle(rt, 'event', name, {}))
  }

  isSet(): boolean {
    this.rt.checkpoint()
    return Atomics.load(this.i32, this.o.intBase + K.EVENT_FLAG) === 1
  }

  set(): void {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    this.setInt(K.EVENT_FLAG, 1)
    const waiters = this.list(0)
    const woken: number[] = []
    while (waiters.count > 0) woken.push(waiters.shift())
    const ev = rt.recordOp(this.id, 'set', 'ok', this.after(), null, `woke ${woken.length}`)
    for (const tid of woken) this.unpark(tid, ev)
    this.unguard()
  }

  clear(): void {
    this.rt.checkpoint()
    this.guard()
    this.setInt(K.EVENT_FLAG, 0)
    this.rt.recordOp(this.id, 'clear', 'ok', this.after())
    this.unguard()
  }

  wait(timeout: number | null = null): boolean {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    const r = this.blockOn(this.list(0), 'waiting', rt.deadline(waitTimeout(timeout)), (woken) => {
      // Only set() wakes a waiter. Once woken it returns True even if the event was cleared
      // before it ran again (CPython: Condition.wait returned True), so set(); clear() wakes all.
      if (this.int(K.EVENT_FLAG) === 0 && !woken) return WAIT
      rt.recordOp(this.id, 'wait', 'ok', this.after(), woken ? rt.wakeCause() : null)
      return true
    })
    if (r === TIMED_OUT) {
      rt.recordOp(this.id, 'wait', 'timeout', this.after())
      this.endTimeout()
      return false
    }
    return r
  }

  private after(): number[] {
    return [this.int(K.EVENT_FLAG), this.list(0).count]
  }
}

// --- Barrier --------------------------------------------------------------------------------------

export class Barrier extends SharedObject {
  static create(rt: ThreadRuntime, name: string, parties: number, timeout: number | null = null): Barrier {
    if (parties < 1) throw new PyError('ValueError', 'parties must be >= 1')
    return new Barrier(rt, newHandle(rt, 'barrier', name, { parties, timeout }, parties))
  }

  get parties(): number {
    return this.int(K.BARRIER_PARTIES)
  }
  get nWaiting(): number {
    return this.int(K.BARRIER_COUNT)
  }
  get broken(): boolean {
    return this.int(K.BARRIER_BROKEN) === 1
  }

  wait(timeout: number | null = null): number {
    const rt = this.rt
    rt.checkpoint()
    const t = timeout ?? (this.handle.init.timeout as number | null)
    this.guard()
    if (this.broken) {
      rt.recordOp(this.id, 'wait', 'error', this.after())
      this.unguard()
      throw new PyError('threading.BrokenBarrierError')
    }
    const index = this.int(K.BARRIER_COUNT)
    const generation = this.int(K.BARRIER_GENERATION)
    this.setInt(K.BARRIER_COUNT, index + 1)
    if (index + 1 === this.parties) {
      // The last to arrive releases everyone; the barrier is ready for its next cycle.
      this.setInt(K.BARRIER_COUNT, 0)
      this.setInt(K.BARRIER_GENERATION, generation + 1)
      const ev = rt.recordOp(this.id, 'arrive', 'ok', [this.parties, 0], null, `index ${index}`)
      this.wakeAll(ev)
      rt.recordOp(this.id, 'wait', 'ok', this.after(), ev)
      this.unguard()
      return index
    }
    rt.recordOp(this.id, 'arrive', 'ok', this.after(), null, `index ${index}`)
    const r = this.blockOn(this.list(0), 'waiting', rt.deadline(waitTimeout(t)), (woken) => {
      if (this.int(K.BARRIER_GENERATION) !== generation) {
        rt.recordOp(this.id, 'wait', 'ok', this.after(), woken ? rt.wakeCause() : null)
        return index
      }
      if (woken) return -1 // broken, aborted or reset while we waited
      return WAIT
    })
    if (r === TIMED_OUT) {
      // CPython: a timeout breaks the barrier for everyone.
      this.setInt(K.BARRIER_BROKEN, 1)
      const ev = rt.recordOp(this.id, 'wait', 'timeout', this.after())
      this.wakeAll(ev)
      this.endTimeout()
      throw new PyError('threading.BrokenBarrierError')
    }
    if (r === -1) {
      rt.recordOp(this.id, 'wait', 'error', this.after(), rt.wakeCause())
      throw new PyError('threading.BrokenBarrierError')
    }
    return r
  }

  abort(): void {
    this.rt.checkpoint()
    this.guard()
    this.setInt(K.BARRIER_BROKEN, 1)
    const ev = this.rt.recordOp(this.id, 'abort', 'ok', this.after())
    this.wakeAll(ev)
    this.unguard()
  }

  reset(): void {
    this.rt.checkpoint()
    this.guard()
    this.setInt(K.BARRIER_BROKEN, 0)
    this.setInt(K.BARRIER_COUNT, 0)
    const ev = this.rt.recordOp(this.id, 'reset', 'ok', this.after())
    this.wakeAll(ev)
    this.unguard()
  }

  private wakeAll(ev: number): void {
    const waiters = this.list(0)
    while (waiters.count > 0) this.unpark(waiters.shift(), ev)
  }

  private after(): number[] {
    return [this.int(K.BARRIER_COUNT), this.int(K.BARRIER_BROKEN)]
  }
}

// --- queue.Queue ---------------------------------------------------------------------------------

const GETTERS = 0
const PUTTERS = 1
const JOINERS = 2
const ITEM_HEADER = 12 // u32 length + f64 id of the put

export class Queue extends SharedObject {
  private readonly view: DataView
  private readonly capacity = K.QUEUE_BYTES

  static create(rt: ThreadRuntime, name: string, maxsize = 0): Queue {
    return new Queue(rt, newHandle(rt, 'queue', name, { maxsize }, maxsize))
  }

  constructor(rt: ThreadRuntime, handle: ObjectHandle) {
    super(rt, handle)
    this.view = new DataView(handle.sab!, this.o.byteBase, this.capacity)
  }

  get maxsize(): number {
    return this.int(K.QUEUE_MAXSIZE)
  }

  put(item: unknown, block = true, timeout: number | null = null): void {
    const rt = this.rt
    rt.checkpoint()
    const bytes = serialize(item)
    // CPython checks the timeout only where a put may wait: on a bounded queue.
    const deadline = block ? rt.deadline(this.maxsize > 0 ? checkTimeout(timeout) : null) : -Infinity
    this.guard()
    const r = this.blockOn(this.list(PUTTERS), 'blocked', deadline, (woken) => {
      const max = this.maxsize
      if (max > 0 && this.int(K.QUEUE_COUNT) >= max) return WAIT
      const ev = rt.tracer.nextEventId()
      this.write(bytes, ev)
      this.setInt(K.QUEUE_COUNT, this.int(K.QUEUE_COUNT) + 1)
      this.setInt(K.QUEUE_UNFINISHED, this.int(K.QUEUE_UNFINISHED) + 1)
      const getter = this.list(GETTERS).shift()
      rt.recordOp(this.id, 'put', 'ok', this.after(), woken ? rt.wakeCause() : null, pyRepr(item))
      if (getter >= 0) this.unpark(getter, ev)
      return true
    })
    if (r === TIMED_OUT) {
      rt.recordOp(this.id, 'put', block ? 'timeout' : 'fail', this.after(), null, pyRepr(item))
      this.endTimeout()
      throw new PyError('queue.Full')
    }
  }

  get(block = true, timeout: number | null = null): unknown {
    const rt = this.rt
    rt.checkpoint()
    const deadline = block ? rt.deadline(checkTimeout(timeout)) : -Infinity
    this.guard()
    const r = this.blockOn(this.list(GETTERS), 'blocked', deadline, () => {
      if (this.int(K.QUEUE_COUNT) === 0) return WAIT
      const { item, putEvent } = this.read()
      this.setInt(K.QUEUE_COUNT, this.int(K.QUEUE_COUNT) - 1)
      const putter = this.list(PUTTERS).shift()
      const ev = rt.recordOp(this.id, 'get', 'ok', this.after(), putEvent, pyRepr(item))
      if (putter >= 0) this.unpark(putter, ev)
      return { item }
    })
    if (r === TIMED_OUT) {
      rt.recordOp(this.id, 'get', block ? 'timeout' : 'fail', this.after())
      this.endTimeout()
      throw new PyError('queue.Empty')
    }
    return r.item
  }

  putNowait(item: unknown): void {
    this.put(item, false)
  }
  getNowait(): unknown {
    return this.get(false)
  }

  taskDone(): void {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    const left = this.int(K.QUEUE_UNFINISHED) - 1
    if (left < 0) {
      rt.recordOp(this.id, 'task_done', 'error', this.after())
      this.unguard()
      throw new PyError('ValueError', 'task_done() called too many times')
    }
    this.setInt(K.QUEUE_UNFINISHED, left)
    const ev = rt.recordOp(this.id, 'task_done', 'ok', this.after())
    if (left === 0) {
      const joiners = this.list(JOINERS)
      while (joiners.count > 0) this.unpark(joiners.shift(), ev)
    }
    this.unguard()
  }

  join(): void {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    this.blockOn(this.list(JOINERS), 'blocked', Infinity, (woken) => {
      if (this.int(K.QUEUE_UNFINISHED) > 0) return WAIT
      rt.recordOp(this.id, 'join', 'ok', this.after(), woken ? rt.wakeCause() : null)
      return true
    })
  }

  qsize(): number {
    return this.look('qsize()', () => this.int(K.QUEUE_COUNT))
  }
  empty(): boolean {
    return this.look('empty()', () => this.int(K.QUEUE_COUNT) === 0)
  }
  full(): boolean {
    return this.look('full()', () => this.maxsize > 0 && this.int(K.QUEUE_COUNT) >= this.maxsize)
  }

  /** A check of the queue's state: traced, since the gap between a check and an act is a lesson. */
  private look<T>(what: string, read: () => T): T {
    this.rt.checkpoint()
    this.guard()
    const v = read()
    this.rt.recordOp(this.id, 'read', 'ok', this.after(), null, `${what} -> ${pyRepr(v)}`)
    this.unguard()
    return v
  }

  private after(): number[] {
    return [
      this.int(K.QUEUE_COUNT),
      this.int(K.QUEUE_UNFINISHED),
      this.list(GETTERS).count + this.list(PUTTERS).count + this.list(JOINERS).count,
    ]
  }

  // A byte ring of [length, put event id, payload] records.
  private write(payload: Uint8Array, putEvent: number): void {
    const need = ITEM_HEADER + payload.length
    if (this.int(K.QUEUE_USED) + need > this.capacity) {
      throw new PyError('MemoryError', `queue ${this.name} holds more than ${this.capacity} bytes`)
    }
    const header = new Uint8Array(ITEM_HEADER)
    const hv = new DataView(header.buffer)
    hv.setUint32(0, payload.length)
    hv.setFloat64(4, putEvent)
    let tail = this.int(K.QUEUE_TAIL)
    tail = this.copyIn(header, tail)
    tail = this.copyIn(payload, tail)
    this.setInt(K.QUEUE_TAIL, tail)
    this.setInt(K.QUEUE_USED, this.int(K.QUEUE_USED) + need)
  }

  private read(): { item: unknown; putEvent: number } {
    let head = this.int(K.QUEUE_HEAD)
    const header = new Uint8Array(ITEM_HEADER)
    head = this.copyOut(header, head)
    const hv = new DataView(header.buffer)
    const payload = new Uint8Array(hv.getUint32(0))
    head = this.copyOut(payload, head)
    this.setInt(K.QUEUE_HEAD, head)
    this.setInt(K.QUEUE_USED, this.int(K.QUEUE_USED) - ITEM_HEADER - payload.length)
    return { item: deserialize(payload), putEvent: hv.getFloat64(4) }
  }

  private copyIn(src: Uint8Array, at: number): number {
    const ring = new Uint8Array(this.view.buffer, this.view.byteOffset, this.capacity)
    const first = Math.min(src.length, this.capacity - at)
    ring.set(src.subarray(0, first), at)
    if (first < src.length) ring.set(src.subarray(first), 0)
    return (at + src.length) % this.capacity
  }

  private copyOut(dst: Uint8Array, at: number): number {
    const ring = new Uint8Array(this.view.buffer, this.view.byteOffset, this.capacity)
    const first = Math.min(dst.length, this.capacity - at)
    dst.set(ring.subarray(at, at + first))
    if (first < dst.length) dst.set(ring.subarray(0, dst.length - first), first)
    return (at + dst.length) % this.capacity
  }
}

// --- a module-level variable shared by the threads of a process -----------------------------------------

/**
 * A Python global (or any shared mutable value): each read and each write is one traced
 * step, so a read-modify-write is three steps and can interleave, as in CPython.
 */
export class Variable<T = unknown> extends SharedObject {
  static create<T>(rt: ThreadRuntime, name: string, initial: T): Variable<T> {
    const handle = newHandle(rt, 'variable', name, typeof initial === 'number' ? { number: initial } : {})
    const v = new Variable<T>(rt, handle)
    if (typeof initial !== 'number') v.store(initial)
    return v
  }

  get(): T {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    const v = this.load()
    rt.recordOp(this.id, 'read', 'ok', [], null, pyRepr(v))
    this.unguard()
    return v
  }

  /** Reads without a trace event or a GIL check: for a spin loop (Py.spinUntil) that records only its last read. */
  peek(): T {
    this.guard()
    const v = this.load()
    this.unguard()
    return v
  }

  set(value: T): void {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    this.store(value)
    rt.recordOp(this.id, 'write', 'ok', [], null, pyRepr(value))
    this.unguard()
  }

  /**
   * One indivisible step that reads and writes, such as `seen.add(item)` or `items.append(x)`:
   * CPython runs such a call without a GIL switch in the middle.
   */
  update(change: (value: T) => T): T {
    const rt = this.rt
    rt.checkpoint()
    this.guard()
    const value = change(this.load())
    this.store(value)
    rt.recordOp(this.id, 'write', 'ok', [], null, pyRepr(value))
    this.unguard()
    return value
  }

  private load(): T {
    if (this.int(K.VAR_TAG) === 0) return this.f64[this.o.doubleBase + K.VAR_NUMBER] as T
    const len = this.int(K.VAR_LEN)
    return deserialize(new Uint8Array(this.handle.sab!, this.o.byteBase, len).slice()) as T
  }

  private store(value: T): void {
    if (typeof value === 'number') {
      this.setInt(K.VAR_TAG, 0)
      this.f64[this.o.doubleBase + K.VAR_NUMBER] = value
      return
    }
    const bytes = serialize(value)
    if (bytes.length > K.VARIABLE_BYTES)
      throw new PyError('MemoryError', `${this.name} is too large to share`)
    new Uint8Array(this.handle.sab!, this.o.byteBase, bytes.length).set(bytes)
    this.setInt(K.VAR_TAG, 1)
    this.setInt(K.VAR_LEN, bytes.length)
  }
}

/** Rebuilds the object a handle names, in this thread. */
export function reviveObject(rt: ThreadRuntime, handle: ObjectHandle): unknown {
  switch (handle.__py) {
    case 'lock':
      return new Lock(rt, handle)
    case 'rlock':
      return new RLock(rt, handle)
    case 'condition':
      return new Condition(rt, handle)
    case 'semaphore':
    case 'bounded-semaphore':
      return new Semaphore(rt, handle)
    case 'event':
      return new Event(rt, handle)
    case 'barrier':
      return new Barrier(rt, handle)
    case 'queue':
      return new Queue(rt, handle)
    case 'variable':
      return new Variable(rt, handle)
    default:
      return undefined
  }
}

export const IN_PROCESS_KINDS = Object.keys(KINDS) as ObjectKind[]
