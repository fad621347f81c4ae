/**
 * A run as a window sees it, the same in Electron and in browser mode: the request checked,
 * the run started, its updates streamed as RunStreamMessages, and its end stated in words. Its
 * events leave as bytes (src/shared/eventCodec.ts): a sixth of their JSON, and no object graph
 * for a socket or a port to copy.
 */
import { encodeRunEvents } from '../shared/eventCodec'
import { summarize, type RunControl, type RunStreamWireMessage } from '../shared/protocol'
import { runRequest } from '../shared/requestSchema'
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
 * Starts a run for a window. Throws (Refused, ParamError, RangeError, Error) with a message for the
 * user when the request is bad: nothing is started then.
 *
 * A request from a window is data from outside. Main and the server check it already, but the engine
 * does not count on that: its shape is checked here with the same schema (src/shared/requestSchema.ts),
 * and only the checked copy is read. The bounds of each value are checked where they are used: a
 * parameter's by its scenario (resolveParams), the options' ranges by Run.
 */
export function startSession(
  find: (id: string) => ScenarioDefinition | undefined,
  asked: unknown,
  launcher: ProcessLauncher,
  send: (message: RunStreamWireMessage) => void,
): RunSession {
  const request = runRequest(asked, 'request')
  const scenario = find(request.scenario)
  if (!scenario) throw new Error(`unknown scenario '${request.scenario}'`)
  const params = resolveParams(scenario.params, request.params)
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
      send(encodeRunEvents({ runId, events: u.events, cpu: u.cpu, threadCpu: u.threadCpu }))
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
