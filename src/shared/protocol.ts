/**
 * Messages between the parts of Interleave, named `domain:verb`.
 * Orchestrator <-> process host travel over the ProcessLauncher's channel
 * (child_process IPC or an Electron utilityProcess port); Electron IPC channels are below.
 */
import type { ParamValues, ScenarioSummary } from './scenario'
import type { RunOptions, RunRecord, TraceEvent, CpuSample, ThreadCpuSample, ProcessInfo } from './trace'

/** Records as the engine writes them: RECORD_FIELDS doubles an event, strings referenced by index. */
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
  | { type: 'host:prepare'; prepare: HostPrepare }
  | { type: 'host:init'; init: HostInit }
  | { type: 'broker:reply'; tid: number; reply: BrokerReply }
  /** The answer to host:exiting: children are dealt with, the process may end. */
  | { type: 'host:exit-now' }

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

/** Electron IPC (main <-> preload), invoke-style unless noted. */
export const IPC = {
  scenariosList: 'scenarios:list',
  runStart: 'run:start',
  runStop: 'run:stop',
  /** main -> renderer, a stream of RunStreamMessage over a MessagePort. */
  runStream: 'run:stream',
} as const

export interface RunRequest {
  scenario: string
  params: Record<string, string | number>
  options?: Partial<RunOptions>
}

export type RunStreamMessage =
  | { type: 'run:events'; events: TraceEvent[]; cpu: CpuSample[]; threadCpu: ThreadCpuSample[] }
  | { type: 'run:process'; process: ProcessInfo }
  | { type: 'run:end'; record: RunRecord }

export type { ScenarioSummary }
