import type { BrokerRequest } from '../../shared/protocol'
import type { ThreadCpuReading } from '../host/threadCpu'
import type { PackedBatch } from '../records'
import type { ObjectHandle } from './layout'

/** What a thread tells its process host. */
export type ThreadToHost =
  | { type: 'trace:batch'; batch: PackedBatch }
  | { type: 'obj:new'; handle: ObjectHandle }
  | { type: 'thread:start'; tid: number; name: string; target: string; args: unknown[]; daemon: boolean }
  /** `cpu`: the thread's own last reading of its CPU time (the host may find it gone once it exits). */
  | { type: 'thread:ended'; tid: number; error: boolean; cpu: ThreadCpuReading | null }
  | { type: 'broker:request'; tid: number; request: BrokerRequest }
  | { type: 'worker:ready'; osTid: number | null }
  /** Step mode: the thread waits at line `line` to be chosen. */
  | { type: 'step:gate'; tid: number; line: number }
  /** Step mode: the thread stopped running (it blocked); the host looks again at who runs. */
  | { type: 'step:check' }

/** What the host tells a worker. */
export interface ThreadAssignment {
  type: 'thread:assign'
  pid: number
  processName: string
  tid: number
  name: string
  target: string
  args: unknown[]
  daemon: boolean
  parent: number | null
}
