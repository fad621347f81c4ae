/**
 * What a page may ask of the backend, as schemas: each request's fields, their shape and their bounds.
 * Whatever a page sends is data from outside (a compromised renderer may send anything Electron can
 * clone, a browser tab anything JSON can say: any type, extra or missing fields, strings of megabytes,
 * arrays of millions of elements, `__proto__` keys, NaN, -0, Maps...), so each front door checks it
 * here before anything reads it: Electron main (src/main/ipcSchema.ts: the channels' arguments),
 * browser mode's server (src/server/socketSchema.ts: the socket's messages), and the engine itself
 * for a run request (src/engine/session.ts). The engine then checks what only it knows (a scenario's
 * parameter bounds, the run options' ranges).
 *
 * Hand-written rather than zod, for the failure path: a check stops at the first problem, and a
 * container's size is checked before its contents, so a million-element array costs one comparison
 * and a refusal never builds a list of a million issues. A checked value is a fresh copy holding
 * only the fields the schema names. Pure: no Node, no Electron, no DOM.
 */
import { batchRunsProblem, MAX_BATCH_RUNS } from './batch'
import type { BatchRequest } from './batch'
import { IPC, type RunControl, type RunRequest } from './protocol'

/** A message refused for its shape; `message` says which field and what it must be, for the page and the log. */
export class Refused extends Error {
  override name = 'Refused'
}

/** Checks a value from a page: returns it as what it must be, or throws Refused. `path` names it in the message. */
export type Schema<T> = (value: unknown, path: string) => T

/** A field that may be left out (undefined counts as left out: it is what JSON drops). */
interface Optional<T> {
  readonly optional: Schema<T>
}

export function optional<T>(schema: Schema<T>): Optional<T> {
  return { optional: schema }
}

export type Fields = Record<string, Schema<unknown> | Optional<unknown>>
/** What `object(fields)` hands over. */
export type Checked<F extends Fields> = {
  -readonly [K in keyof F as F[K] extends Optional<unknown> ? never : K]: F[K] extends Schema<infer T>
    ? T
    : never
} & {
  -readonly [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: F[K] extends Optional<infer T>
    ? T
    : never
}

function refuse(message: string): never {
  throw new Refused(message)
}

/** A key as a message quotes it: short, and with its odd characters escaped. */
function quote(key: string): string {
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key)
}

/** An object as structured clone makes one from a `{}`: not an array, Map, Date, typed array, boxed value... */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
}

/** Names Object.prototype answers to (`__proto__`, `constructor`, `toString`...): never a field name. */
const isPrototypeName = (key: string): boolean => key in Object.prototype

export function string(what: string, max: number, pattern?: RegExp): Schema<string> {
  return (value, path) => {
    if (typeof value !== 'string') refuse(`${path} must be ${what}`)
    // The length first: a pattern is not run over megabytes.
    if (value.length > max) refuse(`${path} must be ${what} of at most ${max} characters`)
    if (pattern && !pattern.test(value)) refuse(`${path} must be ${what}`)
    return value
  }
}

export const boolean: Schema<boolean> = (value, path) =>
  typeof value === 'boolean' ? value : refuse(`${path} must be true or false`)

/** A finite number in (above, max]; never -0, which no field means. */
export function positive(max: number): Schema<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max)
      refuse(`${path} must be a number more than 0 and at most ${max}`)
    return value
  }
}

/** A finite number in [0, max]; never -0. */
export function nonNegative(max: number): Schema<number> {
  return (value, path) => {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      Object.is(value, -0) ||
      value < 0 ||
      value > max
    )
      refuse(`${path} must be a number from 0 to ${max}`)
    return value
  }
}

/** A whole number in [min, max]; never -0. */
export function whole(min: number, max: number): Schema<number> {
  return (value, path) => {
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      Object.is(value, -0) ||
      value < min ||
      value > max
    )
      refuse(`${path} must be a whole number from ${min} to ${max}`)
    return value
  }
}

/** A finite number (not -0) or a word: a parameter's value, whose bounds the scenario knows. */
export function numberOrWord(maxWord: number): Schema<string | number> {
  return (value, path) => {
    if (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0)) return value
    if (typeof value === 'string' && value.length <= maxWord) return value
    return refuse(`${path} must be a finite number or a word of at most ${maxWord} characters`)
  }
}

/**
 * An array of at most `max` items, each checked; a hole is refused as the undefined it reads as. The
 * copy holds the items only (not other properties a clone keeps on an array).
 */
export function array<T>(item: Schema<T>, max: number): Schema<T[]> {
  return (value, path) => {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype)
      refuse(`${path} must be a list`)
    if (value.length > max) refuse(`${path} must be a list of at most ${max} items`)
    const out: T[] = new Array<T>(value.length)
    for (let i = 0; i < value.length; i++) {
      try {
        out[i] = item(value[i], path)
      } catch {
        // Only now is the item's path spelled out: a million items need not each build a string.
        out[i] = item(value[i], `${path}[${i}]`)
      }
    }
    return out
  }
}

/** Exactly `value`: a message's type. */
export function literal<T extends string>(value: T): Schema<T> {
  return (raw, path) => (raw === value ? value : refuse(`${path} must be ${quote(value)}`))
}

/**
 * A plain object with exactly these fields (optional ones may be left out, no other is allowed).
 * `notObject` is the message when it is no object at all. At the path '' it is a whole message: its
 * fields are named alone (`runId`, not `.runId`), and it is "the message".
 */
export function object<F extends Fields>(fields: F, notObject?: string): Schema<Checked<F>> {
  return (value, path) => {
    const name = path === '' ? 'the message' : path
    if (!isPlainObject(value)) refuse(notObject ?? `${name} must be an object`)
    // for...in stops at the first stray field without listing them all first (an object may have 100,000).
    for (const key in value) {
      if (!Object.hasOwn(fields, key)) refuse(`${name} has a field it may not have: ${quote(key)}`)
    }
    const out: Record<string, unknown> = {}
    for (const [key, schema] of Object.entries(fields)) {
      const raw = Object.hasOwn(value, key) ? value[key] : undefined
      const at = path === '' ? key : `${path}.${key}`
      if ('optional' in schema) {
        if (raw !== undefined) out[key] = schema.optional(raw, at)
      } else {
        if (raw === undefined) refuse(`${at} is missing`)
        out[key] = schema(raw, at)
      }
    }
    return out as Checked<F>
  }
}

/** A plain object of at most `maxKeys` entries, each key and value checked; prototype names are refused. */
export function record<T>(key: Schema<string>, item: Schema<T>, maxKeys: number): Schema<Record<string, T>> {
  return (value, path) => {
    if (!isPlainObject(value)) refuse(`${path} must be an object`)
    const keys = Object.keys(value)
    if (keys.length > maxKeys) refuse(`${path} must have at most ${maxKeys} entries`)
    const out: Record<string, T> = {}
    for (const k of keys) {
      key(k, `${path} key ${quote(k)}`)
      // A key that is no name of Object.prototype's makes a plain own field when assigned below.
      if (isPrototypeName(k)) refuse(`${path} may not have a field named ${quote(k)}`)
      out[k] = item(value[k], `${path}.${k}`)
    }
    return out
  }
}

/** Ids the backend hands out (a run's, a batch's): letters, digits, '-' and '_', and short. */
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/
export const MAX_ID = 64
/** A scenario's id: lower-case words joined by '-', as the catalogue names them. */
const SCENARIO_ID = /^[a-z0-9][a-z0-9-]*$/
/** A parameter's name: a Python identifier. */
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
export const MAX_PARAMS = 64
/** A parameter given as a word (a choice): the catalogue's are a few letters. */
export const MAX_WORD = 200
/** As the engine's and the recording format's: a replayed schedule's steps, and the largest thread key. */
export const MAX_SCHEDULE = 1_000_000
export const MAX_THREAD_KEY = 2 ** 40
/** A sanity bound for the run options' numbers; the engine checks their real ranges (a timeout of an hour...). */
export const MAX_OPTION = 1_000_000

export const runId = string('a run id', MAX_ID, ID)
export const batchId = string('a batch id', MAX_ID, ID)

/**
 * RunOptions (src/shared/trace.ts): the one list of the options a run request may set, for main, the
 * server and the engine alike. A new field of RunOptions fails src/shared/requestSchema.test.ts until
 * it is named here.
 */
const runOptions = object({
  gil: optional(boolean),
  trace: optional(boolean),
  step: optional(boolean),
  timeoutS: optional(positive(MAX_OPTION)),
  switchIntervalMs: optional(positive(MAX_OPTION)),
  speed: optional(positive(MAX_OPTION)),
  // 0: never report a hang.
  hangAfterS: optional(nonNegative(MAX_OPTION)),
  schedule: optional(array(whole(0, MAX_THREAD_KEY), MAX_SCHEDULE)),
})

const runRequestFields = object(
  {
    scenario: string('a scenario id', MAX_ID, SCENARIO_ID),
    params: optional(
      record(string('a parameter name', MAX_ID, PARAM_NAME), numberOrWord(MAX_WORD), MAX_PARAMS),
    ),
    options: optional(runOptions),
  },
  'a run request is an object with a scenario and its parameters',
)

export const runRequest: Schema<RunRequest> = (value, path) => {
  const checked = runRequestFields(value, path)
  return { ...checked, params: checked.params ?? {} }
}

/** A batch's size, with the message the page's dialog uses. */
const batchRuns: Schema<number> = (value) => {
  const problem = batchRunsProblem(value)
  if (problem) refuse(problem)
  return value as number
}

export const batchRequest: Schema<BatchRequest> = object(
  { run: runRequest, runs: batchRuns },
  // As the engine says it (src/engine/batch.ts).
  'no batch was asked for',
)

/** A kept run of a batch, by its 0-based number. */
export const batchRunIndex = whole(0, MAX_BATCH_RUNS - 1)

const RUN_CONTROL = 'a run control is pause, resume, or step with a thread key'

/** Pause, resume, or step with a thread key: exactly those fields. */
export const runControl: Schema<RunControl> = (value) => {
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
    if ((value.type === 'pause' || value.type === 'resume') && keys.length === 1) return { type: value.type }
    if (value.type === 'step' && keys.length === 2 && Object.hasOwn(value, 'key')) {
      const key = value.key
      if (
        typeof key === 'number' &&
        Number.isInteger(key) &&
        !Object.is(key, -0) &&
        key >= 0 &&
        key <= MAX_THREAD_KEY
      )
        return { type: 'step', key }
    }
  }
  return refuse(RUN_CONTROL)
}

/**
 * What each request a page may make carries, by the channel it goes on (src/shared/protocol.ts): the
 * same fields whether they cross Electron IPC, as the channel's arguments (src/main/ipcSchema.ts puts
 * them in order), or browser mode's socket, as the fields of a message beside its id and type
 * (src/server/socketSchema.ts, which checks that SocketRequest says the same). A new request, or a new
 * field of one, is one edit here.
 */
export const REQUEST_FIELDS = {
  [IPC.scenariosList]: {},
  [IPC.playerTemplate]: {},
  [IPC.runStart]: { request: runRequest },
  [IPC.runStop]: { runId },
  [IPC.runControl]: { runId, command: runControl },
  [IPC.batchStart]: { request: batchRequest },
  [IPC.batchCancel]: { batchId },
  [IPC.batchRun]: { batchId, run: batchRunIndex },
} satisfies Record<string, Record<string, Schema<unknown>>>
