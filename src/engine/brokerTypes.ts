import type { BrokerReply, BrokerRequest } from '../shared/protocol'
import type { ObjectKind } from '../shared/trace'

/** One request from a Python thread to the broker, with the way to answer it (maybe later). */
export interface BrokerCall {
  pid: number
  tid: number
  request: BrokerRequest
  reply(reply: BrokerReply): void
}

/** What a child process needs to start: the Process object's target and how it was started. */
export interface ProcessStartSpec {
  /** The id of the Process object (its proxy). */
  objectId: number
  name: string
  target: string
  args: unknown[]
  daemon: boolean
  startMethod: 'spawn' | 'fork'
  parentPid: number
  forkedObjects: { id: number; kind: string; bytes: ArrayBuffer }[]
}

/** What the broker needs from the run that owns it. */
export interface BrokerHost {
  /** Microseconds since the run started, on the run's clock. */
  nowUs(): number
  /** Python seconds to wall milliseconds (the run's speed). */
  toMs(seconds: number): number
  /** Launches a child process; returns its process index. */
  startProcess(spec: ProcessStartSpec): number
  /** Ends a child process (terminate/kill from Python). */
  killProcess(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void
  /** Tells the trace decoder the kind of a brokered object. */
  declareObject(id: number, kind: ObjectKind | 'process'): void
}
