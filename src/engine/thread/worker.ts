/**
 * The body of one worker thread: it waits, warm, until its process host assigns it a Python
 * thread, runs that thread's function, and reports how it ended. Started by a small entry file
 * that passes in the scenario catalogue (src/scenarios/threadEntry.ts).
 */
import { readFileSync } from 'node:fs'
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import type { ParamValues } from '../../shared/scenario'
import type { RunOptions } from '../../shared/trace'
import type { ScenarioDefinition } from '../scenario'
import { makeClock } from '../clock'
import { readThreadCpu } from '../host/threadCpu'
import { splitThreadKey } from '../../shared/trace'
import { code, RecordType } from '../records'
import {
  ALIVE_ENDED,
  ALIVE_RUNNING,
  C_LIVE_THREADS,
  D_END_EVENT,
  STEP_NONE,
  STEP_RUN,
  T_ALIVE,
  T_STEP,
  openControl,
  threadDouble,
  threadWord,
} from './control'
import { excepthook } from './errors'
import type { ThreadAssignment, ThreadToHost } from './messages'
import { builtinFunctions } from './builtins'
import { Py, fromWire } from './py'
import { ThreadRuntime } from './runtime'
import { Tracer } from './tracer'

export { excepthook }

/** What a worker knows before it is assigned a thread: the run, not yet its process. */
/** What a worker learns of its run, in its first message: a warm worker may start before any run. */
export interface WorkerInit {
  scenario: string
  params: ParamValues
  options: RunOptions
  runStartUs: number
  control: { ints: SharedArrayBuffer; doubles: SharedArrayBuffer }
}

/** What a worker is started with: the port broker replies come on (and, from sources, its entry). */
export interface WorkerData {
  replyPort: MessagePort
  entry?: string
}

export interface Catalogue {
  findScenario(id: string): ScenarioDefinition | undefined
}

/** The OS thread id of the calling thread (Linux), so the host can read its CPU time. */
function osThreadId(): number | null {
  try {
    return Number(readFileSync('/proc/thread-self/stat', 'utf8').split(' ', 1)[0])
  } catch {
    return null
  }
}

export function runThreadWorker(catalogue: Catalogue): void {
  const port = parentPort
  if (!port) throw new Error('runThreadWorker must run in a worker thread')
  const { replyPort } = workerData as WorkerData
  const send = (m: ThreadToHost, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer ?? [])
  const osTid = osThreadId()
  // Loaded: now the run (host:prepare may come long after), then the thread to be.
  port.once('message', (init: WorkerInit) => {
    port.once('message', (assignment: ThreadAssignment) => {
      runThread(catalogue, init, replyPort, assignment, send, osTid)
      replyPort.close()
      port.close()
    })
    send({ type: 'worker:ready', osTid })
  })
}

function runThread(
  catalogue: Catalogue,
  init: WorkerInit,
  replyPort: MessagePort,
  job: ThreadAssignment,
  send: (m: ThreadToHost, transfer?: ArrayBuffer[]) => void,
  osTid: number | null,
): void {
  const control = openControl(init.control)
  const tracer = new Tracer(
    job.pid,
    job.tid,
    makeClock(init.runStartUs),
    (batch, transfer) => send({ type: 'trace:batch', batch }, transfer),
    init.options.trace,
  )
  const rt = new ThreadRuntime(job.pid, job.tid, job.name, control, tracer, init.options, send, replyPort)
  const t = tracer.text(job.name)
  tracer.record(code(RecordType.ThreadStart, 0), -1, 0, job.daemon ? 1 : 0, job.parent ?? -1, 0, -1, t)
  const alive = threadWord(job.tid, T_ALIVE)
  // Step mode: the thread that started this one wakes now; the next step waits for it too.
  if (init.options.step && job.parent !== null && splitThreadKey(job.parent).pid === job.pid)
    Atomics.store(control.i32, threadWord(splitThreadKey(job.parent).tid, T_STEP), STEP_RUN)
  Atomics.store(control.i32, alive, ALIVE_RUNNING)
  Atomics.notify(control.i32, alive)

  const py = new Py(rt, init.params, job.processName)
  let error: string | null = null
  try {
    const scenario = catalogue.findScenario(init.scenario)
    py.functions = scenario?.functions ?? {}
    const fn = builtinFunctions[job.target] ?? scenario?.functions[job.target]
    if (!fn) throw new Error(`scenario ${init.scenario} has no function '${job.target}'`)
    rt.gil.take()
    const args = fromWire(rt, py, job.args) as unknown[]
    fn(py, ...args)
  } catch (e) {
    error = excepthook(job.name, job.target, rt.line, e)
  }
  const end = rt.recordEnd(error === null ? 'returned' : 'exception', error)
  rt.gil.drop()
  control.f64[threadDouble(job.tid, D_END_EVENT)] = end
  tracer.flush()
  Atomics.store(control.i32, threadWord(job.tid, T_STEP), STEP_NONE)
  // Its place under the thread cap is free before anyone joined on it wakes (and may start another).
  Atomics.sub(control.i32, C_LIVE_THREADS, 1)
  Atomics.store(control.i32, alive, ALIVE_ENDED)
  Atomics.notify(control.i32, alive)
  // Its CPU time, read here: once the worker exits, the host finds no thread to read it from.
  const cpu = osTid === null ? null : readThreadCpu(osTid)
  send({ type: 'thread:ended', tid: job.tid, error: error !== null, cpu })
}
