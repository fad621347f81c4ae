/**
 * The API a scenario's model is written in: Python's threading, queue, time and
 * multiprocessing, called synchronously from a worker thread. `py.at(line)` says which line of
 * program.py the following calls stand for.
 */
import type { ParamValues } from '../../shared/scenario'
import { code, RecordType } from '../records'
import {
  ALIVE_ENDED,
  ALIVE_STARTING,
  C_LIVE_THREADS,
  C_NEXT_TID,
  C_THREAD_CAP,
  C_THREAD_NAMES,
  D_END_EVENT,
  MAX_THREADS,
  STEP_RUN,
  T_ALIVE,
  T_STEP,
  threadDouble,
  threadWord,
} from './control'
import { Asyncio } from './asyncio'
import { PyError } from './errors'
import { ProcessPoolExecutor, ThreadPoolExecutor } from './executor'
import type { ThreadFunction } from '../scenario'
import { isHandle, type ObjectHandle } from './layout'
import { Multiprocessing, reviveProxy, isProxyHandle, type ProxyHandle } from './mp'
import {
  Barrier,
  Condition,
  Event,
  Lock,
  Queue,
  RLock,
  Semaphore,
  Variable,
  reviveObject,
} from './primitives'
import { pyStr } from './repr'
import { wireHelpers } from './mp'
import type { ThreadRuntime } from './runtime'

/** JS iterations of real arithmetic that stand for one iteration of a CPython loop (about 25 ns). */
export const JS_WORK_PER_PY_ITERATION = 24
const CHUNK = 40_000
/** The shortest real sleep: what a zero-length sleep system call costs on Linux. */
const MIN_SLEEP_MS = 0.05
let sink = 1

/** Burns `iterations` of real CPU work; returns a value so the work cannot be optimised away. */
export function spin(iterations: number, seed: number): number {
  let x = seed | 1
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
  }
  return x
}

export interface ThreadHandleWire {
  __py: 'thread'
  id: number
  name: string
  tid: number
}

export class PyThread {
  tid = -1

  constructor(
    private readonly rt: ThreadRuntime,
    readonly id: number,
    readonly name: string,
    readonly target: string,
    private readonly args: unknown[],
    readonly daemon: boolean,
  ) {}

  get ident(): number | null {
    return this.tid >= 0 ? this.tid : null
  }

  start(): void {
    const rt = this.rt
    rt.checkpoint()
    if (this.tid >= 0) throw new PyError('RuntimeError', 'threads can only be started once')
    const i32 = rt.control.i32
    const tid = this.reserveThread(i32)
    this.tid = tid
    Atomics.store(i32, threadWord(tid, T_ALIVE), ALIVE_STARTING)
    // Step mode: the new thread runs until its first operation; the next step waits for it.
    if (rt.options.step) Atomics.store(i32, threadWord(tid, T_STEP), STEP_RUN)
    rt.recordOp(this.id, 'start', 'ok', [1], null, this.name)
    rt.send({
      type: 'thread:start',
      tid,
      name: this.name,
      target: this.target,
      args: toWire(this.args) as unknown[],
      daemon: this.daemon,
    })
    // Like CPython, start() returns once the new thread runs.
    rt.enterBlocking('blocked', this.id)
    const idx = threadWord(tid, T_ALIVE)
    while (Atomics.load(i32, idx) === ALIVE_STARTING) rt.blockWait(i32, idx, ALIVE_STARTING, Infinity)
    rt.leaveBlocking()
  }

  /**
   * Takes a place under the run's cap on live threads and a thread id, or raises RuntimeError as
   * CPython does when the OS will not give it another thread (traced as a failed start).
   */
  private reserveThread(i32: Int32Array): number {
    const cap = Atomics.load(i32, C_THREAD_CAP)
    for (;;) {
      const live = Atomics.load(i32, C_LIVE_THREADS)
      if (live >= cap) this.refuse(`this run allows at most ${cap} threads per process`)
      if (Atomics.compareExchange(i32, C_LIVE_THREADS, live, live + 1) === live) break
    }
    for (;;) {
      const tid = Atomics.load(i32, C_NEXT_TID)
      if (tid >= MAX_THREADS) {
        Atomics.sub(i32, C_LIVE_THREADS, 1)
        this.refuse(`a process may start at most ${MAX_THREADS} threads in all`)
      }
      // Never past the last slot: the host reads every slot below C_NEXT_TID.
      if (Atomics.compareExchange(i32, C_NEXT_TID, tid, tid + 1) === tid) return tid
    }
  }

  private refuse(why: string): never {
    const message = `can't start new thread (${why})`
    this.rt.recordOp(this.id, 'start', 'error', [0], null, message)
    throw new PyError('RuntimeError', message)
  }

  join(timeout: number | null = null): void {
    const rt = this.rt
    rt.checkpoint()
    if (this.tid < 0) throw new PyError('RuntimeError', 'cannot join thread before it is started')
    if (this.tid === rt.tid) throw new PyError('RuntimeError', 'cannot join current thread')
    const i32 = rt.control.i32
    const idx = threadWord(this.tid, T_ALIVE)
    const deadline = rt.deadline(timeout)
    let blocked = false
    for (;;) {
      const alive = Atomics.load(i32, idx)
      if (alive === ALIVE_ENDED) break
      const left = deadline - performance.now()
      if (left <= 0) break
      if (!blocked) {
        rt.enterBlocking('blocked', this.id)
        blocked = true
      }
      rt.blockWait(i32, idx, alive, left)
    }
    const ended = Atomics.load(i32, idx) === ALIVE_ENDED
    const cause = ended ? rt.control.f64[threadDouble(this.tid, D_END_EVENT)] : -1
    rt.recordOp(this.id, 'join', ended ? 'ok' : 'timeout', [ended ? 0 : 1], cause >= 0 ? cause : null)
    if (blocked) rt.leaveBlocking()
  }

  isAlive(): boolean {
    this.rt.checkpoint()
    if (this.tid < 0) return false
    return Atomics.load(this.rt.control.i32, threadWord(this.tid, T_ALIVE)) !== ALIVE_ENDED
  }

  toWire(): ThreadHandleWire {
    return { __py: 'thread', id: this.id, name: this.name, tid: this.tid }
  }
}

export interface ThreadOptions {
  target: string
  args?: unknown[]
  name?: string
  daemon?: boolean
}

export class Py {
  readonly mp: Multiprocessing
  /** The model's functions by name, for the runtime's own workers (a Pool's, an executor's); set by the worker. */
  functions: Record<string, ThreadFunction> = {}

  constructor(
    readonly rt: ThreadRuntime,
    readonly params: ParamValues,
    readonly processName: string,
  ) {
    this.mp = new Multiprocessing(rt, this, processName)
  }

  private asyncioModule: Asyncio | undefined
  /** asyncio on this thread: run, createTask, sleep, gather (engine/thread/asyncio.ts). */
  get asyncio(): Asyncio {
    return (this.asyncioModule ??= new Asyncio(this.rt, this))
  }

  /** The line of program.py that the next calls stand for. */
  at(line: number): void {
    this.rt.line = line
  }

  /** A run parameter, typed. */
  int(name: string): number {
    return Number(this.params[name])
  }
  choice(name: string): string {
    return String(this.params[name])
  }

  currentThread(): { name: string; ident: number } {
    return { name: this.rt.name, ident: this.rt.tid }
  }

  print(...values: unknown[]): void {
    const rt = this.rt
    rt.checkpoint()
    const text = values.map(pyStr).join(' ')
    rt.tracer.record(code(RecordType.Print, 0), -1, rt.line, 0, 0, 0, -1, rt.tracer.text(text))
  }

  /** Reports a value the scenario computed (the final counter, the results list). */
  result(key: string, value: unknown): void {
    const t = this.rt.tracer
    t.record(
      code(RecordType.Result, 0),
      -1,
      this.rt.line,
      t.text(key),
      0,
      0,
      -1,
      t.text(JSON.stringify(value)),
    )
  }

  /** time.perf_counter(): seconds on a monotonic clock, divided by the run's speed. */
  perfCounter(): number {
    this.rt.checkpoint()
    return performance.now() / 1000 / this.rt.options.speed
  }

  /** time.sleep: drops the GIL and really sleeps (scaled by the run's speed). */
  sleep(seconds: number): void {
    if (seconds < 0) throw new PyError('ValueError', 'sleep length must be non-negative')
    this.wait('sleeping', seconds)
  }

  /** A simulated I/O wait (a socket read, a disk access): the GIL is free meanwhile. */
  io(seconds: number): void {
    this.wait('io', seconds)
  }

  private wait(state: 'sleeping' | 'io', seconds: number): void {
    const rt = this.rt
    rt.checkpoint()
    rt.enterBlocking(state, -1, true)
    const cell = new Int32Array(new SharedArrayBuffer(4))
    // time.sleep(0) still enters the kernel (tens of microseconds with timer slack), long enough
    // for a thread waiting for the GIL to take it; so does this.
    const until = performance.now() + Math.max(rt.toMs(seconds), MIN_SLEEP_MS)
    for (let left = until - performance.now(); left > 0; left = until - performance.now()) {
      rt.blockWait(cell, 0, 0, left)
    }
    rt.leaveBlocking()
  }

  /**
   * CPU-bound Python: `while n > 0: n -= 1`. Really burns CPU, checking for a GIL drop
   * request between chunks as CPython's eval loop does. The run's speed scales the work, as it
   * scales sleeps: at speed 2 (half as fast) the same count burns twice the CPU.
   */
  countdown(n: number): void {
    this.burn(n * JS_WORK_PER_PY_ITERATION * this.rt.options.speed)
  }

  private burn(iterations: number): void {
    const rt = this.rt
    rt.checkpoint()
    for (let left = iterations; left > 0; left -= CHUNK) {
      sink = spin(Math.min(left, CHUNK), sink)
      rt.tick()
      if (rt.tracer.pending > 0 && rt.tracer.dueInUs() <= 0) rt.tracer.flush()
    }
  }

  /**
   * A busy-wait loop, `while not test(v): pass`: checks `v` over and over, burning real CPU and
   * offering the GIL between chunks like any Python loop, with no event per check. The check that
   * ends the loop is one traced read of `v`; returns the value it read.
   */
  spinUntil<T>(v: Variable<T>, test: (value: T) => boolean): T {
    const rt = this.rt
    for (;;) {
      if (test(v.peek())) {
        const value = v.get()
        if (test(value)) return value
      }
      sink = spin(CHUNK, sink)
      // Each round of the busy loop is an operation: in step mode the spinner waits its turn.
      rt.checkpoint()
      if (rt.tracer.pending > 0 && rt.tracer.dueInUs() <= 0) rt.tracer.flush()
    }
  }

  Thread(options: ThreadOptions): PyThread {
    const rt = this.rt
    // CPython numbers only the threads it names itself.
    const name =
      options.name ?? `Thread-${Atomics.add(rt.control.i32, C_THREAD_NAMES, 1) + 1} (${options.target})`
    const id = rt.newObjectId()
    rt.announce({ __py: 'thread', id, name }, 0)
    return new PyThread(rt, id, name, options.target, options.args ?? [], options.daemon ?? false)
  }

  Lock(name: string): Lock {
    return Lock.create(this.rt, name)
  }
  RLock(name: string): RLock {
    return RLock.create(this.rt, name)
  }
  Condition(name: string, lock?: Lock): Condition {
    return Condition.create(this.rt, name, lock)
  }
  Semaphore(name: string, value = 1): Semaphore {
    return Semaphore.create(this.rt, name, value)
  }
  BoundedSemaphore(name: string, value = 1): Semaphore {
    return Semaphore.create(this.rt, name, value, true)
  }
  Event(name: string): Event {
    return Event.create(this.rt, name)
  }
  Barrier(name: string, parties: number, timeout: number | null = null): Barrier {
    return Barrier.create(this.rt, name, parties, timeout)
  }
  Queue(name: string, maxsize = 0): Queue {
    return Queue.create(this.rt, name, maxsize)
  }
  /** A module-level variable (a global) that the threads of this process share. */
  shared<T>(name: string, initial: T): Variable<T> {
    return Variable.create(this.rt, name, initial)
  }

  /** concurrent.futures.ThreadPoolExecutor(max_workers): worker threads started as tasks come. */
  ThreadPoolExecutor(name: string, maxWorkers: number | null = null): ThreadPoolExecutor {
    return new ThreadPoolExecutor(this, name, maxWorkers)
  }
  /** concurrent.futures.ProcessPoolExecutor(max_workers): worker processes and a manager thread. */
  ProcessPoolExecutor(name: string, maxWorkers: number | null = null): ProcessPoolExecutor {
    return new ProcessPoolExecutor(this, name, maxWorkers)
  }

  revive(value: unknown): unknown {
    return fromWire(this.rt, this, value)
  }
}

/** Replaces live objects by their handles, for a message to another thread or process. */
export function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof PyThread) return value.toWire()
  if ('handle' in value && isHandle((value as { handle: unknown }).handle)) {
    return (value as { handle: ObjectHandle }).handle
  }
  if ('proxyHandle' in value) return (value as { proxyHandle: ProxyHandle }).proxyHandle
  if (Array.isArray(value)) return value.map(toWire)
  if (Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)]))
  }
  return value
}

/** Rebuilds live objects from handles, in this thread. */
export function fromWire(rt: ThreadRuntime, py: Py, value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map((v) => fromWire(rt, py, v))
  if (isProxyHandle(value)) return reviveProxy(rt, py, value)
  if ('__py' in value && (value as { __py: string }).__py === 'thread') {
    const w = value as ThreadHandleWire
    const t = new PyThread(rt, w.id, w.name, '', [], false)
    t.tid = w.tid
    return t
  }
  if (isHandle(value)) return reviveObject(rt, value) ?? value
  if (Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromWire(rt, py, v)]))
  }
  return value
}

wireHelpers.toWire = toWire
