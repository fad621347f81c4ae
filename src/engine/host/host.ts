/**
 * The runtime of one Python process. Its JS main thread never runs Python code: it starts
 * worker threads (kept warm so that Thread.start() is quick), forwards their trace batches in
 * bulk, relays broker calls, samples per-thread CPU, and ends the process the way Python does.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import {
  DEFAULT_LIMITS,
  resolveLimits,
  type EncodedBatch,
  type HostInbound,
  type HostInit,
  type HostOutbound,
  type HostPrepare,
  type RunLimits,
  type StepGate,
} from '../../shared/protocol'
import type { ThreadCpuSample } from '../../shared/trace'
import { monotonicUs } from '../clock'
import {
  ALIVE_ENDED,
  ALIVE_STARTING,
  C_GIL_HOLDER,
  C_LIVE_THREADS,
  C_NEXT_TID,
  C_PAUSED,
  C_THREAD_CAP,
  D_END_EVENT,
  STEP_GATE,
  STEP_NONE,
  STEP_RUN,
  T_ALIVE,
  T_LINE,
  T_REPLY,
  T_STEP,
  createControl,
  openControl,
  threadDouble,
  threadWord,
  type Control,
} from '../thread/control'
import { excepthook, PyError } from '../thread/errors'
import { code, END, RECORD_FIELDS, RecordType, writeRecord } from '../records'
import { createBuffer, kindSpec, LOCK_OWNER } from '../thread/kinds'
import { isHandle, offsets, resetAfterFork, type ObjectHandle } from '../thread/layout'
import type { ThreadAssignment, ThreadToHost } from '../thread/messages'
import type { WorkerData, WorkerInit } from '../thread/worker'
import { eventId, threadKey, type ObjectKind } from '../../shared/trace'
import { readThreadCpu, type ThreadCpuReading } from './threadCpu'
import { WARM_SPARES, workersBeforeMain } from './warm'

/** Trace batches leave for the orchestrator at most this often, together (one message). */
const FORWARD_INTERVAL_MS = 25
/** In a fork snapshot, the owner code of locks held by the thread that forked. */
const FORKING_THREAD = -1
const CPU_INTERVAL_MS = 100

interface WorkerSlot {
  worker: Worker
  port: MessagePort
  osTid: number | null
  tid: number
  /** The Python thread it runs (once assigned): what a traceback names. */
  name: string
  target: string
  daemon: boolean
  ended: boolean
  cpuBaseUs: number
  /** The heap limit the worker was started with (it cannot change afterwards). */
  memoryMb: number
  /** The sequence number of the thread's next event: after what its batches brought so far. */
  nextSeq: number
}

export type HostSend = (message: HostOutbound) => void

export class ProcessHost {
  private prep!: HostPrepare
  private prepared = false
  /** Where workers come from: known from host:warm or host:prepare. */
  private threadEntry: string | null = null
  /** Workers started before the run was known, waiting for its WorkerInit. */
  private readonly unprepared: WorkerSlot[] = []
  private init: HostInit | null = null
  private control!: Control
  private buffers!: { ints: SharedArrayBuffer; doubles: SharedArrayBuffer }
  private readonly warm: WorkerSlot[] = []
  private readonly waitingForWorker: ThreadAssignment[] = []
  private readonly threads = new Map<number, WorkerSlot>()
  private readonly objects = new Map<number, ObjectHandle>()
  private batches: EncodedBatch[] = []
  /** Whether a forward is scheduled (forwardSoon), and when the last one was (performance.now(), ms). */
  private forwardPending = false
  private lastForwardMs = -Infinity
  private threadCpu: ThreadCpuSample[] = []
  private mainRaised = false
  private exiting = false
  private timers: NodeJS.Timeout[] = []
  private spawning = 0
  private mainPending = false
  /** The run's limits; until host:prepare says otherwise, the defaults (for warm workers). */
  private limits: RunLimits = DEFAULT_LIMITS

  constructor(
    private readonly send: HostSend,
    private readonly exit: (code: number) => void,
  ) {}

  receive(message: HostInbound): void {
    if (message.type === 'host:warm') this.warmUp(message.threadEntry, message.threads)
    else if (message.type === 'host:prepare') this.prepare(message.prepare)
    else if (message.type === 'host:init') this.start(message.init)
    else if (message.type === 'broker:reply') {
      this.replies++
      this.deliverReply(message.tid, message.reply)
    } else if (message.type === 'host:exit-now') this.exitNow()
    else if (message.type === 'run:pause') this.setPaused(message.paused)
    else if (message.type === 'step:grant') this.grant(message.tid)
  }

  // --- pause and step ----------------------------------------------------------------------------

  private paused = false
  /** Step mode: each thread's line at its gate, its name, and what the run has been told. */
  private readonly gateLines = new Map<number, number>()
  private readonly names = new Map<number, string>()
  private grants = 0
  private replies = 0
  private lastStepState = ''
  private stepLookPending = false

  private get stepping(): boolean {
    return this.prepared && this.prep.options.step === true
  }

  private setPaused(paused: boolean): void {
    this.paused = paused
    if (!this.prepared) return
    Atomics.store(this.control.i32, C_PAUSED, paused ? 1 : 0)
    if (!paused) Atomics.notify(this.control.i32, C_PAUSED)
  }

  private grant(tid: number): void {
    this.grants++
    const idx = threadWord(tid, T_STEP)
    this.gateLines.delete(tid)
    if (this.stepping && Atomics.compareExchange(this.control.i32, idx, STEP_GATE, STEP_RUN) === STEP_GATE)
      Atomics.notify(this.control.i32, idx)
    this.lookAtSteps()
  }

  /** Tells the run, once per turn of the event loop at most, who waits to be chosen and whether any thread runs. */
  private lookAtSteps(): void {
    if (!this.stepping || !this.init || this.stepLookPending) return
    this.stepLookPending = true
    setImmediate(() => {
      this.stepLookPending = false
      const i32 = this.control.i32
      const gated: StepGate[] = []
      let running = false
      const threads = Atomics.load(i32, C_NEXT_TID)
      for (let tid = 0; tid < threads; tid++) {
        const s = Atomics.load(i32, threadWord(tid, T_STEP))
        const line = this.gateLines.get(tid)
        // At its gate, but its message saying where has not come yet: as good as running.
        if (s === STEP_RUN || (s === STEP_GATE && line === undefined)) running = true
        else if (s === STEP_GATE && line !== undefined)
          gated.push({ tid, name: this.names.get(tid) ?? `thread ${tid}`, line })
      }
      const state = { running, gated, grants: this.grants, replies: this.replies }
      const key = JSON.stringify(state)
      if (key === this.lastStepState) return
      this.lastStepState = key
      this.send({ type: 'step:state', pid: this.init!.pid, ...state })
    })
  }

  /**
   * Before any run (a host kept ready for the next one): starts workers, which load the runtime and
   * wait to learn their run.
   */
  private warmUp(threadEntry: string, threads: number): void {
    if (this.prepared) return
    this.threadEntry = threadEntry
    for (let i = this.warm.length + this.spawning; i < threads; i++) this.spawnWorker()
  }

  /** Gets ready for any process of the run: control block and warm workers, but no Python yet. */
  private prepare(prep: HostPrepare): void {
    this.prep = prep
    this.prepared = true
    this.threadEntry = prep.threadEntry
    this.limits = resolveLimits(prep.limits)
    this.buffers = createControl()
    this.control = openControl(this.buffers)
    Atomics.store(this.control.i32, C_NEXT_TID, 1)
    // MainThread is alive from the start: it counts under the cap.
    Atomics.store(this.control.i32, C_LIVE_THREADS, 1)
    Atomics.store(this.control.i32, C_THREAD_CAP, this.limits.threadsPerProcess)
    if (this.paused) Atomics.store(this.control.i32, C_PAUSED, 1)
    this.mainPending = true
    for (const slot of this.unprepared.splice(0)) {
      if (slot.memoryMb === this.limits.threadMemoryMb) {
        this.sendInit(slot)
      } else {
        // Warmed up under another memory limit, which a worker cannot change: replaced below.
        this.spawning--
        void slot.worker.terminate()
      }
    }
    for (let i = this.warm.length + this.spawning; i < workersBeforeMain(prep.warmThreads); i++)
      this.spawnWorker()
  }

  private sendInit(slot: WorkerSlot): void {
    const { scenario, params, options, runStartUs } = this.prep
    const init: WorkerInit = { scenario, params, options, runStartUs, control: this.buffers }
    slot.worker.postMessage(init)
  }

  /** Becomes one Python process: MainThread runs the target once the warm workers are ready. */
  private start(init: HostInit): void {
    this.init = init
    const args = this.attachMemory(init.args, init.forkedObjects, init.startMethod === 'fork')
    this.timers.push(setInterval(() => this.sampleCpu(), CPU_INTERVAL_MS))
    this.send({ type: 'host:ready', pid: init.pid, osPid: process.pid })
    this.waitingForWorker.push({
      type: 'thread:assign',
      pid: init.pid,
      processName: init.name,
      tid: 0,
      name: 'MainThread',
      target: init.target,
      args,
      daemon: false,
      parent: null,
    })
    this.assignWaiting()
  }

  private assignWaiting(): void {
    if (!this.init || (this.mainPending && this.spawning > 0)) return
    this.mainPending = false
    while (this.warm.length > 0 && this.waitingForWorker.length > 0)
      this.assign(this.waitingForWorker.shift()!)
  }

  // --- workers ---------------------------------------------------------------------------------

  private spawnWorker(): void {
    const { port1, port2 } = new MessageChannel()
    const data: WorkerData = { replyPort: port2 }
    let file = this.threadEntry
    if (!file) throw new Error('a worker was asked for before the host knew its thread entry')
    if (file.endsWith('.ts')) {
      data.entry = file.startsWith('file:') ? file : `file://${file}`
      file = fileURLToPath(new URL('./tsxBoot.mjs', import.meta.url))
    } else if (file.startsWith('file:')) {
      file = fileURLToPath(file)
    }
    const memoryMb = this.limits.threadMemoryMb
    const worker = new Worker(file, {
      workerData: data,
      transferList: [port2],
      // V8's main heap; what a thread holds in ArrayBuffers is not counted (Node's documentation).
      resourceLimits: { maxOldGenerationSizeMb: memoryMb },
    })
    const slot: WorkerSlot = {
      worker,
      port: port1,
      osTid: null,
      tid: -1,
      name: '',
      target: '',
      daemon: false,
      ended: false,
      cpuBaseUs: 0,
      memoryMb,
      nextSeq: 0,
    }
    this.spawning++
    if (this.prepared) this.sendInit(slot)
    else this.unprepared.push(slot)
    worker.on('message', (m: ThreadToHost) => this.fromThread(slot, m))
    worker.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY' && slot.tid >= 0) {
        this.threadDied(
          slot,
          new PyError(
            'MemoryError',
            `the thread went past this run's memory limit of ${slot.memoryMb} MB per thread`,
          ),
        )
        return
      }
      // A worker that fails outside Python code is a bug of the runtime, not of the program.
      process.stderr.write(`interleave: thread runtime failed: ${e.stack ?? String(e)}\n`)
      this.exit(70)
    })
    worker.on('exit', (exitCode) => {
      // Ended without a word (not by returning or raising, which the thread reports itself).
      if (
        slot.tid >= 0 &&
        !slot.ended &&
        Atomics.load(this.control.i32, threadWord(slot.tid, T_ALIVE)) !== ALIVE_ENDED
      )
        this.threadDied(
          slot,
          new PyError('SystemError', `the thread's worker stopped (exit code ${exitCode})`),
        )
    })
  }

  /**
   * A thread whose worker died (past its memory limit): it cannot say so, so the host ends it on its
   * behalf as an uncaught exception would. Its thread-end goes in the trace (what it recorded and
   * had not yet sent is lost), the GIL it held is freed, those who join it wake, and the process
   * goes on. Locks it held stay held, as no `with` block of it runs to the end.
   */
  private threadDied(slot: WorkerSlot, error: PyError): void {
    if (slot.ended || !this.init) return
    slot.ended = true
    const i32 = this.control.i32
    const { pid } = this.init
    const tid = slot.tid
    if (Atomics.load(i32, threadWord(tid, T_ALIVE)) === ALIVE_ENDED) {
      // It had ended by itself (its own thread-end is in the trace) and died on its way out.
      this.maybeExit()
      return
    }
    const line = i32[threadWord(tid, T_LINE)]
    const text = excepthook(slot.name, slot.target, line, error)
    const records = new Float64Array(RECORD_FIELDS)
    const tUs = monotonicUs() - this.prep.runStartUs
    writeRecord(records, 0, tUs, code(RecordType.ThreadEnd, END.exception), -1, line, 0, 0, 0, -1, 0)
    this.batches.push({ pid, tid, firstSeq: slot.nextSeq, records, strings: [text] })
    this.forwardSoon()
    this.control.f64[threadDouble(tid, D_END_EVENT)] = eventId(pid, tid, slot.nextSeq)
    const owner = threadKey(pid, tid) + 1
    if (Atomics.compareExchange(i32, C_GIL_HOLDER, owner, 0) === owner) Atomics.notify(i32, C_GIL_HOLDER, 1)
    Atomics.store(i32, threadWord(tid, T_STEP), STEP_NONE)
    Atomics.sub(i32, C_LIVE_THREADS, 1)
    Atomics.store(i32, threadWord(tid, T_ALIVE), ALIVE_ENDED)
    Atomics.notify(i32, threadWord(tid, T_ALIVE))
    if (tid === 0) this.mainRaised = true
    this.lookAtSteps()
    this.maybeExit()
  }

  private assign(job: ThreadAssignment): void {
    const slot = this.warm.shift()
    if (!slot) {
      this.waitingForWorker.push(job)
      if (this.spawning === 0) this.spawnWorker()
      return
    }
    slot.tid = job.tid
    slot.name = job.name
    slot.target = job.target
    slot.daemon = job.daemon
    this.names.set(job.tid, job.name)
    if (this.stepping) Atomics.store(this.control.i32, threadWord(job.tid, T_STEP), STEP_RUN)
    const base = slot.osTid === null ? null : readThreadCpu(slot.osTid)
    slot.cpuBaseUs = base?.cpuUs ?? 0
    this.threads.set(job.tid, slot)
    slot.worker.postMessage(job)
    if (this.warm.length + this.spawning < WARM_SPARES) this.spawnWorker()
  }

  private fromThread(slot: WorkerSlot, m: ThreadToHost): void {
    switch (m.type) {
      case 'worker:ready': {
        this.spawning--
        slot.osTid = m.osTid
        this.warm.push(slot)
        this.assignWaiting()
        break
      }
      case 'trace:batch':
        this.batches.push(m.batch)
        slot.nextSeq = m.batch.firstSeq + m.batch.records.length / RECORD_FIELDS
        this.forwardSoon()
        break
      case 'obj:new':
        this.objects.set(m.handle.id, m.handle)
        break
      case 'thread:start': {
        const pid = this.init!.pid
        this.assign({
          ...m,
          type: 'thread:assign',
          pid,
          processName: this.init!.name,
          parent: threadKey(pid, slot.tid),
        })
        break
      }
      case 'step:gate':
        this.gateLines.set(m.tid, m.line)
        this.lookAtSteps()
        break
      case 'step:check':
        this.lookAtSteps()
        break
      case 'thread:ended':
        this.lookAtSteps()
        slot.ended = true
        this.addThreadCpu(slot, m.cpu)
        if (m.tid === 0 && m.error) this.mainRaised = true
        this.maybeExit()
        break
      case 'broker:request':
        this.send({
          type: 'broker:request',
          pid: this.init!.pid,
          tid: m.tid,
          request: this.prepareRequest(m.tid, m.request),
        })
        break
    }
  }

  private deliverReply(tid: number, reply: unknown): void {
    const slot = this.threads.get(tid)
    if (!slot) return
    slot.port.postMessage(reply)
    if (this.stepping) {
      // An answer the thread waited for sets it running: the next step waits for it.
      if ((reply as { status?: string }).status !== 'pending')
        Atomics.store(this.control.i32, threadWord(tid, T_STEP), STEP_RUN)
      this.lookAtSteps()
    }
    const idx = threadWord(tid, T_REPLY)
    Atomics.add(this.control.i32, idx, 1)
    Atomics.notify(this.control.i32, idx)
  }

  // --- memory across processes ------------------------------------------------------------------

  /** Arguments leave the process without their shared memory; a fork also carries a snapshot of it. */
  private prepareRequest(
    tid: number,
    request: { op: string; args?: unknown[]; obj?: number; event: number },
  ) {
    const args = request.args ? (stripMemory(request.args) as unknown[]) : undefined
    if (request.op === 'start' && args && args[3] === 'fork') {
      const forker = threadKey(this.init!.pid, tid) + 1
      args[4] = [...this.objects.values()].map((h) => {
        const bytes = new Uint8Array(h.sab!).slice().buffer
        // The forking thread goes on as the child's MainThread, owning what it owned.
        if (h.__py === 'lock' || h.__py === 'rlock') {
          const owner = new Int32Array(bytes, (offsets(kindSpec(h.__py).layout).intBase + LOCK_OWNER) * 4, 1)
          if (owner[0] === forker) owner[0] = FORKING_THREAD
        }
        return { id: h.id, kind: h.__py, bytes }
      })
    }
    return { ...request, args }
  }

  /**
   * Gives the handles in a child's arguments memory of this process: under fork, a copy of the
   * parent's (a lock held by another thread stays held, with an owner that does not exist here);
   * under spawn, a fresh object, as re-importing the module would make.
   */
  private attachMemory(args: unknown[], forked: HostInit['forkedObjects'], isFork: boolean): unknown[] {
    const copies = new Map<number, SharedArrayBuffer>()
    for (const f of isFork ? forked : []) {
      const sab = new SharedArrayBuffer(f.bytes.byteLength)
      new Uint8Array(sab).set(new Uint8Array(f.bytes))
      const layout = kindSpec(f.kind as ObjectKind).layout
      const i32 = new Int32Array(sab)
      resetAfterFork(i32, layout)
      const owner = offsets(layout).intBase + LOCK_OWNER
      if ((f.kind === 'lock' || f.kind === 'rlock') && i32[owner] === FORKING_THREAD) {
        i32[owner] = threadKey(this.init!.pid, 0) + 1
      }
      copies.set(f.id, sab)
    }
    const visit = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v
      if (Array.isArray(v)) return v.map(visit)
      if (isHandle(v) && !v.sab && kindSpecOrNull(v.__py)) {
        const init = visit(v.init) as ObjectHandle['init']
        let sab = copies.get(v.id)
        if (!sab) {
          sab = createBuffer(v.__py, init)
          copies.set(v.id, sab)
        }
        const handle: ObjectHandle = { ...v, init, sab }
        this.objects.set(handle.id, handle)
        return handle
      }
      if (Object.getPrototypeOf(v) === Object.prototype) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]))
      }
      return v
    }
    return visit(args) as unknown[]
  }

  // --- trace and CPU ---------------------------------------------------------------------------

  /**
   * Forwards what has arrived at once (in this turn of the event loop, together) when nothing
   * left for FORWARD_INTERVAL_MS, else when that much time has passed since the last forward: a
   * quiet thread's first events do not wait for a tick, a busy one's still leave in few messages.
   */
  private forwardSoon(): void {
    if (this.forwardPending) return
    this.forwardPending = true
    const waitMs = this.lastForwardMs + FORWARD_INTERVAL_MS - performance.now()
    if (waitMs > 0) setTimeout(this.forwardNow, waitMs)
    else setImmediate(this.forwardNow)
  }

  private readonly forwardNow = (): void => {
    if (!this.forwardPending) return // the host is exiting: what was left went with host:exit
    this.forwardPending = false
    this.forward()
  }

  private forward(): void {
    this.lastForwardMs = performance.now()
    if (this.batches.length === 0 && this.threadCpu.length === 0) return
    const batches = this.batches
    const threadCpu = this.threadCpu
    this.batches = []
    this.threadCpu = []
    const usage = process.cpuUsage()
    this.send({
      type: 'trace:batch',
      pid: this.init!.pid,
      batches,
      threadCpu,
      processCpuUs: usage.user + usage.system,
    })
  }

  private sampleCpu(): void {
    if (this.paused) return
    for (const slot of this.threads.values()) {
      if (!slot.ended && slot.osTid !== null) this.addThreadCpu(slot, readThreadCpu(slot.osTid))
    }
  }

  /** A sample of a thread's CPU time: read by the host, or by the thread itself as it ended. */
  private addThreadCpu(slot: WorkerSlot, cpu: ThreadCpuReading | null): void {
    if (!cpu) return
    this.threadCpu.push({
      tUs: monotonicUs() - this.prep.runStartUs,
      pid: this.init!.pid,
      tid: slot.tid,
      cpuUs: Math.max(0, cpu.cpuUs - slot.cpuBaseUs),
      core: cpu.core,
    })
    this.forwardSoon()
  }

  // --- exit ------------------------------------------------------------------------------------

  /** Python exits when MainThread and every non-daemon thread have ended; daemon threads die with it. */
  private maybeExit(): void {
    if (this.exiting) return
    const main = this.threads.get(0)
    if (!main?.ended) return
    for (const slot of this.threads.values()) if (!slot.ended && !slot.daemon) return
    for (let tid = 1; tid < Atomics.load(this.control.i32, C_NEXT_TID); tid++) {
      if (Atomics.load(this.control.i32, threadWord(tid, T_ALIVE)) === ALIVE_STARTING) return
    }
    this.exiting = true
    // Give running daemon threads one flush interval to send what they recorded, then let the
    // orchestrator join our non-daemonic children and terminate the daemonic ones.
    setTimeout(() => {
      this.forward()
      this.send({ type: 'host:exiting', pid: this.init!.pid, exitCode: this.exitCode() })
    }, 30)
  }

  /**
   * Python's terminate(): the process dies by SIGTERM. First, one flush interval for the threads to
   * send what they recorded (a running thread flushes every 20 ms, a blocked one before it blocks),
   * so that what others saw of this process, such as the puts they got, is in the trace.
   */
  terminate(die: () => void): void {
    setTimeout(() => {
      if (this.init) this.forward()
      die()
    }, 30)
  }

  private exitCode(): number {
    return this.mainRaised ? 1 : 0
  }

  private exitNow(): void {
    this.forward()
    for (const t of this.timers) clearInterval(t)
    this.forwardPending = false
    this.send({ type: 'host:exit', pid: this.init!.pid, exitCode: this.exitCode() })
    this.exit(this.exitCode())
  }
}

function kindSpecOrNull(kind: string): boolean {
  try {
    kindSpec(kind as ObjectKind)
    return true
  } catch {
    return false
  }
}

/** Handles leave a process without their SharedArrayBuffer (which cannot cross it). */
export function stripMemory(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(stripMemory)
  if (isHandle(v)) {
    const { sab: _sab, ...rest } = v
    return { ...rest, init: stripMemory(v.init) }
  }
  if (Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripMemory(x)]))
  }
  return v
}

export { ALIVE_ENDED }
