import { threadKey, type ThreadState } from '../../shared/trace'
import { code, RecordType, STATE, END, OP, RESULT, opSub } from '../records'
import {
  threadWord,
  threadDouble,
  T_PARK,
  T_STEP,
  T_LINE,
  D_WAKE_CAUSE,
  C_NEXT_OBJ,
  C_PAUSED,
  STEP_GATE,
  STEP_PARK,
  STEP_RUN,
  type Control,
} from './control'
import { Gil, type GilClient } from './gil'
import type { Tracer } from './tracer'
import type { Op, OpResult, ThreadEndReason } from '../../shared/trace'
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'
import type { BrokerReply, BrokerRequest } from '../../shared/protocol'
import type { ObjectHandle } from './layout'
import type { ThreadToHost } from './messages'
import { KIND } from '../records'
import { T_REPLY } from './control'

/** Object ids: the process index above, a per-process counter below. */
export const OBJECTS_PER_PROCESS = 2 ** 20

/**
 * One Python thread's view of its process: who it is, its GIL, its trace, how it blocks.
 * Every primitive goes through here, so the thread's state is recorded in one place.
 */
export class ThreadRuntime implements GilClient {
  readonly key: number
  readonly ownerCode: number
  readonly gil: Gil
  private currentLine = 0
  private readonly lineWord: number
  private state: ThreadState | null = null
  private stateObj = -1

  constructor(
    readonly pid: number,
    readonly tid: number,
    readonly name: string,
    readonly control: Control,
    readonly tracer: Tracer,
    readonly options: { gil: boolean; switchIntervalMs: number; speed: number; step?: boolean },
    readonly send: (message: ThreadToHost) => void,
    private readonly replyPort: MessagePort,
  ) {
    this.key = threadKey(pid, tid)
    this.ownerCode = this.key + 1
    this.stepping = options.step === true
    this.stepWord = threadWord(tid, T_STEP)
    this.lineWord = threadWord(tid, T_LINE)
    this.gil = new Gil(control.i32, this, options.gil, options.switchIntervalMs)
  }

  /** The line of program.py this thread is on; kept in the control block too, for the host. */
  get line(): number {
    return this.currentLine
  }
  set line(line: number) {
    this.currentLine = line
    this.control.i32[this.lineWord] = line
  }

  // --- state ---------------------------------------------------------------------------

  setState(state: ThreadState, obj = -1): void {
    if (state === this.state && obj === this.stateObj) return
    this.state = state
    this.stateObj = obj
    this.tracer.record(code(RecordType.State, STATE[state]), obj, this.line)
  }

  onGilWait(): void {
    this.setState('gil-wait')
  }

  onGilTaken(): void {
    this.setState('running')
  }

  /**
   * Leaves Python code for a blocking call: drop the GIL, show what we wait on. In step mode the
   * thread stops counting as running, unless `stepWaits` (a sleep or an I/O wait: one step, which
   * the next waits for, as it ends by itself).
   */
  enterBlocking(state: ThreadState, obj = -1, stepWaits = false): void {
    // Recorded first: once the GIL is dropped another thread may run, and the trace must not
    // show two threads running at once.
    this.setState(state, obj)
    this.gil.drop()
    // A thread that was woken already (unpark marks it running) stays running.
    if (!stepWaits) this.stepBlocked()
  }

  /** Back from a blocking call: retake the GIL (or just run, with the GIL off). */
  leaveBlocking(): void {
    if (this.stepping) Atomics.store(this.control.i32, this.stepWord, STEP_RUN)
    if (this.options.gil) this.gil.take()
    else this.setState('running')
  }

  /**
   * Before each Python operation: where a paused run holds the thread, where step mode waits for
   * the teacher's choice, and where a GIL switch may happen.
   */
  checkpoint(): void {
    if (this.stepping) this.gate()
    if (Atomics.load(this.control.i32, C_PAUSED) !== 0) this.holdWhilePaused()
    this.gil.checkpoint()
  }

  /** Between two chunks of CPU-bound work: a pause holds here, a step does not. */
  tick(): void {
    if (Atomics.load(this.control.i32, C_PAUSED) !== 0) this.holdWhilePaused()
    this.gil.checkpoint()
  }

  // --- pause and step --------------------------------------------------------------------

  /** Step mode: the thread waits for something else (a brokered call went pending); it no longer counts as running. */
  stepBlocked(): void {
    if (!this.stepping) return
    Atomics.compareExchange(this.control.i32, this.stepWord, STEP_RUN, STEP_PARK)
    this.send({ type: 'step:check' })
  }

  private readonly stepping: boolean
  private readonly stepWord: number

  /** Parks while the run is paused; the thread's state on the timeline stays what it was. */
  private holdWhilePaused(): void {
    const i32 = this.control.i32
    if (this.tracer.pending > 0) this.tracer.flush()
    while (Atomics.load(i32, C_PAUSED) !== 0) this.blockWait(i32, C_PAUSED, 1, Infinity)
  }

  /**
   * Step mode: the thread waits at its next operation, without the GIL, until the teacher (or a
   * replayed schedule) chooses it; its host tells the run who waits where. Shown as waiting for
   * the GIL: in step mode the teacher is the one who hands it over.
   */
  private gate(): void {
    const i32 = this.control.i32
    const idx = this.stepWord
    this.setState('gil-wait')
    this.gil.drop()
    Atomics.store(i32, idx, STEP_GATE)
    if (this.tracer.pending > 0) this.tracer.flush()
    this.send({ type: 'step:gate', tid: this.tid, line: this.line })
    while (Atomics.load(i32, idx) === STEP_GATE) this.blockWait(i32, idx, STEP_GATE, Infinity)
    this.gil.take()
    this.setState('running')
  }

  // --- trace helpers ---------------------------------------------------------------------

  recordOp(
    obj: number,
    op: Op,
    result: OpResult,
    after: readonly number[] = [],
    cause: number | null = null,
    value: string | null = null,
  ): number {
    return this.tracer.record(
      code(RecordType.Op, opSub(OP[op], RESULT[result])),
      obj,
      this.line,
      after[0] ?? 0,
      after[1] ?? 0,
      after[2] ?? 0,
      cause ?? -1,
      value === null ? -1 : this.tracer.text(value),
    )
  }

  recordEnd(reason: ThreadEndReason, error: string | null): number {
    this.state = 'finished'
    return this.tracer.record(
      code(RecordType.ThreadEnd, END[reason]),
      -1,
      this.line,
      0,
      0,
      0,
      -1,
      error === null ? -1 : this.tracer.text(error),
    )
  }

  /** Records a new object and, if it lives in this process's memory, registers it with the host. */
  announce(handle: Pick<ObjectHandle, '__py' | 'id' | 'name' | 'sab'>, size: number): void {
    this.tracer.record(
      code(RecordType.Object, KIND[handle.__py]),
      handle.id,
      this.line,
      size,
      0,
      0,
      -1,
      this.tracer.text(handle.name),
    )
    if (handle.sab) this.send({ type: 'obj:new', handle: handle as ObjectHandle })
  }

  /**
   * A call to the broker (the orchestrator, owner of multiprocessing objects): blocks on this
   * thread's reply word until the answer is on its port. A `pending` answer means the call
   * blocks there; `onPending` shows it.
   */
  call(request: BrokerRequest, onPending: (reply: BrokerReply) => void = () => {}): BrokerReply {
    const i32 = this.control.i32
    const idx = threadWord(this.tid, T_REPLY)
    let seen = Atomics.load(i32, idx)
    this.send({ type: 'broker:request', tid: this.tid, request })
    for (;;) {
      const got = receiveMessageOnPort(this.replyPort)
      if (got) {
        const reply = got.message as BrokerReply
        if (reply.status !== 'pending') return reply
        onPending(reply)
        continue
      }
      this.blockWait(i32, idx, seen, Infinity)
      seen = Atomics.load(i32, idx)
    }
  }

  newObjectId(): number {
    return this.pid * OBJECTS_PER_PROCESS + Atomics.add(this.control.i32, C_NEXT_OBJ, 1)
  }

  // --- blocking --------------------------------------------------------------------------

  /** Python seconds to wall milliseconds, scaled by the run's speed. */
  toMs(seconds: number): number {
    return seconds * 1000 * this.options.speed
  }

  /**
   * Atomics.wait that keeps the trace fresh: a thread about to block for long sends its
   * pending events first (at most once per flush interval), so a hung thread is still seen.
   */
  blockWait(i32: Int32Array, index: number, expected: number, timeoutMs: number): string {
    const tracer = this.tracer
    if (tracer.pending > 0) {
      const dueMs = tracer.dueInUs() / 1000
      if (dueMs <= 0) tracer.flush()
      else if (timeoutMs > dueMs) {
        const start = performance.now()
        const r = Atomics.wait(i32, index, expected, dueMs)
        if (r !== 'timed-out') return r
        tracer.flush()
        const left = timeoutMs - (performance.now() - start)
        if (left <= 0) return 'timed-out'
        return Atomics.wait(i32, index, expected, left)
      }
    }
    return Atomics.wait(i32, index, expected, timeoutMs)
  }

  /** Prepares to park: the park word goes to 0 before the thread is put on a wait list. */
  armPark(): void {
    Atomics.store(this.control.i32, threadWord(this.tid, T_PARK), 0)
  }

  /** Parks until unparked or the deadline (ms since performance.now's origin; Infinity: none). */
  park(deadlineMs: number): boolean {
    const i32 = this.control.i32
    const idx = threadWord(this.tid, T_PARK)
    if (this.stepping && Atomics.load(i32, idx) === 0) {
      Atomics.store(i32, this.stepWord, STEP_PARK)
      this.send({ type: 'step:check' })
    }
    try {
      for (;;) {
        if (Atomics.load(i32, idx) === 1) return true
        const left = deadlineMs - performance.now()
        if (left <= 0) return false
        this.blockWait(i32, idx, 0, left === Infinity ? Infinity : left)
      }
    } finally {
      if (this.stepping) Atomics.store(i32, this.stepWord, STEP_RUN)
    }
  }

  /** The event that unparked this thread. */
  wakeCause(): number | null {
    const v = this.control.f64[threadDouble(this.tid, D_WAKE_CAUSE)]
    return v >= 0 ? v : null
  }

  /** Wakes a parked thread of this process, naming the event that woke it. */
  unpark(tid: number, cause: number): void {
    this.markWoken(tid, cause)
    this.signal(tid)
  }

  /**
   * Writes a parked thread's wake (the event that woke it, its park word), without waking it yet:
   * `signal` does, once the waker has let go of what the woken thread will take first (an object's
   * guard). A thread that times out meanwhile sees that it was woken.
   */
  markWoken(tid: number, cause: number): void {
    this.control.f64[threadDouble(tid, D_WAKE_CAUSE)] = cause
    // Step mode: the woken thread counts as running from now, so the next step waits for it.
    if (this.stepping) Atomics.store(this.control.i32, threadWord(tid, T_STEP), STEP_RUN)
    Atomics.store(this.control.i32, threadWord(tid, T_PARK), 1)
  }

  /** Wakes a thread from its park (its wake written by markWoken). */
  signal(tid: number): void {
    Atomics.notify(this.control.i32, threadWord(tid, T_PARK))
  }

  deadline(timeoutS: number | null): number {
    return timeoutS === null || timeoutS < 0 ? Infinity : performance.now() + this.toMs(timeoutS)
  }
}
