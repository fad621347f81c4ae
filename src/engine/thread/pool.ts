/**
 * multiprocessing.Pool, built as CPython builds it: worker processes that loop on a task queue
 * and answer on a result queue, both multiprocessing queues. `map()` cuts the items into chunks,
 * puts one task per chunk and assembles the results in order.
 *
 * CPython's Pool also runs three helper threads in the parent (one moves tasks from map() to
 * the task queue, one takes results off the result queue, one replaces dead workers). Here the
 * thread that calls map() puts the tasks and takes the results itself, so it is the one seen
 * blocked in map().
 */
import { availableParallelism } from 'node:os'
import { registerBuiltin } from './builtins'
import { PyError } from './errors'
import type { MpProcess, MpQueue, Multiprocessing } from './mp'
import type { Py } from './py'

/** A Python tuple on the wire: prints as one (`pyRepr`), survives cloning. */
export interface Tuple {
  __tuple: unknown[]
}

export function tuple(...items: unknown[]): Tuple {
  return { __tuple: items }
}

export function untuple(v: unknown): unknown[] {
  if (typeof v === 'object' && v !== null && Array.isArray((v as Tuple).__tuple)) return (v as Tuple).__tuple
  throw new Error(`expected a tuple, got ${JSON.stringify(v)}`)
}

/** Calls a function of the model by name, as a worker calls `func(*args)`; returns what it returns. */
export function callModelFunction(py: Py, name: string, args: unknown[]): unknown {
  const fn = py.functions[name] as ((py: Py, ...a: unknown[]) => unknown) | undefined
  if (!fn) throw new Error(`the model has no function '${name}'`)
  return fn(py, ...args)
}

/** An exception as it travels back to the caller: (type, message). */
export function errorOf(e: unknown): [string, string] {
  if (e instanceof PyError) return [e.type, e.message]
  throw e
}

const RUN = 0
const CLOSE = 1
const TERMINATE = 2

export class Pool {
  readonly processes: number
  private readonly inqueue: MpQueue
  private readonly outqueue: MpQueue
  private readonly pool: MpProcess[] = []
  private state = RUN

  constructor(mp: Multiprocessing, name: string, processes?: number | null) {
    const n = processes ?? availableParallelism()
    if (n < 1) throw new PyError('ValueError', 'Number of processes must be at least 1')
    this.processes = n
    // CPython: SimpleQueues, the pool's _inqueue and _outqueue.
    this.inqueue = mp.Queue(`${name}._inqueue`)
    this.outqueue = mp.Queue(`${name}._outqueue`)
    const prefix = mp.getStartMethod() === 'fork' ? 'Fork' : 'Spawn'
    for (let i = 0; i < n; i++) {
      const w = mp.Process({
        target: '__pool_worker',
        args: [this.inqueue, this.outqueue],
        // Process-N renamed, as Pool does: the number counts every process this one made.
        name: `${prefix}PoolWorker-${mp.processesMade + 1}`,
        daemon: true,
      })
      w.start()
      this.pool.push(w)
    }
  }

  /**
   * Pool.map(func, iterable, chunksize=None): blocks until every chunk is back. The default
   * chunksize is CPython's: len(iterable) / (4 * processes), rounded up.
   */
  map(fn: string, iterable: Iterable<unknown>, chunksize: number | null = null): unknown[] {
    if (this.state !== RUN) throw new PyError('ValueError', 'Pool not running')
    const items = [...iterable]
    let size = chunksize
    if (size === null) {
      size = Math.floor(items.length / (this.processes * 4))
      if (items.length % (this.processes * 4)) size += 1
    }
    if (items.length === 0) return []
    if (size < 1) throw new PyError('ValueError', `Chunksize must be 1+, not ${size}`)
    const chunks: unknown[][] = []
    for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size))
    chunks.forEach((chunk, i) => this.inqueue.put(tuple(i, fn, tuple(...chunk))))

    const results = new Array<unknown>(items.length).fill(null)
    let failure: [string, string] | null = null
    for (let left = chunks.length; left > 0; left--) {
      const [i, outcome] = untuple(this.outqueue.get()) as [number, Tuple]
      const [ok, value] = untuple(outcome)
      if (ok) results.splice(i * size, (value as unknown[]).length, ...(value as unknown[]))
      else failure ??= value as [string, string]
    }
    // Like MapResult, map() waits for every chunk and then raises the first failure.
    if (failure) throw new PyError(failure[0], failure[1])
    return results
  }

  /** No more tasks: each worker gets a sentinel and ends once it has done its tasks. */
  close(): void {
    if (this.state !== RUN) return
    this.state = CLOSE
    for (let i = 0; i < this.pool.length; i++) this.inqueue.put(null)
  }

  join(): void {
    if (this.state === RUN) throw new PyError('ValueError', 'Pool is still running')
    for (const p of this.pool) p.join()
  }

  /** Ends the workers at once (SIGTERM), done or not; what `with Pool(...)` does at its end. */
  terminate(): void {
    this.state = TERMINATE
    for (const p of this.pool) if (p.exitcode === null) p.terminate()
    for (const p of this.pool) p.join()
  }
}

/** multiprocessing.pool.worker: takes (i, func, chunk) tasks until a None, answers (i, (ok, results)). */
function poolWorker(py: Py, inqueue: MpQueue, outqueue: MpQueue): void {
  for (;;) {
    py.at(0)
    const task = inqueue.get()
    if (task === null) return
    const [i, fn, chunk] = untuple(task) as [number, string, Tuple]
    let outcome: Tuple
    try {
      outcome = tuple(
        true,
        untuple(chunk).map((x) => callModelFunction(py, fn, [x])),
      )
    } catch (e) {
      outcome = tuple(false, errorOf(e))
    }
    py.at(0)
    outqueue.put(tuple(i, outcome))
  }
}

registerBuiltin('__pool_worker', poolWorker)
