/** What the UI and the CLI know about a scenario without running it. */
import type { NarrationStep } from './narration'

export const SCENARIO_TAGS = ['threads', 'processes', 'GIL', 'sync', 'IPC', 'async'] as const
export type ScenarioTag = (typeof SCENARIO_TAGS)[number]

interface ParamBase {
  name: string
  help: string
}
export interface IntParam extends ParamBase {
  kind: 'int'
  default: number
  min: number
  max: number
}
export interface NumberParam extends ParamBase {
  kind: 'number'
  default: number
  min: number
  max: number
}
export interface ChoiceParam extends ParamBase {
  kind: 'choice'
  default: string
  choices: readonly string[]
}
export type ParamSpec = IntParam | NumberParam | ChoiceParam
export type ParamValues = Record<string, string | number>

export interface ScenarioSummary {
  id: string
  title: string
  /** The Python concept it teaches, used to group the list. */
  concept: string
  /** One paragraph for a student. */
  explanation: string
  /** What to look for in the picture. */
  lookFor: string
  tags: ScenarioTag[]
  params: ParamSpec[]
  /** For Run many: the verdict figure whose values to plot, where the lesson's outcome varies by run. */
  distribution?: OutcomeDistribution
  /** Captions for presentation mode, each tied to a moment of the run (src/shared/narration.ts). */
  narration?: NarrationStep[]
}

/** The verdict figure a lesson's outcome is measured by, when it is run many times. */
export interface OutcomeDistribution {
  /** The name of the figure in the verdict (race-counter: `counter`). */
  figure: string
  /** What it is, in words for the plot's axis: "final counter". */
  label: string
  /** The value a correct program gives: a number, or the name of the verdict figure that holds it. */
  expected?: number | string
}

/** Turns raw `k=v` strings (or values) into typed parameters, or says which bound was broken. */
export function resolveParams(
  specs: readonly ParamSpec[],
  raw: Record<string, string | number | undefined>,
): ParamValues {
  const known = new Set(specs.map((s) => s.name))
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      const list = specs.map((s) => s.name).join(', ') || 'none'
      throw new ParamError(`unknown parameter '${name}' (parameters: ${list})`)
    }
  }
  const out: ParamValues = {}
  for (const spec of specs) {
    const value = raw[spec.name]
    out[spec.name] = value === undefined ? spec.default : coerce(spec, value)
  }
  return out
}

function coerce(spec: ParamSpec, value: string | number): string | number {
  if (spec.kind === 'choice') {
    const s = String(value)
    if (!spec.choices.includes(s)) {
      throw new ParamError(`parameter '${spec.name}' must be one of ${spec.choices.join(', ')}; got '${s}'`)
    }
    return s
  }
  const n = typeof value === 'number' ? value : Number(String(value).trim())
  if (String(value).trim() === '' || !Number.isFinite(n)) {
    throw new ParamError(`parameter '${spec.name}' must be a number; got '${value}'`)
  }
  if (spec.kind === 'int' && !Number.isInteger(n)) {
    throw new ParamError(`parameter '${spec.name}' must be a whole number; got '${value}'`)
  }
  if (n < spec.min) throw new ParamError(`parameter '${spec.name}' must be at least ${spec.min}; got ${n}`)
  if (n > spec.max) throw new ParamError(`parameter '${spec.name}' must be at most ${spec.max}; got ${n}`)
  return n
}

export class ParamError extends Error {
  override name = 'ParamError'
}
