/**
 * The broker: the orchestrator-side owner of every `multiprocessing` object of a run.
 *
 * A SharedArrayBuffer cannot span OS processes, so a Lock, Queue, Pipe, ... shared between Python
 * processes lives here, and the threads of the child processes call in (src/engine/thread/mp.ts).
 * A call that must block is answered at once with `pending` and finally when it can go on (or
 * times out). Every final answer carries the object's state after the operation, in the order of
 * OBJECT_STATE_FIELDS, and the event that let it happen (`cause`).
 *
 * Ownership is per thread (`threadKey`); waiters are served first come, first served.
 */
import { constants as osConstants } from 'node:os'
import { DEFAULT_LIMITS, MAX_PROCESSES_PER_RUN, type BrokerReply, type RunLimits } from '../shared/protocol'
import { FIRST_BROKERED_ID, OBJECT_KINDS, threadKey, type ObjectKind } from '../shared/trace'
import type { BrokerCall, BrokerHost, ProcessStartSpec } from './brokerTypes'
import { pyRepr } from './thread/repr'

/** Ids of brokered objects start here, far above the ids processes give their own objects. */
const FIRST_ID = FIRST_BROKERED_ID
/** setTimeout fires at once for longer delays; a wait that long is a wait without timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1

type Kind = ObjectKind | 'process'
type FinalStatus = Exclude<BrokerReply['status'], 'pending'>

interface ProxyHandle {
  __mp: Kind
  id: number
  name: string
  extra?: Record<string, unknown>
}

/** A Python exception for the caller; thrown by an operation before it changes anything. */
class Raise extends Error {
  constructor(
    readonly type: string,
    message = '',
  ) {
    super(message)
  }
}

const QUEUE_EMPTY = { type: 'queue.Empty', message: '' }
const QUEUE_FULL = { type: 'queue.Full', message: '' }
const BROKEN_BARRIER = { type: 'threading.BrokenBarrierError', message: '' }

/** One request in flight. */
class Call {
  readonly key: number
  /** It was answered `pending`: the caller's trace recorded a state change before its op event. */
  pended = false
  /** The `pending` reply has gone out. */
  announced = false
  done = false
  timer: ReturnType<typeof setTimeout> | null = null
  /** Takes the call off whatever wait list holds it. */
  detach: () => void = () => {}

  constructor(readonly call: BrokerCall) {
    this.key = threadKey(call.pid, call.tid)
  }

  get pid(): number {
    return this.call.pid
  }

  /** The id of this call's op event, as a cause for others. */
  get event(): number {
    return this.call.request.event + (this.pended ? 1 : 0)
  }
}

interface Finish {
  value?: unknown
  cause?: number | null
  error?: { type: string; message: string }
  /** When the operation took effect, if before the reply (the run's clock). */
  atUs?: number
}

/** What every object shares: replies, parking, timeouts. */
class Core {
  readonly pending = new Set<Call>()
  disposed = false

  constructor(readonly host: BrokerHost) {}

  finish(c: Call, obj: Brokered, status: FinalStatus, fields: Finish = {}): void {
    if (c.done) return
    c.done = true
    if (c.timer) clearTimeout(c.timer)
    c.timer = null
    c.detach = () => {}
    this.pending.delete(c)
    if (this.disposed) return
    const reply: BrokerReply = { status, tUs: fields.atUs ?? this.host.nowUs(), after: obj.after() }
    if ('value' in fields) reply.value = fields.value
    if (fields.cause !== undefined) reply.cause = fields.cause
    if (fields.error) reply.error = fields.error
    c.call.reply(reply)
  }

  /**
   * Answers `pending` (the caller blocks) and arms the timeout, if any. `detach` must take the
   * call off the wait list it was put on before this.
   */
  park(c: Call, obj: Brokered, timeoutMs: number | null, detach: () => void, onTimeout?: () => void): void {
    c.detach = detach
    c.pended = true
    this.pending.add(c)
    if (!c.announced) {
      c.announced = true
      if (!this.disposed) c.call.reply({ status: 'pending', tUs: this.host.nowUs(), after: obj.after() })
    }
    if (timeoutMs !== null && onTimeout && timeoutMs <= MAX_TIMER_MS) {
      c.timer = setTimeout(() => {
        c.timer = null
        if (c.done) return
        c.detach()
        c.detach = () => {}
        onTimeout()
      }, timeoutMs)
    }
  }

  /** Forgets a call: no reply, off every list, no timer. */
  drop(c: Call): void {
    c.detach()
    c.detach = () => {}
    if (c.timer) clearTimeout(c.timer)
    c.timer = null
    c.done = true
    this.pending.delete(c)
  }

  /** A Python timeout in seconds to wall milliseconds; null waits forever. */
  timeoutMs(t: unknown): number | null {
    if (t === null || t === undefined) return null
    if (typeof t !== 'number' || Number.isNaN(t))
      throw new Raise('TypeError', 'timeout must be a number or None')
    if (t < 0) throw new Raise('ValueError', "'timeout' must be a non-negative number")
    return Math.max(0, this.host.toMs(t))
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item)
  if (i >= 0) list.splice(i, 1)
}

const ownerField = (key: number | null): number => (key === null ? 0 : key + 1)
const bool = (v: unknown, dflt: boolean): boolean => (v === undefined || v === null ? dflt : Boolean(v))

abstract class Brokered {
  constructor(
    protected readonly core: Core,
    readonly id: number,
    readonly kind: Kind,
    readonly name: string,
  ) {}

  abstract after(): number[]
  abstract op(c: Call, op: string, args: unknown[]): void

  /** The thread key of the holder, where the object has one. */
  owner(): number | null {
    return null
  }

  handle(): ProxyHandle {
    return { __mp: this.kind, id: this.id, name: this.name }
  }

  protected ok(c: Call, fields: Finish = {}): void {
    this.core.finish(c, this, 'ok', fields)
  }

  protected unknownOp(op: string): never {
    throw new Raise('AttributeError', `'${this.kind}' object has no attribute '${op}'`)
  }
}

// --- locks and conditions ------------------------------------------------------------------------

interface LockWaiter {
  c: Call
  count: number
  /** Called once the lock is this waiter's, with the event that handed it over. */
  grant: (cause: number) => void
}

class LockObj extends Brokered {
  holder: number | null = null
  count = 0
  readonly waiters: LockWaiter[] = []

  get recursive(): boolean {
    return this.kind === 'mp-rlock'
  }

  override owner(): number | null {
    return this.holder
  }

  after(): number[] {
    const owner = ownerField(this.holder)
    return this.recursive ? [owner, this.count, this.waiters.length] : [owner, this.waiters.length]
  }

  op(c: Call, op: string, args: unknown[]): void {
    if (op === 'acquire') this.acquire(c, args, this)
    else if (op === 'release') this.release(c, this)
    else this.unknownOp(op)
  }

  private tryAcquire(key: number): boolean {
    if (this.holder === null) {
      this.holder = key
      this.count = 1
      return true
    }
    if (this.recursive && this.holder === key) {
      this.count++
      return true
    }
    return false
  }

  /** acquire(block=True, timeout=None), answered with `view`'s state (the lock, or a condition on it). */
  acquire(c: Call, args: unknown[], view: Brokered): void {
    const blocking = bool(args[0], true)
    const ms = blocking ? this.core.timeoutMs(args[1]) : 0
    if (this.tryAcquire(c.key)) return this.core.finish(c, view, 'ok', { value: true })
    if (!blocking) return this.core.finish(c, view, 'fail', { value: false })
    if (ms === 0) return this.core.finish(c, view, 'timeout', { value: false })
    const w: LockWaiter = {
      c,
      count: 1,
      grant: (cause) => this.core.finish(c, view, 'ok', { value: true, cause }),
    }
    this.waiters.push(w)
    this.core.park(
      c,
      view,
      ms,
      () => remove(this.waiters, w),
      () => this.core.finish(c, view, 'timeout', { value: false }),
    )
  }

  release(c: Call, view: Brokered): void {
    if (this.recursive) {
      if (this.holder !== c.key) {
        throw new Raise('AssertionError', 'attempt to release recursive lock not owned by thread')
      }
      this.count--
      if (this.count === 0) this.handOff(c.event)
    } else {
      // A multiprocessing.Lock is a semaphore: any thread of any process may release it.
      if (this.holder === null) throw new Raise('ValueError', 'semaphore or lock released too many times')
      this.handOff(c.event)
    }
    this.core.finish(c, view, 'ok')
  }

  /** Lets go of the lock whatever its count (Condition.wait); returns the count to restore. */
  releaseAll(cause: number): number {
    const count = this.count
    this.handOff(cause)
    return count
  }

  /** Takes the lock with `count` now if it is free, else queues behind the others. `c` is pending already. */
  acquireOrQueue(c: Call, count: number, grant: (cause: number | null) => void): void {
    if (this.holder === null) {
      this.holder = c.key
      this.count = count
      grant(null)
      return
    }
    const w: LockWaiter = { c, count, grant }
    this.waiters.push(w)
    c.detach = () => remove(this.waiters, w)
  }

  /** The lock goes straight to the first waiter, if any. */
  private handOff(cause: number): void {
    this.holder = null
    this.count = 0
    const w = this.waiters.shift()
    if (!w) return
    w.c.detach = () => {}
    this.holder = w.c.key
    this.count = w.count
    w.grant(cause)
  }
}

interface CondWaiter {
  c: Call
  count: number
}

class ConditionObj extends Brokered {
  readonly waiters: CondWaiter[] = []

  constructor(
    core: Core,
    id: number,
    name: string,
    readonly lock: LockObj,
  ) {
    super(core, id, 'mp-condition', name)
  }

  override owner(): number | null {
    return this.lock.holder
  }

  override handle(): ProxyHandle {
    return { ...super.handle(), extra: { lock: this.lock.handle() } }
  }

  after(): number[] {
    return [ownerField(this.lock.holder), this.waiters.length]
  }

  op(c: Call, op: string, args: unknown[]): void {
    switch (op) {
      case 'acquire':
        return this.lock.acquire(c, args, this)
      case 'release':
        return this.lock.release(c, this)
      case 'wait':
        return this.wait(c, args)
      case 'notify':
        return this.notify(c, args[0] === undefined || args[0] === null ? 1 : Number(args[0]))
      case 'notify_all':
        return this.notify(c, Infinity)
      default:
        this.unknownOp(op)
    }
  }

  private wait(c: Call, args: unknown[]): void {
    const ms = this.core.timeoutMs(args[0])
    if (this.lock.holder !== c.key)
      throw new Raise('AssertionError', 'must acquire() condition before using wait()')
    const w: CondWaiter = { c, count: 0 }
    this.waiters.push(w)
    // The call will go pending, so its op event comes after a state event: the release below points at it.
    c.pended = true
    w.count = this.lock.releaseAll(c.event)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.waiters, w),
      () => this.reacquire(w, 'timeout', false, null),
    )
  }

  private notify(c: Call, n: number): void {
    if (this.lock.holder !== c.key) throw new Raise('AssertionError', 'lock is not owned')
    let woken = 0
    while (woken < n && this.waiters.length > 0) {
      const w = this.waiters.shift() as CondWaiter
      if (w.c.timer) clearTimeout(w.c.timer)
      w.c.timer = null
      woken++
      this.reacquire(w, 'ok', true, c.event)
    }
    this.ok(c, { value: woken })
  }

  /** After the wake-up (or the timeout), wait() takes the lock back before it returns. */
  private reacquire(w: CondWaiter, status: FinalStatus, value: boolean, wakeCause: number | null): void {
    w.c.detach = () => {}
    this.lock.acquireOrQueue(w.c, w.count, (handCause) =>
      this.core.finish(w.c, this, status, { value, cause: wakeCause ?? handCause }),
    )
  }
}

// --- semaphore, event, barrier -------------------------------------------------------------------

class SemaphoreObj extends Brokered {
  readonly waiters: Call[] = []

  constructor(
    core: Core,
    id: number,
    name: string,
    private value: number,
  ) {
    super(core, id, 'mp-semaphore', name)
  }

  after(): number[] {
    return [this.value, this.waiters.length]
  }

  op(c: Call, op: string, args: unknown[]): void {
    if (op === 'acquire') return this.acquire(c, args)
    if (op === 'release') return this.release(c)
    this.unknownOp(op)
  }

  private acquire(c: Call, args: unknown[]): void {
    const blocking = bool(args[0], true)
    const ms = blocking ? this.core.timeoutMs(args[1]) : 0
    if (this.value > 0) {
      this.value--
      return this.ok(c, { value: true })
    }
    if (!blocking) return this.core.finish(c, this, 'fail', { value: false })
    if (ms === 0) return this.core.finish(c, this, 'timeout', { value: false })
    this.waiters.push(c)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.waiters, c),
      () => this.core.finish(c, this, 'timeout', { value: false }),
    )
  }

  private release(c: Call): void {
    const w = this.waiters.shift()
    if (w) {
      w.detach = () => {}
      this.ok(w, { value: true, cause: c.event })
    } else this.value++
    this.ok(c)
  }
}

class EventObj extends Brokered {
  private flag = false
  private readonly waiters: Call[] = []

  after(): number[] {
    return [this.flag ? 1 : 0, this.waiters.length]
  }

  op(c: Call, op: string, args: unknown[]): void {
    switch (op) {
      case 'set': {
        this.flag = true
        const woken = this.waiters.splice(0)
        for (const w of woken) {
          w.detach = () => {}
          this.ok(w, { value: true, cause: c.event })
        }
        return this.ok(c, { value: woken.length })
      }
      case 'clear':
        this.flag = false
        return this.ok(c)
      case 'read':
        return this.ok(c, { value: this.flag })
      case 'wait': {
        const ms = this.core.timeoutMs(args[0])
        if (this.flag) return this.ok(c, { value: true })
        if (ms === 0) return this.core.finish(c, this, 'timeout', { value: false })
        this.waiters.push(c)
        return this.core.park(
          c,
          this,
          ms,
          () => remove(this.waiters, c),
          () => this.core.finish(c, this, 'timeout', { value: false }),
        )
      }
      default:
        this.unknownOp(op)
    }
  }
}

interface BarrierWaiter {
  c: Call
  index: number
}

class BarrierObj extends Brokered {
  /** Arrivals in this round; a waiter dropped with its dead process still counts, as in CPython. */
  private arrived = 0
  private broken = false
  private readonly waiters: BarrierWaiter[] = []

  constructor(
    core: Core,
    id: number,
    name: string,
    private readonly parties: number,
    private readonly defaultTimeout: number | null,
  ) {
    super(core, id, 'mp-barrier', name)
  }

  after(): number[] {
    return [this.arrived, this.broken ? 1 : 0]
  }

  op(c: Call, op: string, args: unknown[]): void {
    switch (op) {
      case 'wait':
        return this.wait(c, args)
      case 'abort':
        this.broken = true
        this.breakFor(c.event)
        return this.ok(c)
      case 'reset':
        this.breakFor(c.event)
        this.broken = false
        return this.ok(c)
      default:
        this.unknownOp(op)
    }
  }

  private wait(c: Call, args: unknown[]): void {
    const timeout = args[0] === undefined || args[0] === null ? this.defaultTimeout : args[0]
    const ms = this.core.timeoutMs(timeout)
    if (this.broken) throw new Raise(BROKEN_BARRIER.type, BROKEN_BARRIER.message)
    const index = this.arrived++
    if (this.arrived >= this.parties) {
      this.arrived = 0
      for (const w of this.waiters.splice(0)) {
        w.c.detach = () => {}
        this.ok(w.c, { value: w.index, cause: c.event })
      }
      return this.ok(c, { value: index })
    }
    const w: BarrierWaiter = { c, index }
    this.waiters.push(w)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.waiters, w),
      () => {
        // A timeout breaks the barrier for every party.
        this.broken = true
        this.breakFor(c.event)
        this.core.finish(c, this, 'timeout', { error: BROKEN_BARRIER })
      },
    )
  }

  /** Every waiter leaves with BrokenBarrierError. */
  private breakFor(cause: number): void {
    this.arrived = 0
    for (const w of this.waiters.splice(0)) {
      w.c.detach = () => {}
      this.core.finish(w.c, this, 'error', { cause, error: BROKEN_BARRIER })
    }
  }
}

// --- queues and pipes -----------------------------------------------------------------------------

interface Item {
  value: unknown
  /** The event of the put (or send) that brought it. */
  cause: number
}

interface Putter {
  c: Call
  value: unknown
}

class QueueObj extends Brokered {
  private readonly items: Item[] = []
  private readonly getters: Call[] = []
  private readonly putters: Putter[] = []
  private readonly joiners: Call[] = []
  private unfinished = 0

  constructor(
    core: Core,
    id: number,
    kind: 'mp-queue' | 'mp-joinable-queue',
    name: string,
    /** 0: unbounded. */
    private readonly maxsize: number,
  ) {
    super(core, id, kind, name)
  }

  after(): number[] {
    return [
      this.items.length,
      this.unfinished,
      this.getters.length + this.putters.length + this.joiners.length,
    ]
  }

  private full(): boolean {
    return this.maxsize > 0 && this.items.length >= this.maxsize
  }

  op(c: Call, op: string, args: unknown[]): void {
    switch (op) {
      case 'put':
        return this.put(c, args)
      case 'get':
        return this.get(c, args)
      case 'read':
        if (args[0] === 'qsize') return this.ok(c, { value: this.items.length })
        if (args[0] === 'empty') return this.ok(c, { value: this.items.length === 0 })
        if (args[0] === 'full') return this.ok(c, { value: this.full() })
        throw new Raise('ValueError', `cannot read ${String(args[0])} of a queue`)
      case 'task_done':
        this.joinable(op)
        if (this.unfinished <= 0) throw new Raise('ValueError', 'task_done() called too many times')
        this.unfinished--
        if (this.unfinished === 0) {
          for (const j of this.joiners.splice(0)) {
            j.detach = () => {}
            this.ok(j, { cause: c.event })
          }
        }
        return this.ok(c)
      case 'join':
        this.joinable(op)
        if (this.unfinished === 0) return this.ok(c)
        this.joiners.push(c)
        return this.core.park(c, this, null, () => remove(this.joiners, c))
      default:
        this.unknownOp(op)
    }
  }

  private joinable(op: string): void {
    if (this.kind !== 'mp-joinable-queue')
      throw new Raise('AttributeError', `'Queue' object has no attribute '${op}'`)
  }

  private put(c: Call, args: unknown[]): void {
    const [value] = args
    const block = bool(args[1], true)
    const ms = block ? this.core.timeoutMs(args[2]) : 0
    if (!this.full()) {
      this.enqueue(value, c.event)
      return this.ok(c)
    }
    if (!block) return this.core.finish(c, this, 'fail', { error: QUEUE_FULL })
    if (ms === 0) return this.core.finish(c, this, 'timeout', { error: QUEUE_FULL })
    const p: Putter = { c, value }
    this.putters.push(p)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.putters, p),
      () => this.core.finish(c, this, 'timeout', { error: QUEUE_FULL }),
    )
  }

  private get(c: Call, args: unknown[]): void {
    const block = bool(args[0], true)
    const ms = block ? this.core.timeoutMs(args[1]) : 0
    const item = this.items.shift()
    if (item) {
      this.admitPutter(c.event)
      return this.ok(c, { value: item.value, cause: item.cause })
    }
    if (!block) return this.core.finish(c, this, 'fail', { error: QUEUE_EMPTY })
    if (ms === 0) return this.core.finish(c, this, 'timeout', { error: QUEUE_EMPTY })
    this.getters.push(c)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.getters, c),
      () => this.core.finish(c, this, 'timeout', { error: QUEUE_EMPTY }),
    )
  }

  /** A new item goes to the first waiting getter, else to the back of the queue. */
  private enqueue(value: unknown, cause: number): void {
    if (this.kind === 'mp-joinable-queue') this.unfinished++
    const g = this.getters.shift()
    if (g) {
      g.detach = () => {}
      this.ok(g, { value, cause })
    } else this.items.push({ value, cause })
  }

  /** A get made room: the first blocked put goes in, caused by that get. */
  private admitPutter(cause: number): void {
    if (this.full()) return
    const p = this.putters.shift()
    if (!p) return
    p.c.detach = () => {}
    this.enqueue(p.value, p.c.event)
    this.ok(p.c, { cause })
  }
}

class PipeObj extends Brokered {
  /** Messages waiting to be received at end 0 and at end 1. */
  private readonly inbox: [Item[], Item[]] = [[], []]
  private readonly closed = [false, false]
  private readonly receivers: [Call[], Call[]] = [[], []]
  private readonly pollers: [Call[], Call[]] = [[], []]

  constructor(
    core: Core,
    id: number,
    name: string,
    private readonly duplex: boolean,
  ) {
    super(core, id, 'mp-pipe', name)
  }

  override handle(): ProxyHandle {
    return { ...super.handle(), extra: { duplex: this.duplex } }
  }

  after(): number[] {
    return [this.inbox[0].length + this.inbox[1].length]
  }

  op(c: Call, op: string, args: unknown[]): void {
    const end = args[0]
    if (end !== 0 && end !== 1)
      throw new Raise('ValueError', `a connection end is 0 or 1, not ${pyRepr(end)}`)
    switch (op) {
      case 'send':
        return this.send(c, end, args[1])
      case 'recv':
        return this.recv(c, end)
      case 'read':
        return this.poll(c, end, args[1] === undefined ? 0 : args[1])
      case 'reset':
        return this.close(c, end)
      default:
        this.unknownOp(op)
    }
  }

  private checkOpen(end: 0 | 1): void {
    if (this.closed[end]) throw new Raise('OSError', 'handle is closed')
  }

  private checkReadable(end: 0 | 1): void {
    this.checkOpen(end)
    if (!this.duplex && end === 1) throw new Raise('OSError', 'connection is write-only')
  }

  private send(c: Call, end: 0 | 1, value: unknown): void {
    this.checkOpen(end)
    if (!this.duplex && end === 0) throw new Raise('OSError', 'connection is read-only')
    const to = end === 0 ? 1 : 0
    if (this.closed[to]) throw new Raise('BrokenPipeError', '[Errno 32] Broken pipe')
    const r = this.receivers[to].shift()
    if (r) {
      r.detach = () => {}
      this.ok(r, { value, cause: c.event })
    } else {
      this.inbox[to].push({ value, cause: c.event })
      this.wakePollers(to, c.event)
    }
    this.ok(c)
  }

  private recv(c: Call, end: 0 | 1): void {
    this.checkReadable(end)
    const item = this.inbox[end].shift()
    if (item) return this.ok(c, { value: item.value, cause: item.cause })
    if (this.closed[end === 0 ? 1 : 0]) throw new Raise('EOFError', '')
    this.receivers[end].push(c)
    this.core.park(c, this, null, () => remove(this.receivers[end], c))
  }

  private poll(c: Call, end: 0 | 1, timeout: unknown): void {
    this.checkReadable(end)
    const ms = this.core.timeoutMs(timeout)
    if (this.inbox[end].length > 0 || this.closed[end === 0 ? 1 : 0]) return this.ok(c, { value: true })
    if (ms === 0) return this.ok(c, { value: false })
    this.pollers[end].push(c)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.pollers[end], c),
      () => this.core.finish(c, this, 'timeout', { value: false }),
    )
  }

  private wakePollers(end: 0 | 1, cause: number): void {
    for (const p of this.pollers[end].splice(0)) {
      p.detach = () => {}
      this.ok(p, { value: true, cause })
    }
  }

  private close(c: Call, end: 0 | 1): void {
    if (!this.closed[end]) {
      this.closed[end] = true
      this.inbox[end].length = 0
      const other = end === 0 ? 1 : 0
      // The other end reads what is left, then EOF.
      for (const r of this.receivers[other].splice(0)) {
        r.detach = () => {}
        this.core.finish(r, this, 'error', { cause: c.event, error: { type: 'EOFError', message: '' } })
      }
      this.wakePollers(other, c.event)
      // Threads still blocked on the end being closed cannot read from it any more.
      for (const w of [...this.receivers[end].splice(0), ...this.pollers[end].splice(0)]) {
        w.detach = () => {}
        this.core.finish(w, this, 'error', {
          cause: c.event,
          error: { type: 'OSError', message: 'handle is closed' },
        })
      }
    }
    this.ok(c)
  }
}

// --- shared memory and managers -----------------------------------------------------------------

class ValueObj extends Brokered {
  constructor(
    core: Core,
    id: number,
    name: string,
    private value: unknown,
    private readonly lock: LockObj | null,
  ) {
    super(core, id, 'mp-value', name)
  }

  override handle(): ProxyHandle {
    return this.lock ? { ...super.handle(), extra: { lock: this.lock.handle() } } : super.handle()
  }

  after(): number[] {
    return []
  }

  op(c: Call, op: string, args: unknown[]): void {
    if (op === 'read') return this.ok(c, { value: this.value })
    if (op === 'write') {
      this.value = args[0]
      return this.ok(c)
    }
    this.unknownOp(op)
  }
}

class ArrayObj extends Brokered {
  constructor(
    core: Core,
    id: number,
    name: string,
    private readonly items: unknown[],
    private readonly lock: LockObj | null,
  ) {
    super(core, id, 'mp-array', name)
  }

  override handle(): ProxyHandle {
    return this.lock ? { ...super.handle(), extra: { lock: this.lock.handle() } } : super.handle()
  }

  after(): number[] {
    return []
  }

  private index(i: unknown): number {
    if (typeof i !== 'number' || !Number.isInteger(i))
      throw new Raise('TypeError', 'indices must be integers')
    const j = i < 0 ? i + this.items.length : i
    if (j < 0 || j >= this.items.length) throw new Raise('IndexError', 'invalid index')
    return j
  }

  op(c: Call, op: string, args: unknown[]): void {
    if (op === 'read') {
      if (args[0] === null || args[0] === undefined) return this.ok(c, { value: [...this.items] })
      return this.ok(c, { value: this.items[this.index(args[0])] })
    }
    if (op === 'write') {
      this.items[this.index(args[0])] = args[1]
      return this.ok(c)
    }
    this.unknownOp(op)
  }
}

/** Python equality for keys and list items, as far as models use them (numbers, strings, tuples). */
function valueKey(v: unknown): string {
  if (typeof v === 'string') return `s:${v}`
  if (typeof v === 'boolean') return `n:${v ? 1 : 0}`
  if (v === undefined) return 'null'
  return `j:${JSON.stringify(v)}`
}

/**
 * A Manager's dict. `copy()` returns an array of [key, value] pairs (like `items()`), which survives
 * structured cloning and JSON with its keys' types intact.
 */
class DictObj extends Brokered {
  private readonly entries = new Map<string, [unknown, unknown]>()

  after(): number[] {
    return [this.entries.size]
  }

  op(c: Call, op: string, args: unknown[]): void {
    if (op !== 'call') this.unknownOp(op)
    const [method, ...a] = args
    this.ok(c, { value: this.call(String(method), a) })
  }

  update(from: unknown): void {
    for (const [k, v] of pairsOf(from)) this.entries.set(valueKey(k), [k, v])
  }

  private missing(key: unknown): never {
    throw new Raise('KeyError', pyRepr(key))
  }

  private call(method: string, a: unknown[]): unknown {
    const m = this.entries
    switch (method) {
      case '__setitem__':
        m.set(valueKey(a[0]), [a[0], a[1]])
        return null
      case '__getitem__': {
        const e = m.get(valueKey(a[0]))
        return e ? e[1] : this.missing(a[0])
      }
      case '__delitem__':
        if (!m.delete(valueKey(a[0]))) this.missing(a[0])
        return null
      case 'get': {
        const e = m.get(valueKey(a[0]))
        return e ? e[1] : (a[1] ?? null)
      }
      case 'setdefault': {
        const k = valueKey(a[0])
        if (!m.has(k)) m.set(k, [a[0], a[1] ?? null])
        return (m.get(k) as [unknown, unknown])[1]
      }
      case 'pop': {
        const k = valueKey(a[0])
        const e = m.get(k)
        if (!e) return a.length >= 2 ? a[1] : this.missing(a[0])
        m.delete(k)
        return e[1]
      }
      case 'keys':
        return [...m.values()].map((e) => e[0])
      case 'values':
        return [...m.values()].map((e) => e[1])
      case 'items':
      case 'copy':
        return [...m.values()].map((e) => [e[0], e[1]])
      case '__len__':
        return m.size
      case '__contains__':
        return m.has(valueKey(a[0]))
      case 'update':
        this.update(a[0])
        return null
      case 'clear':
        m.clear()
        return null
      default:
        throw new Raise('AttributeError', `'DictProxy' object has no attribute '${method}'`)
    }
  }
}

/** dict.update's argument: a Map, an array of pairs, or a plain object. */
function pairsOf(v: unknown): [unknown, unknown][] {
  if (v instanceof Map) return [...v.entries()]
  if (Array.isArray(v)) {
    return v.map((p) => {
      if (!Array.isArray(p) || p.length !== 2) {
        throw new Raise('ValueError', 'dictionary update sequence element has wrong length')
      }
      return [p[0], p[1]]
    })
  }
  if (typeof v === 'object' && v !== null) return Object.entries(v)
  throw new Raise('TypeError', `${pyRepr(v)} is not iterable`)
}

class ListObj extends Brokered {
  constructor(
    core: Core,
    id: number,
    name: string,
    private readonly items: unknown[],
  ) {
    super(core, id, 'mp-manager-list', name)
  }

  after(): number[] {
    return [this.items.length]
  }

  op(c: Call, op: string, args: unknown[]): void {
    if (op !== 'call') this.unknownOp(op)
    const [method, ...a] = args
    this.ok(c, { value: this.call(String(method), a) })
  }

  private index(i: unknown, message: string): number {
    if (typeof i !== 'number' || !Number.isInteger(i)) {
      throw new Raise('TypeError', `list indices must be integers or slices, not ${typeof i}`)
    }
    const j = i < 0 ? i + this.items.length : i
    if (j < 0 || j >= this.items.length) throw new Raise('IndexError', message)
    return j
  }

  private find(x: unknown): number {
    const k = valueKey(x)
    return this.items.findIndex((y) => valueKey(y) === k)
  }

  private call(method: string, a: unknown[]): unknown {
    const items = this.items
    switch (method) {
      case 'append':
        items.push(a[0])
        return null
      case 'extend':
        if (!Array.isArray(a[0])) throw new Raise('TypeError', `${pyRepr(a[0])} is not iterable`)
        items.push(...a[0])
        return null
      case 'insert': {
        const n = items.length
        const i = Number(a[0])
        items.splice(i < 0 ? Math.max(0, n + i) : Math.min(n, i), 0, a[1])
        return null
      }
      case '__getitem__':
        return items[this.index(a[0], 'list index out of range')]
      case '__setitem__':
        items[this.index(a[0], 'list assignment index out of range')] = a[1]
        return null
      case '__len__':
        return items.length
      case '__contains__':
        return this.find(a[0]) >= 0
      case 'pop': {
        if (items.length === 0) throw new Raise('IndexError', 'pop from empty list')
        const i = this.index(a[0] === undefined || a[0] === null ? -1 : a[0], 'pop index out of range')
        return items.splice(i, 1)[0]
      }
      case 'remove': {
        const i = this.find(a[0])
        if (i < 0) throw new Raise('ValueError', 'list.remove(x): x not in list')
        items.splice(i, 1)
        return null
      }
      case 'index': {
        const i = this.find(a[0])
        if (i < 0) throw new Raise('ValueError', `${pyRepr(a[0])} is not in list`)
        return i
      }
      case 'count': {
        const k = valueKey(a[0])
        return items.filter((y) => valueKey(y) === k).length
      }
      case 'copy':
        return [...items]
      default:
        throw new Raise('AttributeError', `'ListProxy' object has no attribute '${method}'`)
    }
  }
}

// --- processes ------------------------------------------------------------------------------------

const SIGNALS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGABRT: 6,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGTERM: 15,
}

function signalNumber(signal: string): number {
  return SIGNALS[signal] ?? (osConstants.signals as Record<string, number | undefined>)[signal] ?? 1
}

class ProcessObj extends Brokered {
  pid: number | null = null
  private parentPid: number | null = null
  private exited = false
  private exitcode: number | null = null
  /** The signal terminate()/kill() asked for: a launcher that can only kill still reports what Python sent. */
  private requestedSignal: string | null = null
  private readonly joiners: Call[] = []

  constructor(
    core: Core,
    id: number,
    name: string,
    private readonly broker: {
      processStarted(pid: number, p: ProcessObj): void
      /** Raises if the run may not start one more process. */
      checkProcessCap(): void
    },
  ) {
    super(core, id, 'process', name)
  }

  after(): number[] {
    return [this.alive ? 1 : 0, this.exitcode ?? 0]
  }

  private get alive(): boolean {
    return this.pid !== null && !this.exited
  }

  op(c: Call, op: string, args: unknown[]): void {
    switch (op) {
      case 'start':
        return this.start(c, args)
      case 'join':
        return this.join(c, args)
      case 'read':
        if (args[0] === 'alive') return this.ok(c, { value: this.alive })
        if (args[0] === 'exitcode') return this.ok(c, { value: this.exitcode })
        throw new Raise('ValueError', `cannot read ${String(args[0])} of a process`)
      case 'abort': {
        const signal = args[0]
        if (signal !== 'SIGTERM' && signal !== 'SIGKILL') {
          throw new Raise('ValueError', `cannot send ${String(signal)} to a process`)
        }
        if (this.pid === null) {
          const method = signal === 'SIGTERM' ? 'terminate' : 'kill'
          throw new Raise('AttributeError', `'NoneType' object has no attribute '${method}'`)
        }
        if (!this.exited) {
          this.requestedSignal ??= signal
          this.core.host.killProcess(this.pid, signal)
        }
        return this.ok(c)
      }
      default:
        this.unknownOp(op)
    }
  }

  private start(c: Call, args: unknown[]): void {
    if (this.pid !== null) throw new Raise('AssertionError', 'cannot start a process twice')
    const [target, targetArgs, daemon, startMethod, forked] = args
    if (typeof target !== 'string') throw new Raise('TypeError', 'a process target must be a name')
    this.broker.checkProcessCap()
    const spec: ProcessStartSpec = {
      objectId: this.id,
      name: this.name,
      target,
      args: Array.isArray(targetArgs) ? targetArgs : [],
      daemon: Boolean(daemon),
      startMethod: startMethod === 'fork' ? 'fork' : 'spawn',
      parentPid: c.pid,
      forkedObjects: Array.isArray(forked) ? (forked as ProcessStartSpec['forkedObjects']) : [],
    }
    // The start's moment is before the child's first event: a warm host may run the child before
    // this reply is written.
    const atUs = this.core.host.nowUs()
    const pid = this.core.host.startProcess(spec)
    this.pid = pid
    this.parentPid = c.pid
    this.broker.processStarted(pid, this)
    this.ok(c, { value: pid, atUs })
  }

  private join(c: Call, args: unknown[]): void {
    if (this.pid === null) throw new Raise('AssertionError', 'can only join a started process')
    if (c.pid !== this.parentPid) throw new Raise('AssertionError', 'can only join a child process')
    const ms = this.core.timeoutMs(args[0])
    if (this.exited) return this.ok(c, { value: null, cause: null })
    if (ms === 0) return this.core.finish(c, this, 'timeout', { value: null })
    this.joiners.push(c)
    this.core.park(
      c,
      this,
      ms,
      () => remove(this.joiners, c),
      () => this.core.finish(c, this, 'timeout', { value: null }),
    )
  }

  ended(code: number | null, signal: string | null): void {
    if (this.exited) return
    this.exited = true
    this.exitcode = signal ? -signalNumber(this.requestedSignal ?? signal) : (code ?? 0)
    for (const j of this.joiners.splice(0)) {
      j.detach = () => {}
      this.ok(j, { value: null, cause: null })
    }
  }
}

// --- the broker ---------------------------------------------------------------------------------

const CREATABLE = new Set<string>([...OBJECT_KINDS.filter((k) => k.startsWith('mp-')), 'process'])

export class Broker {
  private readonly core: Core
  private readonly objects = new Map<number, Brokered>()
  private readonly processes = new Map<number, ProcessObj>()
  /** Processes of the run not yet ended: MainProcess (index 0, started by the run itself) and those started here. */
  private readonly alive = new Set<number>([0])
  /** Processes the run has started, MainProcess included. */
  private started = 1
  private nextId = FIRST_ID

  constructor(
    private readonly host: BrokerHost,
    private readonly limits: Pick<RunLimits, 'processes'> = DEFAULT_LIMITS,
  ) {
    this.core = new Core(host)
  }

  /**
   * Like os.fork() when the OS will not make one more process: BlockingIOError, in the thread that
   * called start(), before anything is launched.
   */
  private checkProcessCap(): void {
    const refuse = (why: string): never => {
      throw new Raise('BlockingIOError', `[Errno 11] Resource temporarily unavailable (${why})`)
    }
    const cap = this.limits.processes
    if (this.alive.size >= cap)
      refuse(`this run allows at most ${cap} processes at once, MainProcess included`)
    if (this.started >= MAX_PROCESSES_PER_RUN)
      refuse(`a run may start at most ${MAX_PROCESSES_PER_RUN} processes in all`)
  }

  /** Every request goes here; the reply comes through `call.reply`, maybe later. */
  handle(call: BrokerCall): void {
    if (this.core.disposed) return
    const c = new Call(call)
    const { op, obj, args = [] } = call.request
    let target: Brokered | undefined
    try {
      if (op === 'create') return this.create(c, args)
      target = obj === undefined ? undefined : this.objects.get(obj)
      if (!target) throw new Raise('RuntimeError', `no multiprocessing object with id ${String(obj)}`)
      target.op(c, op, args)
    } catch (e) {
      if (c.done) throw e
      const error =
        e instanceof Raise
          ? { type: e.type, message: e.message }
          : { type: 'RuntimeError', message: `broker: ${e instanceof Error ? e.message : String(e)}` }
      this.core.drop(c)
      const reply: BrokerReply = { status: 'error', tUs: this.host.nowUs(), error }
      if (target) reply.after = target.after()
      call.reply(reply)
    }
  }

  /**
   * A process has ended. What its threads held stays held (a dead process never releases an mp.Lock);
   * its threads' pending calls are forgotten; those who join it go on.
   */
  processExited(pid: number, exitCode: number | null, signal: string | null): void {
    for (const c of [...this.core.pending]) if (c.pid === pid) this.core.drop(c)
    this.alive.delete(pid)
    this.processes.get(pid)?.ended(exitCode, signal)
  }

  /** Snapshot for the end-of-run report. `owner` is the holder's thread key (not the +1 of `after`). */
  describe(id: number): { kind: string; name: string; owner: number | null } | undefined {
    const o = this.objects.get(id)
    return o && { kind: o.kind, name: o.name, owner: o.owner() }
  }

  /** The run is over: no timer fires and no pending call is answered any more. */
  dispose(): void {
    this.core.disposed = true
    for (const c of [...this.core.pending]) this.core.drop(c)
  }

  private create(c: Call, args: unknown[]): void {
    const [kind, rawName, rawInit] = args
    if (typeof kind !== 'string' || !CREATABLE.has(kind)) {
      throw new Raise('ValueError', `cannot create a multiprocessing object of kind ${pyRepr(kind)}`)
    }
    const init = (typeof rawInit === 'object' && rawInit !== null ? rawInit : {}) as Record<string, unknown>
    const id = this.nextId++
    const name = typeof rawName === 'string' ? rawName : `${kind}-${id - FIRST_ID}`
    const obj = this.build(id, kind as Kind, name, init)
    this.register(obj)
    this.core.finish(c, obj, 'ok', { value: obj.handle() })
  }

  private register(obj: Brokered): void {
    this.objects.set(obj.id, obj)
    this.host.declareObject(obj.id, obj.kind)
  }

  /** An RLock that comes with another object (a Value's get_lock(), a Condition's own lock). */
  private companionLock(name: string): LockObj {
    const lock = new LockObj(this.core, this.nextId++, 'mp-rlock', name)
    this.register(lock)
    return lock
  }

  private build(id: number, kind: Kind, name: string, init: Record<string, unknown>): Brokered {
    const core = this.core
    switch (kind) {
      case 'mp-lock':
      case 'mp-rlock':
        return new LockObj(core, id, kind, name)
      case 'mp-condition': {
        const given =
          init.lock === null || init.lock === undefined ? null : this.objects.get(Number(init.lock))
        if (given === undefined) throw new Raise('ValueError', `no lock with id ${String(init.lock)}`)
        if (given !== null && !(given instanceof LockObj)) {
          throw new Raise('TypeError', `a Condition needs a Lock or an RLock, not a ${given.kind}`)
        }
        return new ConditionObj(core, id, name, given ?? this.companionLock(`${name}.lock`))
      }
      case 'mp-semaphore': {
        const size = init.size === undefined ? 1 : Number(init.size)
        if (!(size >= 0)) throw new Raise('ValueError', 'semaphore initial value must be >= 0')
        return new SemaphoreObj(core, id, name, size)
      }
      case 'mp-event':
        return new EventObj(core, id, kind, name)
      case 'mp-barrier': {
        const parties = Number(init.size)
        if (!Number.isInteger(parties) || parties < 1) throw new Raise('ValueError', 'parties must be > 0')
        const timeout = typeof init.timeout === 'number' ? init.timeout : null
        if (timeout !== null) core.timeoutMs(timeout)
        return new BarrierObj(core, id, name, parties, timeout)
      }
      case 'mp-queue':
      case 'mp-joinable-queue': {
        const size = Number(init.size ?? 0)
        return new QueueObj(core, id, kind, name, size > 0 ? size : 0)
      }
      case 'mp-pipe':
        return new PipeObj(core, id, name, bool(init.duplex, true))
      case 'mp-value': {
        const lock = bool(init.lock, true) ? this.companionLock(`${name}.lock`) : null
        return new ValueObj(core, id, name, init.value ?? 0, lock)
      }
      case 'mp-array': {
        const items =
          typeof init.init === 'number'
            ? new Array<number>(init.init).fill(0)
            : Array.isArray(init.init)
              ? [...init.init]
              : []
        const lock = bool(init.lock, true) ? this.companionLock(`${name}.lock`) : null
        return new ArrayObj(core, id, name, items, lock)
      }
      case 'mp-manager-dict': {
        const d = new DictObj(core, id, kind, name)
        if (init.initial !== undefined) d.update(init.initial)
        return d
      }
      case 'mp-manager-list':
        return new ListObj(core, id, name, Array.isArray(init.initial) ? [...init.initial] : [])
      case 'process':
        return new ProcessObj(core, id, name, {
          processStarted: (pid, p) => {
            this.processes.set(pid, p)
            this.alive.add(pid)
            this.started++
          },
          checkProcessCap: () => this.checkProcessCap(),
        })
      default:
        throw new Raise('ValueError', `cannot create a multiprocessing object of kind ${pyRepr(kind)}`)
    }
  }
}
