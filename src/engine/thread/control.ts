/**
 * The control block one process shares among its threads (a SharedArrayBuffer):
 * the GIL, id counters and one slot per thread (park word, liveness, what it waits on).
 */
import { MAX_THREADS_PER_PROCESS } from '../../shared/trace'

/** Threads a process may start in all (thread ids are never reused): as many as a thread key can name. */
export const MAX_THREADS = MAX_THREADS_PER_PROCESS

export const C_GIL_HOLDER = 0
export const C_GIL_DROP = 1
export const C_GIL_SWITCHES = 2
export const C_GIL_WAITERS = 3
export const C_NEXT_TID = 4
export const C_NEXT_OBJ = 5
/** Numbers default thread names, Thread-1, Thread-2, ... as CPython does. */
export const C_THREAD_NAMES = 6
/** 1 while the run is paused: every thread parks at its next operation (see runtime.checkpoint). */
export const C_PAUSED = 7
/** Threads started and not yet ended (MainThread included): Thread.start() checks it against C_THREAD_CAP. */
export const C_LIVE_THREADS = 8
/** The run's cap on threads alive at once in this process (RunLimits.threadsPerProcess), set by the host. */
export const C_THREAD_CAP = 9
const THREADS_BASE = 16
const THREAD_STRIDE = 5

/** Per-thread words. */
export const T_PARK = 0
/** 0: no such thread, 1: start requested, 2: running, 3: ended. */
export const T_ALIVE = 1
/** Bumped by the host when a reply from the broker is waiting on the thread's port. */
export const T_REPLY = 2
/**
 * Step mode only: what the thread is doing as the teacher's scheduler sees it (STEP_*). The host
 * reads these words to tell when every thread has stopped, so that the next one may be chosen.
 */
export const T_STEP = 3
/**
 * The line of program.py the thread is on (a plain store on every py.at): what the host reports for
 * a thread that dies without a word, such as one killed for going past its memory limit.
 */
export const T_LINE = 4

/** Not a thread of the run, or ended. */
export const STEP_NONE = 0
/** Running Python code between two operations: the scheduler waits for it. */
export const STEP_RUN = 1
/** At an operation, waiting to be chosen. */
export const STEP_GATE = 2
/** Blocked (a lock, a join, a sleep): it goes on when something else lets it, not by choice. */
export const STEP_PARK = 3

export const ALIVE_NONE = 0
export const ALIVE_STARTING = 1
export const ALIVE_RUNNING = 2
export const ALIVE_ENDED = 3

/** Doubles per thread: the event that woke it, and its thread-end event. */
export const D_WAKE_CAUSE = 0
export const D_END_EVENT = 1
const D_STRIDE = 2

export function threadWord(tid: number, field: number): number {
  return THREADS_BASE + tid * THREAD_STRIDE + field
}
export function threadDouble(tid: number, field: number): number {
  return tid * D_STRIDE + field
}

export interface Control {
  i32: Int32Array
  f64: Float64Array
}

export function createControl(): { ints: SharedArrayBuffer; doubles: SharedArrayBuffer } {
  return {
    ints: new SharedArrayBuffer((THREADS_BASE + MAX_THREADS * THREAD_STRIDE) * 4),
    doubles: new SharedArrayBuffer(MAX_THREADS * D_STRIDE * 8),
  }
}

export function openControl(buffers: { ints: SharedArrayBuffer; doubles: SharedArrayBuffer }): Control {
  return { i32: new Int32Array(buffers.ints), f64: new Float64Array(buffers.doubles) }
}
