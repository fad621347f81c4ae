/**
 * The trace: what a run records, on one clock, for every process and thread.
 * Versioned; a reader refuses a document whose `version` it does not know.
 */
export const TRACE_VERSION = 1

/** What a thread is doing. Colour in the UI, time-per-state in the CLI summary. */
export const THREAD_STATES = [
  'running', // holds the GIL (or GIL off) and runs Python code
  'gil-wait', // ready to run, waiting for the GIL
  'blocked', // blocked on a lock, semaphore, queue, join or a brokered call
  'waiting', // waiting on a condition, an event or a barrier
  'sleeping', // time.sleep
  'io', // a simulated I/O wait
  'finished',
] as const
export type ThreadState = (typeof THREAD_STATES)[number]

/** Kinds of shared object. `mp-*` live across processes (brokered); the rest inside one process. */
export const OBJECT_KINDS = [
  'thread',
  'process',
  'lock',
  'rlock',
  'condition',
  'semaphore',
  'bounded-semaphore',
  'event',
  'barrier',
  'queue',
  'variable',
  'mp-lock',
  'mp-rlock',
  'mp-condition',
  'mp-semaphore',
  'mp-event',
  'mp-barrier',
  'mp-queue',
  'mp-joinable-queue',
  'mp-pipe',
  'mp-value',
  'mp-array',
  'mp-manager-dict',
  'mp-manager-list',
  /** An asyncio Task, or a concurrent.futures Future. */
  'task',
  'future',
] as const
export type ObjectKind = (typeof OBJECT_KINDS)[number]

/** Which numbers describe an object's state after an operation, by kind. */
export const OBJECT_STATE_FIELDS: Record<ObjectKind, readonly string[]> = {
  thread: ['alive'],
  process: ['alive', 'exitcode'],
  lock: ['owner', 'waiters'],
  rlock: ['owner', 'count', 'waiters'],
  condition: ['owner', 'waiters'],
  semaphore: ['value', 'waiters'],
  'bounded-semaphore': ['value', 'waiters'],
  event: ['flag', 'waiters'],
  barrier: ['arrived', 'broken'],
  queue: ['depth', 'unfinished', 'waiters'],
  variable: [],
  'mp-lock': ['owner', 'waiters'],
  'mp-rlock': ['owner', 'count', 'waiters'],
  'mp-condition': ['owner', 'waiters'],
  'mp-semaphore': ['value', 'waiters'],
  'mp-event': ['flag', 'waiters'],
  'mp-barrier': ['arrived', 'broken'],
  'mp-queue': ['depth', 'unfinished', 'waiters'],
  'mp-joinable-queue': ['depth', 'unfinished', 'waiters'],
  'mp-pipe': ['depth'],
  'mp-value': [],
  'mp-array': [],
  'mp-manager-dict': ['size'],
  'mp-manager-list': ['size'],
  task: ['done', 'waiters'],
  future: ['done', 'waiters'],
}

export const OPS = [
  'acquire',
  'release',
  'wait',
  'notify',
  'notify_all',
  'set',
  'clear',
  'put',
  'get',
  'task_done',
  'join',
  'send',
  'recv',
  'read',
  'write',
  'abort',
  'reset',
  'call',
  'start',
  'arrive',
] as const
export type Op = (typeof OPS)[number]

/** How an operation ended. `timeout` and `fail` return False (or raise queue.Empty/Full); `error` raised. */
export const OP_RESULTS = ['ok', 'timeout', 'fail', 'error'] as const
export type OpResult = (typeof OP_RESULTS)[number]

export const THREAD_END_REASONS = ['returned', 'exception', 'killed'] as const
export type ThreadEndReason = (typeof THREAD_END_REASONS)[number]

/**
 * A thread's identity across the run: process index and thread index within it.
 * `threadKey` packs both into one number (used for owners and causal links).
 */
export const MAX_THREADS_PER_PROCESS = 4096

/** Brokered (multiprocessing) objects have run-wide ids from here; a process numbers its own below. */
export const FIRST_BROKERED_ID = 2 ** 31

/** An object's identity across the run: per process, or run-wide for a brokered object. */
export function objectKey(pid: number, obj: number): string {
  return obj >= FIRST_BROKERED_ID ? `mp:${obj}` : `${pid}:${obj}`
}

export function threadKey(pid: number, tid: number): number {
  return pid * MAX_THREADS_PER_PROCESS + tid
}
export function splitThreadKey(key: number): { pid: number; tid: number } {
  return { pid: Math.floor(key / MAX_THREADS_PER_PROCESS), tid: key % MAX_THREADS_PER_PROCESS }
}

/** Event ids: thread key and the event's sequence number in that thread, packed below 2^53. */
const SEQ_SPAN = 2 ** 30
export function eventId(pid: number, tid: number, seq: number): number {
  return threadKey(pid, tid) * SEQ_SPAN + seq
}
export function splitEventId(id: number): { pid: number; tid: number; seq: number } {
  const seq = id % SEQ_SPAN
  return { ...splitThreadKey(Math.floor(id / SEQ_SPAN)), seq }
}

interface EventBase {
  /** Microseconds since the run started, one clock for all processes. */
  tUs: number
  pid: number
  tid: number
  /** Position in this thread's event stream; with pid and tid, the event's id (`eventId`). */
  seq: number
}

export interface ThreadStartEvent extends EventBase {
  type: 'thread-start'
  name: string
  daemon: boolean
  /** Thread key of the thread that started it; null for a process's MainThread. */
  parent: number | null
}

export interface ThreadStateEvent extends EventBase {
  type: 'state'
  state: ThreadState
  /** The object waited on, for blocked and waiting. */
  obj: number | null
  line: number
}

export interface ObjectEvent extends EventBase {
  type: 'object'
  obj: number
  kind: ObjectKind
  name: string
  /** maxsize of a queue, parties of a barrier, initial value of a semaphore. */
  size: number
}

export interface OpEvent extends EventBase {
  type: 'op'
  obj: number
  op: Op
  result: OpResult
  line: number
  /** The object's state right after the operation, named by OBJECT_STATE_FIELDS. Owners are thread keys. */
  after: Record<string, number | null>
  /** The event that let this one happen: the release that let an acquire in, the put a get took, ... */
  cause: number | null
  /** The value moved or read, as Python would print it (repr), where there is one. */
  value: string | null
}

export interface PrintEvent extends EventBase {
  type: 'print'
  text: string
  line: number
}

export interface ThreadEndEvent extends EventBase {
  type: 'thread-end'
  reason: ThreadEndReason
  /** For `exception`: what threading.excepthook would print. */
  error: string | null
}

export interface ResultEvent extends EventBase {
  type: 'result'
  key: string
  value: unknown
}

export type TraceEvent =
  ThreadStartEvent | ThreadStateEvent | ObjectEvent | OpEvent | PrintEvent | ThreadEndEvent | ResultEvent

/** Per-core utilisation, from the OS. */
export interface CpuSample {
  tUs: number
  /** One entry per core, 0 to 100. */
  corePct: number[]
}

/** A thread's cumulative CPU time and the core it last ran on (Linux), sampled by its process. */
export interface ThreadCpuSample {
  tUs: number
  pid: number
  tid: number
  cpuUs: number
  core: number | null
}

export interface ProcessInfo {
  pid: number
  name: string
  parent: number | null
  startMethod: 'spawn' | 'fork' | null
  osPid: number | null
  startUs: number
  endUs: number | null
  exitCode: number | null
  signal: string | null
  /** Cumulative CPU time of the OS process, microseconds. */
  cpuUs: number
}

export const RUN_STATUSES = ['finished', 'stopped', 'timed-out', 'failed'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

export interface DeadlockReport {
  /** One entry per thread in the cycle: it waits at `line` for `obj`, held by the next entry's thread. */
  cycle: {
    pid: number
    tid: number
    process: string
    thread: string
    obj: number
    objName: string
    line: number
  }[]
}

/**
 * A hang that is not a cycle: every thread still alive is blocked or waiting and nothing has moved
 * (no event, no process started or ended) for the run's `hangAfterS`. Each thread, what it waits on
 * and what would wake it: the wait-for graph over locks, conditions, events, queues and joins.
 */
export interface HangReport {
  /** Run time of the last thing that moved. */
  sinceUs: number
  threads: {
    pid: number
    tid: number
    process: string
    thread: string
    state: ThreadState
    obj: number | null
    objName: string
    line: number
    /** What would wake it: "a notify() on cond", "a release of lock, held by MainProcess/Holder". */
    needs: string
  }[]
}

export interface FinalThreadState {
  pid: number
  tid: number
  /** The process's name (MainProcess, Process-1, ...). */
  process: string
  name: string
  state: ThreadState
  obj: number | null
  line: number
  cpuUs: number
}

/** An object's last known state: from its last operation in the trace. */
export interface FinalObjectState {
  obj: number
  kind: ObjectKind
  name: string
  /** The process that created it. */
  pid: number
  /** Named by OBJECT_STATE_FIELDS; empty if nothing was ever done with it. */
  state: Record<string, number | null>
  /** The last value read, written, put or taken, as Python prints it. */
  lastValue: string | null
}

export interface RunOutcome {
  status: RunStatus
  message: string
  wallUs: number
  deadlock: DeadlockReport | null
  /** A hang that stood at the run's end (absent in recordings made before it was looked for). */
  hang?: HangReport | null
}

export interface MachineInfo {
  cores: number
  cpuModel: string
  os: string
  node: string
}

export interface RunOptions {
  gil: boolean
  timeoutS: number
  switchIntervalMs: number
  /** Scales every sleep and wait: 2 is twice as slow. */
  speed: number
  /** false records nothing but thread starts and ends (for measuring what tracing costs). */
  trace: boolean
  /**
   * Step mode: every thread waits at each operation until it is chosen (the teacher's choice,
   * or `schedule`). Absent: off.
   */
  step?: boolean
  /** Step mode: thread keys to choose, in order (a recorded schedule replayed); then the teacher chooses. */
  schedule?: number[]
  /**
   * A hang is reported when every live thread has been blocked or waiting, and nothing has moved, for
   * this many seconds (2 when absent; 0: never).
   */
  hangAfterS?: number
}

export interface RunRecord {
  version: typeof TRACE_VERSION
  scenario: string
  params: Record<string, string | number>
  options: RunOptions
  program: string
  machine: MachineInfo
  startedAt: string
  processes: ProcessInfo[]
  events: TraceEvent[]
  cpu: CpuSample[]
  threadCpu: ThreadCpuSample[]
  outcome: RunOutcome
  final: FinalThreadState[]
  objects: FinalObjectState[]
  result: Record<string, unknown>
  /** Step mode: the thread key chosen at each step, in order, to replay the same interleaving. */
  schedule?: number[]
}
