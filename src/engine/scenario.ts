import { readFileSync } from 'node:fs'
import type { RunRecord } from '../shared/trace'
import type { ParamValues, ScenarioSummary } from '../shared/scenario'
import type { Py } from './thread/py'

/** A Python thread's body: the model of a function in program.py. Arguments arrive revived. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ThreadFunction = (py: Py, ...args: any[]) => void

/** What a scenario's summary says about a finished run: the lesson's outcome, measured. */
export interface Verdict {
  /** One or two sentences: what happened and what the lesson predicts. */
  text: string
  /** Result values worth printing, such as the final counter. */
  figures: Record<string, string | number>
}

export interface ScenarioDefinition extends ScenarioSummary {
  /** program.py, as shown to the user. */
  program: string
  /** The model: `main` runs on MainThread of the first process; others are Thread/Process targets. */
  functions: Record<string, ThreadFunction>
  /** How many threads a process of this scenario will start, to have them ready (default 2). */
  threadsHint?(params: ParamValues): number
  /** How many child processes a run will start, to have their hosts warm (default 0). */
  processesHint?(params: ParamValues): number
  /** The run's time limit when none is given (a hang lesson ends by it). */
  timeoutS?: number
  /** Reads the outcome from the record (results and trace). */
  verdict(run: RunRecord): Verdict
}

/** A scenario as written in its folder: program.py is read when first needed. */
export function defineScenario(
  spec: Omit<ScenarioDefinition, 'program'> & { programUrl: URL },
): ScenarioDefinition {
  const { programUrl, ...rest } = spec
  let program: string | undefined
  return Object.defineProperty(rest, 'program', {
    enumerable: true,
    get: () => (program ??= readFileSync(programUrl, 'utf8')),
  }) as ScenarioDefinition
}

/** What the UI and `interleave list --json` show: the model itself (functions, verdict) stays behind. */
export function scenarioSummary(scenario: ScenarioDefinition): ScenarioSummary {
  const { id, title, concept, explanation, lookFor, tags, params, distribution, narration } = scenario
  return {
    id,
    title,
    concept,
    explanation,
    lookFor,
    tags,
    params,
    ...(distribution ? { distribution } : {}),
    ...(narration ? { narration } : {}),
  }
}
