/**
 * concurrent.futures, built as CPython builds it. ThreadPoolExecutor: worker threads, started as
 * tasks come (up to max_workers), take work items off a queue.Queue. ProcessPoolExecutor: worker
 * processes take calls off a multiprocessing queue and put results on another, and a thread of
 * the parent (the executor manager thread) takes the results and sets the futures.
 *
 * A Future is a traced object of kind 'future'. Futures live in a table on shared memory that
 * the executor's threads share, so a worker thread can settle a future it got by number.
 */
import { availableParallelism } from 'node:os'
import { deserialize, serialize } from 'node:v8'
import { registerBuiltin } from './builtins'
import { C_THREAD_NAMES } from './control'
import { PyError } from './errors'
import { lockGuard, MAX_WAITERS, unlockGuard, WaitList } from './layout'
import type { MpProcess, MpQueue } from './mp'
import { callModelFunction, errorOf, tuple, untuple, type Tuple } from './pool'
import type { Py, PyThread } from './py'
import type { Queue, Semaphore } from './primitives'
import { pyRepr } from './repr'
import type { ThreadRuntime } from './runtime'

// --- futures --------------------------------------------------------------------------------------

const SLOTS = 512
const MAX_PROCESSES = 64
const RESULT_BYTES = 4096

// Header words: [0] the guard, then these.
const H_NEXT = 1
const H_PROCESSES = 2
const HEADER = 4
// Per slot: its state, then its wait list.
const SLOT_INTS = 1 + 1 + MAX_WAITERS
const PENDING = 0
const FINISHED = 1
const RAISED = 2
// Doubles per slot: the future's object id and the event that settled it.
const D_ID = 0
const D_SET = 1

const INT_WORDS = HEADER + SLOTS * SLOT_INTS
const DOUBLE_BASE = Math.ceil((INT_WORDS * 4) / 8)
const PROCESS_BASE = DOUBLE_BASE + SLOTS * 2
const BYTE_BASE = (PROCESS_BASE + MAX_PROCESSES) * 8
const TABLE_BYTES = BYTE_BASE + SLOTS * RESULT_BYTES

/**
 * The futures of one executor on one SharedArrayBuffer, which its threads share: one guard, and
 * per future its state, the threads blocked in result(), its id and its value.
 */
class FutureTable {
  private readonly i32: Int32Array
  private readonly f64: Float64Array

  constructor(readonly sab: SharedArrayBuffer = new SharedArrayBuffer(TABLE_BYTES)) {
    this.i32 = new Int32Array(sab)
    this.f64 = new Float64Array(sab, 0, Math.floor(sab.byteLength / 8))
  }

  guard(): void {
    lockGuard(this.i32)
  }
  unguard(): void {
    unlockGuard(this.i32)
  }

  private base(slot: number): number {
    return HEADER + slot * SLOT_INTS
  }
  state(slot: number): number {
    return this.i32[this.base(slot)]
  }
  waiters(slot: number): WaitList {
    return new WaitList(this.i32, this.base(slot) + 1)
  }
  objectId(slot: number): number {
    return this.f64[DOUBLE_BASE + slot * 2 + D_ID]
  }
  setEvent(slot: number): number {
    return this.f64[DOUBLE_BASE + slot * 2 + D_SET]
  }
  /** The future's state as OBJECT_STATE_FIELDS.future names it: done, waiters. */
  after(slot: number): number[] {
    return [this.state(slot) === PENDING ? 0 : 1, this.waiters(slot).count]
  }

  /** A new pending future, announced in this thread's trace. */
  newFuture(rt: ThreadRuntime, name: string): Future {
    const id = rt.newObjectId()
    this.guard()
    const slot = this.i32[H_NEXT]
    if (slot >= SLOTS) {
      this.unguard()
      throw new PyError('RuntimeError', `an executor here holds at most ${SLOTS} futures`)
    }
    this.i32[H_NEXT] = slot + 1
    this.f64[DOUBLE_BASE + slot * 2 + D_ID] = id
    this.f64[DOUBLE_BASE + slot * 2 + D_SET] = -1
    this.unguard()
    rt.announce({ __py: 'future', id, name }, 0)
    return new Future(rt, this, slot, id, name)
  }

  /** set_result / set_exception: stores the outcome and wakes every thread blocked in result(). */
  settle(rt: ThreadRuntime, slot: number, value: unknown, error: [string, string] | null): void {
    rt.checkpoint()
    const bytes = serialize(error ?? value)
    if (bytes.length > RESULT_BYTES)
      throw new PyError('MemoryError', 'a future result this large is not modelled')
    this.guard()
    new Uint8Array(this.sab, BYTE_BASE + slot * RESULT_BYTES, bytes.length).set(bytes)
    this.i32[this.base(slot)] = error ? RAISED : FINISHED
    const waiters = this.waiters(slot)
    const woken: number[] = []
    while (waiters.count > 0) woken.push(waiters.shift())
    const shown = error ? `raised ${error[0]}${error[1] ? `: ${error[1]}` : ''}` : pyRepr(value)
    const ev = rt.recordOp(this.objectId(slot), 'set', 'ok', this.after(slot), null, shown)
    this.f64[DOUBLE_BASE + slot * 2 + D_SET] = ev
    // Signalled once the guard is free, which is the first thing they take (as primitives do).
    for (const tid of woken) rt.markWoken(tid, ev)
    this.unguard()
    for (const tid of woken) rt.signal(tid)
  }

  /** The stored outcome; the guard is held and the future is done. */
  outcome(slot: number): { value: unknown; error: [string, string] | null } {
    const stored = deserialize(
      new Uint8Array(this.sab, BYTE_BASE + slot * RESULT_BYTES, RESULT_BYTES).slice(),
    )
    return this.state(slot) === RAISED
      ? { value: null, error: stored as [string, string] }
      : { value: stored, error: null }
  }

  addProcess(id: number): void {
    this.guard()
    const n = this.i32[H_PROCESSES]
    if (n >= MAX_PROCESSES) {
      this.unguard()
      throw new PyError('RuntimeError', `an executor here has at most ${MAX_PROCESSES} processes`)
    }
    this.f64[PROCESS_BASE + n] = id
    this.i32[H_PROCESSES] = n + 1
    this.unguard()
  }

  processIds(): number[] {
    this.guard()
    const ids = Array.from({ length: this.i32[H_PROCESSES] }, (_, k) => this.f64[PROCESS_BASE + k])
    this.unguard()
    return ids
  }
}

/** concurrent.futures.Future, as submit() returns it. */
export class Future {
  constructor(
    private readonly rt: ThreadRuntime,
    private readonly table: FutureTable,
    readonly slot: number,
    readonly id: number,
    readonly name: string,
  ) {}

  done(): boolean {
    const rt = this.rt
    rt.checkpoint()
    this.table.guard()
    const done = this.table.state(this.slot) !== PENDING
    rt.recordOp(this.id, 'read', 'ok', this.table.after(this.slot), null, `done() -> ${pyRepr(done)}`)
    this.table.unguard()
    return done
  }

  /**
   * result(timeout=None): blocks until the future is done, then returns its value or raises its
   * exception; TimeoutError if it is not done in time.
   */
  result(timeout: number | null = null): unknown {
    const rt = this.rt
    const table = this.table
    const slot = this.slot
    rt.checkpoint()
    const deadline = rt.deadline(timeout === null ? null : Math.max(0, timeout))
    let blocked = false
    table.guard()
    for (;;) {
      if (table.state(slot) !== PENDING) {
        const { value, error } = table.outcome(slot)
        const shown = error ? `raised ${error[0]}` : pyRepr(value)
        rt.recordOp(this.id, 'get', error ? 'error' : 'ok', table.after(slot), table.setEvent(slot), shown)
        table.unguard()
        if (blocked) rt.leaveBlocking()
        if (error) throw new PyError(error[0], error[1])
        return value
      }
      if (performance.now() >= deadline) {
        rt.recordOp(this.id, 'get', 'timeout', table.after(slot))
        table.unguard()
        if (blocked) rt.leaveBlocking()
        throw new PyError('TimeoutError')
      }
      rt.armPark()
      table.waiters(slot).push(rt.tid)
      table.unguard()
      if (!blocked) {
        rt.enterBlocking('blocked', this.id)
        blocked = true
      }
      rt.park(deadline)
      table.guard()
      table.waiters(slot).remove(rt.tid)
    }
  }
}

/** The name a future has in the trace: the call it stands for. */
function callName(fn: string, args: unknown[]): string {
  return `${fn}(${args.map(pyRepr).join(', ')})`
}

/** Executor.map: submits every call at once, then takes the results in order, blocking in result(). */
function mapCalls(submit: (args: unknown[]) => Future, iterables: Iterable<unknown>[]): unknown[] {
  const lists = iterables.map((it) => [...it])
  const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length))
  const futures = Array.from({ length: n }, (_, i) => submit(lists.map((l) => l[i])))
  return futures.map((f) => f.result())
}

/** Runs one work item: the function, then the future settled with its value or its exception. */
function runCall(py: Py, fn: string, args: unknown[]): { value: unknown; error: [string, string] | null } {
  try {
    return { value: callModelFunction(py, fn, args), error: null }
  } catch (e) {
    return { value: null, error: errorOf(e) }
  }
}

// --- ThreadPoolExecutor ---------------------------------------------------------------------------

/** ThreadPoolExecutor._counter: names the pools of this thread's process in order. */
let threadPools = 0

export class ThreadPoolExecutor {
  readonly maxWorkers: number
  private readonly prefix: string
  private readonly workQueue: Queue
  private readonly idle: Semaphore
  private readonly table = new FutureTable()
  private readonly threads: PyThread[] = []
  private shut = false

  constructor(
    private readonly py: Py,
    name: string,
    maxWorkers: number | null = null,
  ) {
    this.maxWorkers = maxWorkers ?? Math.min(32, availableParallelism() + 4)
    if (this.maxWorkers <= 0) throw new PyError('ValueError', 'max_workers must be greater than 0')
    this.prefix = `ThreadPoolExecutor-${threadPools++}`
    // CPython: a queue.SimpleQueue.
    this.workQueue = py.Queue(`${name}._work_queue`)
    this.idle = py.Semaphore(`${name}._idle_semaphore`, 0)
  }

  submit(fn: string, ...args: unknown[]): Future {
    if (this.shut) throw new PyError('RuntimeError', 'cannot schedule new futures after shutdown')
    const f = this.table.newFuture(this.py.rt, callName(fn, args))
    this.workQueue.put(tuple(f.slot, fn, tuple(...args)))
    this.adjustThreadCount()
    return f
  }

  map(fn: string, ...iterables: Iterable<unknown>[]): unknown[] {
    return mapCalls((args) => this.submit(fn, ...args), iterables)
  }

  /** An idle worker takes the new item; otherwise a new worker starts, up to max_workers. */
  private adjustThreadCount(): void {
    if (this.idle.acquire(true, 0)) return
    const n = this.threads.length
    if (n < this.maxWorkers) {
      const t = this.py.Thread({
        target: '__thread_pool_worker',
        name: `${this.prefix}_${n}`,
        args: [this.workQueue, this.table.sab, this.idle],
      })
      t.start()
      this.threads.push(t)
    }
  }

  /** shutdown(wait=True): a None tells the workers to stop once the queue is done; wait joins them. */
  shutdown(wait = true): void {
    this.shut = true
    this.workQueue.put(null)
    if (wait) for (const t of this.threads) t.join()
  }
}

/** concurrent.futures.thread._worker. Library code: its own steps have no line of program.py. */
function threadPoolWorker(py: Py, workQueue: Queue, sab: SharedArrayBuffer, idle: Semaphore): void {
  const table = new FutureTable(sab)
  for (;;) {
    py.at(0)
    const item = workQueue.get()
    if (item !== null) {
      const [slot, fn, args] = untuple(item) as [number, string, Tuple]
      const { value, error } = runCall(py, fn, untuple(args))
      py.at(0)
      table.settle(py.rt, slot, value, error)
      idle.release()
      continue
    }
    // Shut down: pass the None on, so that the next worker stops too.
    workQueue.put(null)
    return
  }
}

registerBuiltin('__thread_pool_worker', threadPoolWorker)

// --- ProcessPoolExecutor --------------------------------------------------------------------------

export class ProcessPoolExecutor {
  readonly maxWorkers: number
  private readonly callQueue: MpQueue
  private readonly resultQueue: MpQueue
  private readonly idle: Semaphore
  private readonly table = new FutureTable()
  private readonly processes: MpProcess[] = []
  private readonly fork: boolean
  private managerThread: PyThread | null = null
  private shut = false

  constructor(
    private readonly py: Py,
    name: string,
    maxWorkers: number | null = null,
  ) {
    this.maxWorkers = maxWorkers ?? availableParallelism()
    if (this.maxWorkers <= 0) throw new PyError('ValueError', 'max_workers must be greater than 0')
    this.fork = py.mp.getStartMethod() === 'fork'
    // CPython bounds the call queue (max_workers + 1) and its manager thread feeds it from a
    // local queue; here submit() puts each call straight on it, unbounded, so submit never blocks.
    this.callQueue = py.mp.Queue(`${name}._call_queue`)
    this.resultQueue = py.mp.Queue(`${name}._result_queue`)
    this.idle = py.Semaphore(`${name}._idle_worker_semaphore`, 0)
  }

  submit(fn: string, ...args: unknown[]): Future {
    if (this.shut) throw new PyError('RuntimeError', 'cannot schedule new futures after shutdown')
    const f = this.table.newFuture(this.py.rt, callName(fn, args))
    this.callQueue.put(tuple(f.slot, fn, tuple(...args)))
    // Under fork all workers start with the manager thread; otherwise one more per busy submit.
    if (!this.fork) this.adjustProcessCount()
    this.startManagerThread()
    return f
  }

  map(fn: string, ...iterables: Iterable<unknown>[]): unknown[] {
    return mapCalls((args) => this.submit(fn, ...args), iterables)
  }

  private adjustProcessCount(): void {
    if (this.idle.acquire(false)) return
    if (this.processes.length < this.maxWorkers) this.spawnProcess()
  }

  private spawnProcess(): void {
    const mp = this.py.mp
    const prefix = this.fork ? 'Fork' : 'Spawn'
    const p = mp.Process({
      target: '__process_pool_worker',
      args: [this.callQueue, this.resultQueue],
      name: `${prefix}Process-${mp.processesMade + 1}`,
    })
    p.start()
    this.processes.push(p)
    this.table.addProcess(p.id)
  }

  private startManagerThread(): void {
    if (this.managerThread) return
    if (this.fork) while (this.processes.length < this.maxWorkers) this.spawnProcess()
    // A Thread subclass without a target: CPython names it Thread-N.
    const n = Atomics.add(this.py.rt.control.i32, C_THREAD_NAMES, 1) + 1
    this.managerThread = this.py.Thread({
      target: '__executor_manager',
      name: `Thread-${n}`,
      args: [this.resultQueue, this.table.sab, this.idle],
    })
    this.managerThread.start()
  }

  /**
   * shutdown(wait=True): one None per worker after the calls already queued (CPython's manager
   * thread sends them); the manager thread ends once every worker has said it is gone.
   */
  shutdown(wait = true): void {
    this.shut = true
    for (let i = 0; i < this.processes.length; i++) this.callQueue.put(null)
    if (this.managerThread && wait) this.managerThread.join()
  }
}

/** concurrent.futures.process._process_worker: runs calls until a None, then says it is gone. */
function processPoolWorker(py: Py, callQueue: MpQueue, resultQueue: MpQueue): void {
  for (;;) {
    py.at(0)
    const item = callQueue.get()
    if (item === null) {
      // os.getpid(): wakes the manager thread, which counts the workers gone.
      resultQueue.put(process.pid)
      return
    }
    const [slot, fn, args] = untuple(item) as [number, string, Tuple]
    const { value, error } = runCall(py, fn, untuple(args))
    py.at(0)
    resultQueue.put(tuple(slot, value, error))
  }
}

/**
 * The executor manager thread: takes each result off the result queue and sets its future; once
 * every worker has exited, joins their processes and ends.
 */
function executorManager(py: Py, resultQueue: MpQueue, sab: SharedArrayBuffer, idle: Semaphore): void {
  const table = new FutureTable(sab)
  let gone = 0
  for (;;) {
    py.at(0)
    const item = resultQueue.get()
    if (typeof item === 'number') {
      const ids = table.processIds()
      if (++gone < ids.length) continue
      for (const id of ids) (py.revive({ __mp: 'process', id, name: '' }) as MpProcess).join()
      return
    }
    const [slot, value, error] = untuple(item) as [number, unknown, [string, string] | null]
    table.settle(py.rt, slot, value, error)
    idle.release()
  }
}

registerBuiltin('__process_pool_worker', processPoolWorker)
registerBuiltin('__executor_manager', executorManager)
