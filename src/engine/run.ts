/**
 * A run: launches the scenario's processes, serves their multiprocessing objects (the broker),
 * collects the trace and CPU samples on one clock, enforces the timeout and Stop, and ends with
 * an outcome and every thread's final state. Whatever happens, no process of the run outlives it.
 */
import { arch, cpus, platform, release } from 'node:os'
import {
  resolveLimits,
  type EncodedBatch,
  type HostInit,
  type HostOutbound,
  type HostPrepare,
  type RunLimits,
  type StepView,
} from '../shared/protocol'
import type { ParamValues } from '../shared/scenario'
import {
  TRACE_VERSION,
  threadKey,
  type CpuSample,
  type DeadlockReport,
  type HangReport,
  type FinalObjectState,
  type FinalThreadState,
  type ObjectKind,
  type ProcessInfo,
  type RunOptions,
  type RunOutcome,
  type RunRecord,
  type RunStatus,
  type ThreadCpuSample,
  type TraceEvent,
} from '../shared/trace'
import { Broker } from './broker'
import type { ProcessStartSpec } from './brokerTypes'
import { monotonicUs } from './clock'
import { CoreSampler } from './cpu'
import type { LaunchedProcess, ProcessLauncher } from './launcher'
import { RecordDecoder } from './records'
import type { ScenarioDefinition } from './scenario'
import { Stepper } from './stepper'
import { workersBeforeMain } from './host/warm'
import { DeadlockWatch, ObjectFold, findCycle, foldThreadEvent } from './deadlock'

export const DEFAULT_OPTIONS: RunOptions = {
  gil: true,
  timeoutS: 30,
  switchIntervalMs: 5,
  speed: 1,
  trace: true,
}
/** 12.5 Hz: above the 10 Hz the trace promises, even when timers drift. */
const CPU_SAMPLE_MS = 80
/** The least time since the last sample for one more at the end (os.cpus() counts in 10 ms ticks). */
const LAST_CPU_SAMPLE_MIN_MS = 30
/** The longest a run may be given: an hour. */
export const MAX_TIMEOUT_S = 3600
/** The GIL's switch interval a run may have, in ms (Python's sys.setswitchinterval, whose default is 5). */
export const MIN_SWITCH_INTERVAL_MS = 0.1
export const MAX_SWITCH_INTERVAL_MS = 1000
/**
 * The events a run keeps, at most: a few hundred bytes each in the orchestrator and the page, so a
 * run that would go past it is stopped, with a message, rather than growing without bound.
 */
export const MAX_EVENTS = 3_000_000
/** How often the run looks for a deadlock: with DEADLOCK_CONFIRM_US, one is reported within a second. */
const DEADLOCK_CHECK_MS = 200
/** Nothing moving for this long, every live thread blocked or waiting: a hang is reported. */
export const DEFAULT_HANG_AFTER_S = 2
/** How long processes get to exit after a kill before the run gives up waiting. */
const KILL_GRACE_MS = 3000

export interface RunUpdate {
  events: TraceEvent[]
  cpu: CpuSample[]
  threadCpu: ThreadCpuSample[]
  /** A process that started or ended, as it stands now. */
  process?: ProcessInfo
  /** Step mode: who may go next. */
  step?: StepView
  /** The run was paused (true) or resumed (false). */
  paused?: boolean
  /** A deadlock, as soon as it has formed (within a second). */
  deadlock?: DeadlockReport
  /** A hang, once nothing has moved for the run's hangAfterS; null when something moves again. */
  hang?: HangReport | null
}

/** A launched host; `entry` is set once it becomes a Python process. */
interface HostSlot {
  handle: LaunchedProcess
  entry: ProcessEntry | null
  exited: boolean
}

interface ProcessEntry {
  info: ProcessInfo
  handle: LaunchedProcess
  daemon: boolean
  announcedExit: boolean
  /** Its threads are done; it waits for its non-daemonic children before it ends. */
  exiting: boolean
  exited: boolean
}

export class Run {
  readonly events: TraceEvent[] = []
  readonly cpu: CpuSample[] = []
  readonly threadCpu: ThreadCpuSample[] = []
  readonly options: RunOptions
  readonly limits: RunLimits
  private readonly processes: ProcessEntry[] = []
  /** Hosts started ahead and kept warm, so that Process.start() does not wait for Node to boot. */
  private readonly spares: HostSlot[] = []
  private readonly hosts: HostSlot[] = []
  private readonly decoder = new RecordDecoder()
  private readonly broker: Broker
  private readonly listeners: ((u: RunUpdate) => void)[] = []
  private readonly startedAt = new Date().toISOString()
  private runStartUs = 0
  private timers: NodeJS.Timeout[] = []
  private ending: { status: RunStatus; message: string } | null = null
  private resolve!: (record: RunRecord) => void
  private record: RunRecord | null = null
  private readonly stepper: Stepper | null
  private readonly deadlocks = new DeadlockWatch((pid) => this.processes[pid]?.info.name ?? `process ${pid}`)
  private paused = false
  private sampler: CoreSampler | null = null
  /** Run time of the last thing that moved: an event, a process started or ended, a pause or a step. */
  private lastMoveUs = 0
  /** The hang reported and still standing. */
  private hang: HangReport | null = null
  /** The timeout's clock: it stops while the run is paused or waits for a step to be chosen. */
  private timeoutLeftMs = 0
  private timeoutSince: number | null = null
  private timeoutTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly scenario: ScenarioDefinition,
    private readonly params: ParamValues,
    options: Partial<RunOptions>,
    private readonly launcher: ProcessLauncher,
    /** How many events a run may hold; past it the run stops with a message (memory stays bounded). */
    private readonly maxEvents = MAX_EVENTS,
    /** Caps on threads, their memory and processes (DEFAULT_LIMITS where absent). */
    limits: Partial<RunLimits> = {},
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options }
    this.limits = resolveLimits(limits)
    if (!(this.options.timeoutS > 0 && this.options.timeoutS <= MAX_TIMEOUT_S))
      throw new RangeError(`the timeout must be more than 0 and at most ${MAX_TIMEOUT_S} seconds`)
    if (!(this.options.speed > 0 && this.options.speed <= 100))
      throw new RangeError('the speed (a slowdown) must be more than 0 and at most 100')
    const hangAfterS = this.options.hangAfterS
    if (hangAfterS !== undefined && !(hangAfterS >= 0 && hangAfterS <= MAX_TIMEOUT_S))
      throw new RangeError(`the time before a hang is reported must be from 0 to ${MAX_TIMEOUT_S} seconds`)
    // As the CLI's --switch-interval: CPython's default is 5 ms; past a second no thread would ever
    // be seen to hand over the GIL, and below 0.1 ms the handover itself is all a thread would do.
    const interval = this.options.switchIntervalMs
    if (!(interval >= MIN_SWITCH_INTERVAL_MS && interval <= MAX_SWITCH_INTERVAL_MS))
      throw new RangeError(
        `the switch interval must be from ${MIN_SWITCH_INTERVAL_MS} to ${MAX_SWITCH_INTERVAL_MS} ms`,
      )
    this.broker = new Broker(
      {
        nowUs: () => this.nowUs(),
        toMs: (s) => s * 1000 * this.options.speed,
        startProcess: (spec) => this.launchProcess(spec),
        killProcess: (pid, signal) => this.killProcess(pid, signal),
        declareObject: (id, kind) => this.decoder.declareObject(id, kind as ObjectKind),
      },
      this.limits,
    )
    this.stepper = this.options.step
      ? new Stepper(this.options.schedule ?? [], {
          grant: (pid, tid) => {
            const p = this.processes[pid]
            if (p && !p.exited) p.handle.send({ type: 'step:grant', tid })
          },
          publish: (step) => {
            this.updateTimeout()
            this.emit({ events: [], cpu: [], threadCpu: [], step })
          },
          processName: (pid) => this.processes[pid]?.info.name ?? `process ${pid}`,
        })
      : null
  }

  /** Pauses the run: every thread parks at its next operation; the timeout stops too. */
  pause(): void {
    this.setPaused(true)
  }

  resume(): void {
    this.setPaused(false)
  }

  /** Step mode: the thread (a thread key) to do its next operation. */
  chooseStep(key: number): void {
    if (!this.stepper) throw new Error('this run is not in step mode')
    if (!Number.isSafeInteger(key) || key < 0) throw new RangeError('a step names a thread by its key')
    this.stepper.choose(key)
  }

  private setPaused(paused: boolean): void {
    if (this.ending || this.paused === paused) return
    this.paused = paused
    for (const h of this.hosts) if (!h.exited) h.handle.send({ type: 'run:pause', paused })
    this.updateTimeout()
    this.emit({ events: [], cpu: [], threadCpu: [], paused })
  }

  /** Runs the timeout's clock only while the run can move by itself. */
  private updateTimeout(): void {
    if (this.ending || this.record) return
    const hold = this.paused || (this.stepper?.waitingForChoice ?? false)
    const now = performance.now()
    if (hold && this.timeoutSince !== null) {
      this.timeoutLeftMs -= now - this.timeoutSince
      this.timeoutSince = null
      if (this.timeoutTimer) clearTimeout(this.timeoutTimer)
      this.timeoutTimer = null
    } else if (!hold && this.timeoutSince === null) {
      this.timeoutSince = now
      this.timeoutTimer = setTimeout(
        () => this.end('timed-out', `timed out after ${this.options.timeoutS} s`),
        Math.max(0, this.timeoutLeftMs),
      )
    }
  }

  get machineCores(): number {
    return cpus().length
  }

  /** Worker threads each host starts before MainThread runs: the threads the lesson will start. */
  private get warmThreads(): number {
    return Math.min(64, this.scenario.threadsHint?.(this.params) ?? 2)
  }

  /** Streams what arrives, in batches (for a live view). */
  onUpdate(listener: (u: RunUpdate) => void): void {
    this.listeners.push(listener)
  }

  nowUs(): number {
    return monotonicUs() - this.runStartUs
  }

  start(): Promise<RunRecord> {
    const done = new Promise<RunRecord>((resolve) => (this.resolve = resolve))
    this.runStartUs = monotonicUs()
    this.sampler = new CoreSampler()
    this.timers.push(
      setInterval(() => {
        // A paused run's picture holds still: no samples until it resumes.
        if (!this.paused) this.sampleCores()
      }, CPU_SAMPLE_MS),
    )
    this.timeoutLeftMs = this.options.timeoutS * 1000
    this.updateTimeout()
    this.timers.push(
      setInterval(() => {
        const now = this.nowUs()
        const deadlock = this.deadlocks.check(now)
        if (deadlock) this.emit({ events: [], cpu: [], threadCpu: [], deadlock })
        this.lookForHang(now)
      }, DEADLOCK_CHECK_MS),
    )
    const spares = Math.min(16, this.scenario.processesHint?.(this.params) ?? 0)
    this.launcher.warmFor?.(workersBeforeMain(this.warmThreads))
    this.launchProcess({
      objectId: -1,
      name: 'MainProcess',
      target: 'main',
      args: [],
      daemon: false,
      startMethod: 'spawn',
      parentPid: -1,
      forkedObjects: [],
    })
    for (let i = 0; i < spares; i++) this.spares.push(this.launchHost())
    return done
  }

  private sampleCores(): void {
    if (!this.sampler) return
    const s = this.sampler.sample(this.nowUs())
    this.cpu.push(s)
    this.emit({ events: [], cpu: [s], threadCpu: [] })
  }

  /** Stops the run (the user's Stop): every process is killed. */
  stop(): void {
    this.end('stopped', `stopped after ${(this.nowUs() / 1e6).toFixed(2)} s`)
  }

  /**
   * A hang that is not a cycle: every live thread blocked or waiting, and nothing has moved for
   * hangAfterS. While paused or waiting for a step to be chosen, the run is held, not hung.
   */
  private lookForHang(nowUs: number): void {
    const afterUs = (this.options.hangAfterS ?? DEFAULT_HANG_AFTER_S) * 1e6
    if (afterUs === 0 || this.hang || this.deadlocks.reported) return
    if (this.paused || this.stepper?.waitingForChoice) {
      this.lastMoveUs = nowUs
      return
    }
    if (nowUs - this.lastMoveUs < afterUs) return
    const alive = this.processes.filter((p) => !p.exited).map((p) => p.info.pid)
    this.hang = this.deadlocks.hang(alive, this.lastMoveUs)
    if (this.hang) this.emit({ events: [], cpu: [], threadCpu: [], hang: this.hang })
  }

  /** Something moved: a reported hang is withdrawn (a wait with a timeout ended, say). */
  private moved(): void {
    this.lastMoveUs = this.nowUs()
    if (!this.hang || this.ending) return
    this.hang = null
    this.emit({ events: [], cpu: [], threadCpu: [], hang: null })
  }

  // --- processes -----------------------------------------------------------------------------------

  /** Starts a host process, prepared for this run but not yet any Python process. */
  private launchHost(): HostSlot {
    const handle = this.launcher.launch('interleave-host')
    const slot: HostSlot = { handle, entry: null, exited: false }
    this.hosts.push(slot)
    handle.onMessage((m) => {
      if (slot.entry) this.fromHost(slot.entry, m)
    })
    handle.onExit((code, signal) => {
      slot.exited = true
      const i = this.spares.indexOf(slot)
      if (i >= 0) this.spares.splice(i, 1)
      if (slot.entry) this.processExited(slot.entry, code, signal)
      else if (this.ending) this.finishIfAllExited()
    })
    const prepare: HostPrepare = {
      scenario: this.scenario.id,
      params: this.params,
      options: this.options,
      runStartUs: this.runStartUs,
      threadEntry: this.launcher.threadEntry,
      warmThreads: this.warmThreads,
      limits: this.limits,
    }
    handle.send({ type: 'host:prepare', prepare })
    if (this.paused) handle.send({ type: 'run:pause', paused: true })
    return slot
  }

  private launchProcess(spec: ProcessStartSpec): number {
    const pid = this.processes.length
    const slot = this.spares.shift() ?? this.launchHost()
    const handle = slot.handle
    const info: ProcessInfo = {
      pid,
      name: spec.name,
      parent: spec.parentPid >= 0 ? spec.parentPid : null,
      startMethod: spec.parentPid >= 0 ? spec.startMethod : null,
      osPid: handle.osPid,
      startUs: this.nowUs(),
      endUs: null,
      exitCode: null,
      signal: null,
      cpuUs: 0,
    }
    const entry: ProcessEntry = {
      info,
      handle,
      daemon: spec.daemon,
      announcedExit: false,
      exiting: false,
      exited: false,
    }
    this.processes.push(entry)
    slot.entry = entry
    this.stepper?.processStarted(pid)
    this.moved()
    this.emit({ events: [], cpu: [], threadCpu: [], process: { ...info } })
    const init: HostInit = {
      pid,
      name: spec.name,
      target: spec.target,
      args: spec.args,
      startMethod: info.startMethod,
      forkedObjects: spec.forkedObjects,
      parentPid: info.parent,
    }
    handle.send({ type: 'host:init', init })
    return pid
  }

  private fromHost(entry: ProcessEntry, m: HostOutbound): void {
    switch (m.type) {
      case 'host:ready':
        entry.info.osPid = m.osPid
        break
      case 'trace:batch':
        this.takeBatches(m.batches, m.threadCpu)
        entry.info.cpuUs = m.processCpuUs
        break
      case 'broker:request':
        if (this.ending) return
        this.broker.handle({
          pid: m.pid,
          tid: m.tid,
          request: m.request,
          reply: (reply) => {
            if (entry.exited) return
            this.stepper?.replySent(entry.info.pid)
            entry.handle.send({ type: 'broker:reply', tid: m.tid, reply })
          },
        })
        break
      case 'host:exiting':
        entry.exiting = true
        this.exitWhenChildrenDone(entry)
        break
      case 'host:exit':
        entry.announcedExit = true
        entry.info.exitCode = m.exitCode
        break
      case 'step:state':
        this.stepper?.hostState(m.pid, m)
        break
    }
  }

  private takeBatches(batches: EncodedBatch[], threadCpu: ThreadCpuSample[]): void {
    // Past the cap nothing more is kept (the run is stopping).
    if (this.events.length >= this.maxEvents) return
    // Decoded straight into the run's events (this runs for every event of a run), then handed on.
    const from = this.events.length
    for (const b of batches) this.decoder.decode(b, this.events)
    const events = this.events.length > from ? this.events.slice(from) : []
    this.deadlocks.add(events)
    if (events.length > 0) this.moved()
    if (this.events.length >= this.maxEvents) {
      this.end(
        'stopped',
        `stopped after ${this.events.length} events: a run keeps at most ${this.maxEvents}, so that memory stays bounded`,
      )
    }
    for (const s of threadCpu) this.threadCpu.push(s)
    this.emit({ events, cpu: [], threadCpu })
  }

  private processExited(entry: ProcessEntry, code: number | null, signal: string | null): void {
    entry.exited = true
    this.stepper?.processEnded(entry.info.pid)
    entry.info.endUs = this.nowUs()
    entry.info.signal = signal
    if (!entry.announcedExit) entry.info.exitCode = code
    this.moved()
    this.emit({ events: [], cpu: [], threadCpu: [], process: { ...entry.info } })
    this.broker.processExited(entry.info.pid, entry.info.exitCode, signal)
    const parent = entry.info.parent === null ? undefined : this.processes[entry.info.parent]
    if (parent) this.exitWhenChildrenDone(parent)
    if (this.ending) {
      this.finishIfAllExited()
      return
    }
    if (!entry.announcedExit && entry.info.pid === 0) {
      const how = signal ? `was killed by ${signal}` : `exited unexpectedly with code ${code}`
      this.end('failed', `MainProcess (OS pid ${entry.info.osPid}) ${how}`)
      return
    }
    // Python's main process joins its non-daemon children at exit and terminates daemonic ones.
    // (Here the main process's lane ends when its threads do; the run waits for the children.)
    const main = this.processes[0]
    if (main.exited && this.processes.every((p) => p.exited || p.daemon)) {
      this.end('finished', `finished in ${(this.nowUs() / 1e6).toFixed(2)} s`)
    }
  }

  private killProcess(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
    this.processes[pid]?.handle.kill(signal)
  }

  /**
   * multiprocessing's exit handler: a process that is done terminates its daemonic children and
   * joins the others; only then does it end.
   */
  private exitWhenChildrenDone(entry: ProcessEntry): void {
    if (!entry.exiting || entry.exited) return
    const children = this.processes.filter((p) => p.info.parent === entry.info.pid && !p.exited)
    for (const c of children) if (c.daemon) c.handle.kill('SIGTERM')
    if (children.every((c) => c.daemon)) entry.handle.send({ type: 'host:exit-now' })
  }

  // --- the end -----------------------------------------------------------------------------------

  private end(status: RunStatus, message: string): void {
    if (this.ending) return
    this.ending = { status, message }
    // The cores' last stretch, up to the end: a short run would otherwise show no CPU for as much as
    // a sampling interval at its end. Not a stretch so short that the OS's tick makes it noise.
    const sinceUs = this.nowUs() - (this.cpu.at(-1)?.tUs ?? 0)
    if (!this.paused && sinceUs >= LAST_CPU_SAMPLE_MIN_MS * 1000) this.sampleCores()
    for (const t of this.timers) clearTimeout(t)
    this.timers = []
    if (this.timeoutTimer) clearTimeout(this.timeoutTimer)
    this.stepper?.dispose()
    this.broker.dispose()
    for (const h of this.hosts) if (!h.exited) h.handle.kill()
    this.finishIfAllExited()
    if (!this.record) this.timers.push(setTimeout(() => this.finish(), KILL_GRACE_MS))
  }

  private finishIfAllExited(): void {
    if (this.hosts.every((h) => h.exited)) this.finish()
  }

  private finish(): void {
    if (this.record || !this.ending) return
    for (const t of this.timers) clearTimeout(t)
    const wallUs = this.nowUs()
    const final = finalStates(
      this.events,
      this.threadCpu,
      this.processes.map((p) => p.info),
    )
    // A cycle seen while the run went on stands (a Stop after it still names it); at a timeout,
    // the final states are asked too.
    const deadlock =
      (this.ending.status === 'timed-out' ? findDeadlock(this.events, final) : null) ??
      this.deadlocks.reported
    let message = this.ending.message
    if (this.ending.status === 'timed-out' || (this.hang && !deadlock))
      message += describeStuck(this.events, final, deadlock, this.hang)
    const outcome: RunOutcome = { status: this.ending.status, message, wallUs, deadlock, hang: this.hang }
    const mainExit = this.processes[0]?.info.exitCode
    if (outcome.status === 'finished' && mainExit)
      outcome.message += `; MainProcess exited with code ${mainExit}`
    const result: Record<string, unknown> = {}
    for (const e of this.events) if (e.type === 'result') result[e.key] = e.value
    this.record = {
      version: TRACE_VERSION,
      scenario: this.scenario.id,
      params: this.params,
      options: this.options,
      program: this.scenario.program,
      machine: machineInfo(),
      startedAt: this.startedAt,
      processes: this.processes.map((p) => p.info),
      events: this.events,
      cpu: this.cpu,
      threadCpu: this.threadCpu,
      outcome,
      final,
      objects: finalObjects(this.events),
      result,
      ...(this.stepper ? { schedule: [...this.stepper.chosen] } : {}),
    }
    this.resolve(this.record)
  }

  private emit(update: RunUpdate): void {
    for (const l of this.listeners) l(update)
  }
}

export function machineInfo(): RunRecord['machine'] {
  const c = cpus()
  return {
    cores: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  }
}

/** Every thread's last state, from the trace, with its last CPU reading. */
export function finalStates(
  events: TraceEvent[],
  threadCpu: ThreadCpuSample[],
  processes: ProcessInfo[],
): FinalThreadState[] {
  const threads = new Map<number, FinalThreadState>()
  const processName = (pid: number): string => processes[pid]?.name ?? `process ${pid}`
  for (const e of events) foldThreadEvent(threads, e, processName)
  for (const s of threadCpu) {
    const t = threads.get(threadKey(s.pid, s.tid))
    if (t) t.cpuUs = Math.max(t.cpuUs, s.cpuUs)
  }
  return [...threads.values()]
}

/** Every object's state after its last operation (by time: batches of different threads interleave). */
export function finalObjects(events: TraceEvent[]): FinalObjectState[] {
  const objects = new Map<number, FinalObjectState>()
  const lastUs = new Map<number, number>()
  for (const e of events) {
    if (e.type === 'object') {
      objects.set(e.obj, { obj: e.obj, kind: e.kind, name: e.name, pid: e.pid, state: {}, lastValue: null })
    } else if (e.type === 'op') {
      const o = objects.get(e.obj)
      if (!o || e.tUs < (lastUs.get(e.obj) ?? -Infinity)) continue
      lastUs.set(e.obj, e.tUs)
      o.state = e.after
      if (e.value !== null && !e.value.startsWith('woke ')) o.lastValue = e.value
    }
  }
  return [...objects.values()]
}

function objectFacts(events: TraceEvent[]): ObjectFold {
  const fold = new ObjectFold()
  for (const e of events) fold.add(e)
  return fold
}

/** At the end of a run: a cycle of threads each blocked on a lock that the next one holds. */
export function findDeadlock(events: TraceEvent[], final: FinalThreadState[]): DeadlockReport | null {
  return findCycle(objectFacts(events), final)
}

/** For a timed-out run: who was still waiting, on what, at which line. */
function describeStuck(
  events: TraceEvent[],
  final: FinalThreadState[],
  deadlock: DeadlockReport | null,
  hang: HangReport | null,
): string {
  if (deadlock) {
    const parts = deadlock.cycle.map(
      (c) => `${c.process}/${c.thread} waits for ${c.objName} at line ${c.line}`,
    )
    return `; deadlock: ${parts.join(', ')}, each held by the next`
  }
  if (hang) {
    const parts = hang.threads.map((t) => `${t.process}/${t.thread} waits at line ${t.line} for ${t.needs}`)
    return `; hung: nothing moved after ${(hang.sinceUs / 1e6).toFixed(2)} s; ${parts.join('; ')}`
  }
  const objects = objectFacts(events)
  const stuck = final
    .filter((t) => t.state === 'blocked' || t.state === 'waiting')
    .map((t) => {
      const on = t.obj === null ? '?' : (objects.facts(t.pid, t.obj)?.name ?? '?')
      return `${t.process}/${t.name} ${t.state} on ${on} at line ${t.line}`
    })
  // A loop that never ends records nothing: name the threads that were still running too.
  const running = final
    .filter((t) => t.state === 'running' || t.state === 'gil-wait')
    .map((t) => `${t.process}/${t.name}`)
  return (
    (stuck.length ? `; still waiting: ${stuck.join('; ')}` : '') +
    (running.length ? `; still running: ${running.join(', ')}` : '')
  )
}
