/**
 * Messages between the parts of Interleave, named `domain:verb`.
 * Orchestrator <-> process host travel over the ProcessLauncher's channel
 * (child_process IPC or an Electron utilityProcess port); Electron IPC channels are below.
 */
import type { ParamValues, ScenarioSummary } from './scenario'
import type { BatchRequest, BatchStreamMessage } from './batch'
import type {
  CpuSample,
  DeadlockReport,
  HangReport,
  ProcessInfo,
  RunOptions,
  RunRecord,
  ThreadCpuSample,
  TraceEvent,
} from './trace'
import { MAX_THREADS_PER_PROCESS } from './trace'

/**
 * Records as the engine writes them: RECORD_FIELDS doubles an event, strings referenced by index.
 * A thread's tracer sends its strings packed (records.ts' PackedBatch: `strings` empty, the strings
 * joined in `text`); `batchStrings` reads either form.
 */
export interface EncodedBatch {
  pid: number
  tid: number
  /** Sequence number of the first record, so the reader can number events. */
  firstSeq: number
  records: Float64Array
  strings: string[]
}

/** What every process of a run shares; a host gets it first, and may wait warm for its init. */
export interface HostPrepare {
  scenario: string
  params: ParamValues
  options: RunOptions
  /** hrtime in microseconds at which the run started: the zero of every timestamp. */
  runStartUs: number
  /** Module that runs a Python thread (a worker_threads entry). */
  threadEntry: string
  /** Worker threads to start before MainThread runs, so that Thread.start() is as quick as in CPython. */
  warmThreads: number
  /** The run's caps on threads and their memory (DEFAULT_LIMITS where absent). */
  limits?: Partial<RunLimits>
}

/**
 * Caps that keep one run (a runaway lesson, a mistake in a model) from taking the machine down.
 * Going past one is what Python would do on a machine that ran out: an exception in the program,
 * traced like any other, never a crash of the app.
 */
export interface RunLimits {
  /**
   * The JS heap (V8's old generation) of each Python thread, in MB. A thread that needs more dies
   * with MemoryError; the rest of its process goes on.
   */
  threadMemoryMb: number
  /** Python threads alive at once in one process, MainThread included; one more raises RuntimeError. */
  threadsPerProcess: number
  /** Python processes alive at once in a run, MainProcess included; one more raises BlockingIOError. */
  processes: number
}

/**
 * 256 MB a thread: far above what any lesson's thread holds (a million-item list is tens of MB), low
 * enough that a thread appending for ever is stopped within seconds. 256 threads a process: lessons
 * start a few dozen at most, and each is a worker of some 9 MB (2.3 GB at the cap). 64 processes:
 * lessons start about twenty at most, and each is a Node process of some 70 MB with its warm workers.
 */
export const DEFAULT_LIMITS: RunLimits = { threadMemoryMb: 256, threadsPerProcess: 256, processes: 64 }

/**
 * Processes a run may start in all (ended ones included): process indices above it would collide in
 * event and object ids (see eventId in trace.ts and OBJECTS_PER_PROCESS in the thread runtime).
 */
export const MAX_PROCESSES_PER_RUN = 2048

/** The limits with defaults filled in, checked; a RangeError says which is out of bounds. */
export function resolveLimits(limits: Partial<RunLimits> = {}): RunLimits {
  const r = { ...DEFAULT_LIMITS, ...limits }
  const check = (value: number, min: number, max: number, what: string): void => {
    if (!Number.isInteger(value) || value < min || value > max)
      throw new RangeError(`${what} must be a whole number from ${min} to ${max}`)
  }
  check(r.threadMemoryMb, 16, 16_384, 'the memory limit per thread (MB)')
  check(r.threadsPerProcess, 1, MAX_THREADS_PER_PROCESS, 'the cap on threads per process')
  check(r.processes, 1, MAX_PROCESSES_PER_RUN, 'the cap on processes per run')
  return r
}

/** Which Python process a prepared host becomes. */
export interface HostInit {
  pid: number
  name: string
  target: string
  /** Arguments on the wire: handles to shared objects are plain `{ __py }` records. */
  args: unknown[]
  startMethod: 'spawn' | 'fork' | null
  /** fork: the parent's in-process objects, by id, as bytes to copy. */
  forkedObjects: { id: number; kind: string; bytes: ArrayBuffer }[]
  parentPid: number | null
}

export interface BrokerRequest {
  op: string
  obj?: number
  args?: unknown[]
  /** The id the caller's op event will have (one more if the call went pending): causal links point at it. */
  event: number
}

export interface BrokerReply {
  /** `pending`: the call blocks; the final reply follows. */
  status: 'ok' | 'pending' | 'timeout' | 'fail' | 'error'
  value?: unknown
  after?: number[]
  cause?: number | null
  tUs: number
  error?: { type: string; message: string }
}

export type HostInbound =
  /** Before any run: start `threads` workers from `threadEntry`, which wait to learn their run. */
  | { type: 'host:warm'; threadEntry: string; threads: number }
  | { type: 'host:prepare'; prepare: HostPrepare }
  | { type: 'host:init'; init: HostInit }
  | { type: 'broker:reply'; tid: number; reply: BrokerReply }
  /** The answer to host:exiting: children are dealt with, the process may end. */
  | { type: 'host:exit-now' }
  /** Pause (every thread parks at its next operation) or resume the process. */
  | { type: 'run:pause'; paused: boolean }
  /** Step mode: the thread waiting at its gate may do its next operation. */
  | { type: 'step:grant'; tid: number }

export type HostOutbound =
  | { type: 'host:ready'; pid: number; osPid: number }
  | {
      type: 'trace:batch'
      pid: number
      batches: EncodedBatch[]
      threadCpu: ThreadCpuSample[]
      processCpuUs: number
    }
  | { type: 'broker:request'; pid: number; tid: number; request: BrokerRequest }
  /** Its threads are done; before it ends, multiprocessing's exit handler joins or terminates its children. */
  | { type: 'host:exiting'; pid: number; exitCode: number }
  | { type: 'host:exit'; pid: number; exitCode: number }
  /**
   * Step mode: who waits to be chosen, and whether any thread of the process still runs. `grants`
   * and `replies` count the grants and broker replies the host had taken in when it looked, so the
   * run knows whether this is news or was sent before its latest message arrived.
   */
  | {
      type: 'step:state'
      pid: number
      running: boolean
      gated: StepGate[]
      grants: number
      replies: number
    }

/** A thread waiting at its next operation in step mode. */
export interface StepGate {
  tid: number
  name: string
  line: number
}

/** A thread the teacher may choose in step mode. */
export interface StepCandidate {
  /** threadKey(pid, tid): what a schedule lists. */
  key: number
  pid: number
  tid: number
  process: string
  name: string
  /** The line of program.py whose operation it will do next. */
  line: number
}

/** Step mode as a window shows it. */
export interface StepView {
  /** Threads waiting at their next operation, in process and thread order. */
  candidates: StepCandidate[]
  /** Every thread has stopped (at an operation, or blocked): the next choice takes effect now. */
  ready: boolean
  /** Steps taken so far. */
  steps: number
  /** Steps of a replayed schedule still to come. */
  replayLeft: number
  /** Why a replayed schedule was abandoned (the run went another way), or null. */
  diverged: string | null
}

/** What a window may ask of a live run besides Stop (checked by `runControl`, src/shared/requestSchema.ts). */
export type RunControl =
  | { type: 'pause' }
  | { type: 'resume' }
  /** Step mode: let this thread (a thread key) do its next operation. */
  | { type: 'step'; key: number }

/** Electron IPC (main <-> preload), invoke-style unless noted. */
export const IPC = {
  scenariosList: 'scenarios:list',
  runStart: 'run:start',
  runStop: 'run:stop',
  /** page -> backend (invoke): pause, resume or step a live run (RunControl). */
  runControl: 'run:control',
  /**
   * preload -> main, once per page load (send, not invoke): asks for the page's run stream. Main
   * answers on run:stream; the runs of the page this one replaced (a reload) are stopped.
   */
  runConnect: 'run:connect',
  /** main -> page (send): a recording to open, from the menu, the recent list or the command line. */
  recordingOpen: 'recording:open',
  /** page -> backend (invoke): the built HTML player's files, for the page to export a run as one file. */
  playerTemplate: 'player:template',
  /** main -> preload, once per page load: one MessagePort, over which every RunStreamMessage for the page arrives. */
  runStream: 'run:stream',
  /** page -> backend (invoke): run a lesson many times (BatchRequest); answers BatchStartReply. */
  batchStart: 'batch:start',
  /** page -> backend (invoke): cancel the page's batch by its id. */
  batchCancel: 'batch:cancel',
  /** page -> backend (invoke): a kept run of the page's last batch, as a gzipped recording (BatchRunReply). */
  batchRun: 'batch:run',
  /** backend -> page (send; pushed in browser mode): every BatchStreamMessage of the page's batches. */
  batchStream: 'batch:stream',
} as const

/**
 * run:start's answer over Electron IPC. A refusal is an answer, not a thrown error, because Electron
 * rewrites a handler's error message ("Error invoking remote method ..."); the preload rejects with `message`.
 */
export type RunStartReply = { ok: true; runId: string } | { ok: false; message: string }
/** run:control's answer over Electron IPC, for the same reason. */
export type RunControlReply = { ok: true } | { ok: false; message: string }

export interface RunRequest {
  scenario: string
  params: Record<string, string | number>
  options?: Partial<RunOptions>
}

/** What a run streams to a window, in order: started, then events and processes, then end. */
export type RunStreamMessage =
  | {
      type: 'run:started'
      runId: string
      scenario: string
      params: ParamValues
      options: RunOptions
      program: string
      cores: number
    }
  | {
      type: 'run:events'
      runId: string
      events: TraceEvent[]
      cpu: CpuSample[]
      threadCpu: ThreadCpuSample[]
    }
  | { type: 'run:process'; runId: string; process: ProcessInfo }
  /** Step mode: who may go next (sent whenever it changes). */
  | { type: 'run:step'; runId: string; step: StepView }
  /** The run was paused or resumed. */
  | { type: 'run:paused'; runId: string; paused: boolean }
  /** A deadlock formed: threads each blocked on a lock the next one holds (the run goes on to its end). */
  | { type: 'run:deadlock'; runId: string; deadlock: DeadlockReport }
  /** Nothing has moved for the run's hangAfterS, every live thread waiting (null: something moved again). */
  | { type: 'run:hang'; runId: string; hang: HangReport | null }
  /**
   * `summary`: the record without what already streamed (events and samples), with their counts so
   * a window can tell that it heard all of it. `verdict`: the lesson's outcome in words, as the
   * CLI's "Lesson:" line.
   */
  | { type: 'run:end'; runId: string; summary: RunSummary; verdict: string }

/**
 * A run's stream as the transports carry it to a window: run:events as a frame of bytes
 * (encodeRunEvents, src/shared/eventCodec.ts), every other message as it is. The page's api layer
 * decodes the frames, so that the page's listeners hear RunStreamMessages.
 */
export type RunStreamWireMessage = Exclude<RunStreamMessage, { type: 'run:events' }> | Uint8Array

/** The same as a window receives it: a frame arrives as an ArrayBuffer (a socket's, a port's). */
export type RunStreamPageMessage = Exclude<RunStreamMessage, { type: 'run:events' }> | ArrayBuffer

/** A RunRecord less its streamed parts: a long run's end costs no more to send than a short one's. */
export type RunSummary = Omit<RunRecord, 'events' | 'cpu' | 'threadCpu'> & {
  counts: { events: number; cpu: number; threadCpu: number }
}

/** The summary a record's end is sent as. */
export function summarize(record: RunRecord): RunSummary {
  const { events, cpu, threadCpu, ...rest } = record
  return { ...rest, counts: { events: events.length, cpu: cpu.length, threadCpu: threadCpu.length } }
}

/** A recording's file as main hands it to the page: its bytes, or why it could not be read. */
export interface RecordingFile {
  name: string
  bytes?: Uint8Array
  error?: string
}

export type { ScenarioSummary }

/**
 * Browser mode: InterleaveApi over one WebSocket at `/api`, JSON text frames. A request carries an
 * id and the IPC channel it mirrors, and the fields of that channel's request (REQUEST_FIELDS in
 * src/shared/requestSchema.ts), no other; its answer is an `api:reply` or `api:error` with that id. Run
 * streams are pushed as `run:stream`, except their run:events: each is one binary frame, as
 * encodeRunEvents makes it (src/shared/eventCodec.ts), which carries its run's id. The page sends
 * text frames only; the server refuses a binary one.
 */
export type SocketRequest =
  | { id: number; type: typeof IPC.scenariosList }
  | { id: number; type: typeof IPC.runStart; request: RunRequest }
  | { id: number; type: typeof IPC.runStop; runId: string }
  | { id: number; type: typeof IPC.runControl; runId: string; command: RunControl }
  | { id: number; type: typeof IPC.playerTemplate }
  | { id: number; type: typeof IPC.batchStart; request: BatchRequest }
  | { id: number; type: typeof IPC.batchCancel; batchId: string }
  /** Answered with `{ base64 }`: the recording's gzipped bytes. */
  | { id: number; type: typeof IPC.batchRun; batchId: string; run: number }

export type SocketMessage =
  | { type: 'api:reply'; id: number; value: unknown }
  /** A refusal. `id` null: the message refused had no id to answer to (not JSON, say); no call waits for it. */
  | { type: 'api:error'; id: number | null; message: string }
  | { type: typeof IPC.runStream; message: RunStreamMessage }
  | { type: typeof IPC.batchStream; message: BatchStreamMessage }
