/**
 * multiprocessing's objects, seen from a thread: proxies whose every operation is a call to
 * the broker (the orchestrator owns their state, since memory cannot be shared between
 * processes). A blocking call parks this thread on its reply word; the GIL is free meanwhile.
 */
import type { ObjectKind, Op, OpResult } from '../../shared/trace'
import type { BrokerReply } from '../../shared/protocol'
import { PyError } from './errors'
import { pyRepr } from './repr'
import type { ThreadRuntime } from './runtime'
import type { Py } from './py'
import { ManagedCollection, SyncManager } from './manager'
import { Pool } from './pool'

export { ManagedCollection, SyncManager, Pool }

export interface ProxyHandle {
  __mp: ObjectKind | 'process' | 'manager'
  id: number
  name: string
  /** Kind-specific: a condition's lock, a connection's end, a value's lock. */
  extra?: Record<string, unknown>
}

export function isProxyHandle(v: unknown): v is ProxyHandle {
  return typeof v === 'object' && v !== null && '__mp' in v
}

const RESULTS: Record<BrokerReply['status'], OpResult> = {
  ok: 'ok',
  pending: 'ok',
  timeout: 'timeout',
  fail: 'fail',
  error: 'error',
}

class Proxy {
  constructor(
    protected readonly rt: ThreadRuntime,
    readonly proxyHandle: ProxyHandle,
  ) {}

  get id(): number {
    return this.proxyHandle.id
  }
  get name(): string {
    return this.proxyHandle.name
  }

  /** One brokered operation, traced on this thread with the state the broker reports. */
  protected op(
    op: Op,
    args: unknown[] = [],
    state: 'blocked' | 'waiting' = 'blocked',
    show: (value: unknown) => string | null = () => null,
  ): unknown {
    const rt = this.rt
    rt.checkpoint()
    const event = rt.tracer.nextEventId()
    rt.gil.drop()
    let pended = false
    const reply = rt.call({ op, obj: this.id, args, event }, () => {
      pended = true
      rt.setState(state, this.id)
      rt.stepBlocked()
    })
    rt.tracer.pinNextTime(reply.tUs)
    rt.recordOp(this.id, op, RESULTS[reply.status], reply.after ?? [], reply.cause ?? null, show(reply.value))
    if (pended || rt.options.gil) rt.leaveBlocking()
    if (reply.error) throw new PyError(reply.error.type, reply.error.message)
    return reply.value
  }
}

const timeoutArg = (t: number | null | undefined): number | null => (t === undefined ? null : t)

export class MpLock extends Proxy {
  acquire(blocking = true, timeout: number | null = null): boolean {
    return this.op('acquire', [blocking, timeoutArg(timeout)]) as boolean
  }
  release(): void {
    this.op('release')
  }
}

export class MpCondition extends Proxy {
  acquire(blocking = true, timeout: number | null = null): boolean {
    return this.op('acquire', [blocking, timeoutArg(timeout)]) as boolean
  }
  release(): void {
    this.op('release')
  }
  wait(timeout: number | null = null): boolean {
    return this.op('wait', [timeoutArg(timeout)], 'waiting') as boolean
  }
  waitFor(predicate: () => boolean, timeout: number | null = null): boolean {
    let result = predicate()
    const end = timeout === null ? null : performance.now() + this.rt.toMs(timeout)
    while (!result) {
      let wait: number | null = null
      if (end !== null) {
        wait = (end - performance.now()) / 1000 / this.rt.options.speed
        if (wait <= 0) break
      }
      this.wait(wait)
      result = predicate()
    }
    return result
  }
  notify(n = 1): void {
    this.op('notify', [n], 'blocked', (v) => `woke ${v}`)
  }
  notifyAll(): void {
    this.op('notify_all', [], 'blocked', (v) => `woke ${v}`)
  }
}

export class MpSemaphore extends Proxy {
  acquire(blocking = true, timeout: number | null = null): boolean {
    return this.op('acquire', [blocking, timeoutArg(timeout)]) as boolean
  }
  release(): void {
    this.op('release')
  }
}

export class MpEvent extends Proxy {
  set(): void {
    this.op('set', [], 'blocked', (v) => `woke ${v}`)
  }
  clear(): void {
    this.op('clear')
  }
  isSet(): boolean {
    return this.op('read') as boolean
  }
  wait(timeout: number | null = null): boolean {
    return this.op('wait', [timeoutArg(timeout)], 'waiting') as boolean
  }
}

export class MpBarrier extends Proxy {
  wait(timeout: number | null = null): number {
    return this.op('wait', [timeoutArg(timeout)], 'waiting') as number
  }
  abort(): void {
    this.op('abort')
  }
  reset(): void {
    this.op('reset')
  }
}

export class MpQueue extends Proxy {
  put(item: unknown, block = true, timeout: number | null = null): void {
    this.op('put', [item, block, timeoutArg(timeout)], 'blocked', () => pyRepr(item))
  }
  get(block = true, timeout: number | null = null): unknown {
    return this.op('get', [block, timeoutArg(timeout)], 'blocked', pyRepr)
  }
  putNowait(item: unknown): void {
    this.put(item, false)
  }
  getNowait(): unknown {
    return this.get(false)
  }
  qsize(): number {
    return this.op('read', ['qsize'], 'blocked', (v) => `qsize() -> ${pyRepr(v)}`) as number
  }
  empty(): boolean {
    return this.op('read', ['empty'], 'blocked', (v) => `empty() -> ${pyRepr(v)}`) as boolean
  }
  full(): boolean {
    return this.op('read', ['full'], 'blocked', (v) => `full() -> ${pyRepr(v)}`) as boolean
  }
  taskDone(): void {
    this.op('task_done')
  }
  join(): void {
    this.op('join')
  }
}

export class Connection extends Proxy {
  send(obj: unknown): void {
    this.op('send', [this.proxyHandle.extra?.end, obj], 'blocked', () => pyRepr(obj))
  }
  recv(): unknown {
    return this.op('recv', [this.proxyHandle.extra?.end], 'blocked', pyRepr)
  }
  poll(timeout = 0): boolean {
    return this.op(
      'read',
      [this.proxyHandle.extra?.end, timeout],
      'blocked',
      (v) => `poll() -> ${pyRepr(v)}`,
    ) as boolean
  }
  close(): void {
    this.op('reset', [this.proxyHandle.extra?.end])
  }
}

/** multiprocessing.Value: `.value` reads and writes are separate brokered steps, so `+=` can race. */
export class MpValue extends Proxy {
  get value(): number {
    return this.op('read', [], 'blocked', pyRepr) as number
  }
  set value(v: number) {
    this.op('write', [v], 'blocked', () => pyRepr(v))
  }
  getLock(): MpLock {
    const lock = this.proxyHandle.extra?.lock as ProxyHandle | undefined
    if (!lock) throw new PyError('AttributeError', "'c_long' object has no attribute 'get_lock'")
    return new MpLock(this.rt, lock)
  }
}

export class MpArray extends Proxy {
  get(index: number): number {
    return this.op('read', [index], 'blocked', pyRepr) as number
  }
  set(index: number, v: number): void {
    this.op('write', [index, v], 'blocked', () => pyRepr(v))
  }
  toList(): number[] {
    return this.op('read', [null], 'blocked', pyRepr) as number[]
  }
  getLock(): MpLock {
    const lock = this.proxyHandle.extra?.lock as ProxyHandle | undefined
    if (!lock) throw new PyError('AttributeError', "'c_long_Array' object has no attribute 'get_lock'")
    return new MpLock(this.rt, lock)
  }
}

export class MpProcess extends Proxy {
  constructor(
    rt: ThreadRuntime,
    handle: ProxyHandle,
    private readonly spec: { target: string; args: unknown[]; daemon: boolean; startMethod: string },
  ) {
    super(rt, handle)
  }

  start(): void {
    const { toWire } = wireHelpers
    this.op('start', [this.spec.target, toWire(this.spec.args), this.spec.daemon, this.spec.startMethod])
  }
  join(timeout: number | null = null): void {
    this.op('join', [timeoutArg(timeout)])
  }
  isAlive(): boolean {
    return this.op('read', ['alive']) as boolean
  }
  get exitcode(): number | null {
    return this.op('read', ['exitcode']) as number | null
  }
  terminate(): void {
    this.op('abort', ['SIGTERM'])
  }
  kill(): void {
    this.op('abort', ['SIGKILL'])
  }
}

/** Set by py.ts, which owns the wire format (avoids an import cycle). */
export const wireHelpers: { toWire: (v: unknown) => unknown } = { toWire: (v) => v }

export interface ProcessOptions {
  target: string
  args?: unknown[]
  name?: string
  daemon?: boolean
}

const PROXIES: Partial<
  Record<ProxyHandle['__mp'], new (rt: ThreadRuntime, h: ProxyHandle, py: Py) => object>
> = {
  'mp-lock': MpLock,
  'mp-rlock': MpLock,
  'mp-condition': MpCondition,
  'mp-semaphore': MpSemaphore,
  'mp-event': MpEvent,
  'mp-barrier': MpBarrier,
  'mp-queue': MpQueue,
  'mp-joinable-queue': MpQueue,
  'mp-pipe': Connection,
  'mp-value': MpValue,
  'mp-array': MpArray,
  'mp-manager-dict': ManagedCollection,
  'mp-manager-list': ManagedCollection,
}

export function reviveProxy(rt: ThreadRuntime, py: Py, handle: ProxyHandle): unknown {
  if (handle.__mp === 'process') {
    return new MpProcess(rt, handle, { target: '', args: [], daemon: false, startMethod: 'spawn' })
  }
  const Ctor = PROXIES[handle.__mp]
  if (!Ctor) throw new Error(`cannot revive a ${handle.__mp}`)
  return new Ctor(rt, handle, py)
}

/** `multiprocessing` as a model sees it: `py.mp.Lock('lock')`, `py.mp.Process({...})`. */
export class Multiprocessing {
  private startMethod: 'spawn' | 'fork' = 'spawn'
  private processCount = 0

  constructor(
    private readonly rt: ThreadRuntime,
    private readonly py: Py,
    private readonly processName: string,
  ) {}

  setStartMethod(method: 'spawn' | 'fork'): void {
    this.startMethod = method
  }
  getStartMethod(): string {
    return this.startMethod
  }

  currentProcess(): { name: string; pid: number } {
    return { name: this.processName, pid: this.rt.pid }
  }

  /** Creates a brokered object; its id comes from the broker. */
  create(kind: ObjectKind, name: string, init: Record<string, unknown>): Proxy {
    const rt = this.rt
    rt.checkpoint()
    const reply = rt.call({ op: 'create', args: [kind, name, init], event: -1 })
    if (reply.error) throw new PyError(reply.error.type, reply.error.message)
    const handle = reply.value as ProxyHandle
    rt.announce({ __py: kind, id: handle.id, name }, typeof init.size === 'number' ? init.size : 0)
    // A Value's or Array's own lock (get_lock()) is an object of its own that the trace must know.
    const lock = handle.extra?.lock as ProxyHandle | undefined
    if (lock && (kind === 'mp-value' || kind === 'mp-array')) {
      rt.announce({ __py: lock.__mp as ObjectKind, id: lock.id, name: lock.name }, 0)
    }
    return reviveProxy(rt, this.py, handle) as Proxy
  }

  Lock(name: string): MpLock {
    return this.create('mp-lock', name, {}) as MpLock
  }
  RLock(name: string): MpLock {
    return this.create('mp-rlock', name, {}) as MpLock
  }
  Condition(name: string, lock?: MpLock): MpCondition {
    return this.create('mp-condition', name, { lock: lock?.id ?? null }) as MpCondition
  }
  Semaphore(name: string, value = 1): MpSemaphore {
    return this.create('mp-semaphore', name, { size: value }) as MpSemaphore
  }
  Event(name: string): MpEvent {
    return this.create('mp-event', name, {}) as MpEvent
  }
  Barrier(name: string, parties: number, timeout: number | null = null): MpBarrier {
    return this.create('mp-barrier', name, { size: parties, timeout }) as MpBarrier
  }
  Queue(name: string, maxsize = 0): MpQueue {
    return this.create('mp-queue', name, { size: maxsize }) as MpQueue
  }
  JoinableQueue(name: string, maxsize = 0): MpQueue {
    return this.create('mp-joinable-queue', name, { size: maxsize }) as MpQueue
  }
  /** Pipe(duplex): two Connections; with duplex=False the first only receives, the second only sends. */
  Pipe(name: string, duplex = true): [Connection, Connection] {
    const pipe = this.create('mp-pipe', name, { duplex }) as Connection
    const end = (e: number): Connection =>
      new Connection(this.rt, { ...pipe.proxyHandle, extra: { end: e, duplex } })
    return [end(0), end(1)]
  }
  Value(name: string, typecode: string, value: number, lock = true): MpValue {
    return this.create('mp-value', name, { typecode, value, lock }) as MpValue
  }
  Array(name: string, typecode: string, init: number[], lock = true): MpArray {
    return this.create('mp-array', name, { typecode, init, lock }) as MpArray
  }
  /** Starts a manager: its server is a process of its own (SyncManager-N). */
  Manager(): SyncManager {
    return new SyncManager(this.py, this)
  }
  /** Pool(processes): worker processes (SpawnPoolWorker-N or ForkPoolWorker-N) on two queues. */
  Pool(name: string, processes: number | null = null): Pool {
    return new Pool(this, name, processes)
  }
  /** How many Process objects this process has made: CPython numbers Process-N, SyncManager-N, ... by it. */
  get processesMade(): number {
    return this.processCount
  }

  Process(options: ProcessOptions): MpProcess {
    this.processCount++
    const name = options.name ?? `Process-${this.processCount}`
    const rt = this.rt
    const reply = rt.call({ op: 'create', args: ['process', name, {}], event: -1 })
    if (reply.error) throw new PyError(reply.error.type, reply.error.message)
    const handle = reply.value as ProxyHandle
    rt.announce({ __py: 'process', id: handle.id, name }, 0)
    return new MpProcess(rt, handle, {
      target: options.target,
      args: options.args ?? [],
      daemon: options.daemon ?? false,
      startMethod: this.startMethod,
    })
  }
}
