/**
 * A run as a window sees it, the same in Electron and in browser mode: the request checked,
 * the run started, its updates streamed as RunStreamMessages, and its end stated in words.
 */
import { summarize, type RunControl, type RunRequest, type RunStreamMessage } from '../shared/protocol'
import { resolveParams } from '../shared/scenario'
import type { RunRecord } from '../shared/trace'
import type { ProcessLauncher } from './launcher'
import { Run } from './run'
import type { ScenarioDefinition } from './scenario'

export interface RunSession {
  readonly runId: string
  stop(): void
  /** Pause, resume or step; throws with a message for the user when the run cannot. */
  control(command: RunControl): void
  readonly done: Promise<RunRecord>
}

let sessions = 0

/**
 * Starts a run for a window. Throws (ParamError, RangeError, Error) with a message for the user when
 * the request is bad: nothing is started then.
 */
export function startSession(
  find: (id: string) => ScenarioDefinition | undefined,
  request: RunRequest,
  launcher: ProcessLauncher,
  send: (message: RunStreamMessage) => void,
): RunSession {
  checkRequestShape(request)
  const scenario = find(request.scenario)
  if (!scenario) throw new Error(`unknown scenario '${request.scenario}'`)
  const params = resolveParams(scenario.params, request.params ?? {})
  const options = { ...request.options }
  if (options.timeoutS === undefined && scenario.timeoutS !== undefined) options.timeoutS = scenario.timeoutS
  const run = new Run(scenario, params, options, launcher)
  const runId = `run-${process.pid}-${++sessions}`
  send({
    type: 'run:started',
    runId,
    scenario: scenario.id,
    params,
    options: run.options,
    program: scenario.program,
    cores: run.machineCores,
  })
  run.onUpdate((u) => {
    if (u.process) send({ type: 'run:process', runId, process: u.process })
    if (u.step) send({ type: 'run:step', runId, step: u.step })
    if (u.paused !== undefined) send({ type: 'run:paused', runId, paused: u.paused })
    if (u.deadlock) send({ type: 'run:deadlock', runId, deadlock: u.deadlock })
    if (u.hang !== undefined) send({ type: 'run:hang', runId, hang: u.hang })
    if (u.events.length || u.cpu.length || u.threadCpu.length) {
      send({ type: 'run:events', runId, events: u.events, cpu: u.cpu, threadCpu: u.threadCpu })
    }
  })
  const done = run.start().then((record) => {
    send({ type: 'run:end', runId, summary: summarize(record), verdict: scenario.verdict(record).text })
    return record
  })
  const control = (command: RunControl): void => {
    if (command.type === 'pause') run.pause()
    else if (command.type === 'resume') run.resume()
    else if (command.type === 'step') run.chooseStep(command.key)
    else throw new Error(`unknown run control '${(command as { type: unknown }).type}'`)
  }
  return { runId, stop: () => run.stop(), control, done }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The longest schedule a run may be asked to replay. */
const MAX_SCHEDULE = 1_000_000

/**
 * A request from a window is data from outside: its shape is checked before anything reads it (the
 * bounds of each value are checked where they are used: resolveParams, Run).
 */
function checkRequestShape(request: unknown): asserts request is RunRequest {
  if (!isRecord(request)) throw new Error('a run request is an object with a scenario and its parameters')
  if (typeof request.scenario !== 'string') throw new Error('a run request names its scenario')
  if (request.params !== undefined) {
    if (!isRecord(request.params)) throw new Error('a run request’s parameters are an object')
    for (const [name, value] of Object.entries(request.params))
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new Error(`parameter '${name}' must be a number or a word`)
  }
  const options = request.options
  if (options === undefined) return
  if (!isRecord(options)) throw new Error('a run request’s options are an object')
  const kinds: Record<string, 'boolean' | 'number'> = {
    gil: 'boolean',
    trace: 'boolean',
    step: 'boolean',
    timeoutS: 'number',
    switchIntervalMs: 'number',
    speed: 'number',
    hangAfterS: 'number',
  }
  for (const [name, value] of Object.entries(options)) {
    if (name === 'schedule') {
      if (
        !Array.isArray(value) ||
        value.length > MAX_SCHEDULE ||
        !value.every((k) => Number.isSafeInteger(k) && (k as number) >= 0)
      )
        throw new Error('a schedule is a list of thread keys')
      continue
    }
    const kind = kinds[name]
    if (!kind) throw new Error(`unknown run option '${name}'`)
    if (typeof value !== kind || (kind === 'number' && !Number.isFinite(value)))
      throw new Error(`run option '${name}' must be a ${kind === 'number' ? 'number' : 'true or false'}`)
  }
}
