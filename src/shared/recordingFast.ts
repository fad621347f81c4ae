/**
 * The fast check of a recording's long arrays: `events`, `cpu` and `threadCpu`, which hold nearly
 * all of a large recording. The zod schema in recording.ts stays the definition of the format (and
 * of docs/recording.schema.json); checking a million events with it took seconds, so these loops
 * enforce the same rules for those three arrays by hand: the same types, bounds, enums and key sets
 * (no unknown keys), built from the same LIMITS.
 *
 * They answer only "fits" or "ask zod": when they say an element does not fit, the reader runs the
 * zod schema over the whole recording, whose verdict and message stand. So they may be stricter than
 * the schema on odd inputs (an object that is not a plain JSON object, an own `__proto__` key), but
 * never more lenient: everything they accept the schema accepts. recordingFast.test.ts checks that the
 * two agree on valid events and on events with each rule broken in turn.
 */
import {
  MAX_THREADS_PER_PROCESS,
  OBJECT_KINDS,
  OPS,
  OP_RESULTS,
  THREAD_END_REASONS,
  THREAD_STATES,
} from './trace'

/** The schema's bounds, named once: recording.ts builds the zod schema from them, this file its loops. */
export const LIMITS = {
  /** Microseconds since the run started: up to a year. */
  timeUs: 3.2e13,
  pid: 1_000_000,
  tid: MAX_THREADS_PER_PROCESS - 1,
  line: 1_000_000,
  /** Names, keys and short strings, in Unicode code points (as zod counts a string's length). */
  name: 1000,
  /** Program text, printed text, values, messages. */
  text: 1_000_000,
  /** An object's size and the numbers of its state: plus or minus this. */
  stateValue: 1e15,
  /** Entries of the events, cpu and threadCpu arrays. */
  entries: 20_000_000,
  /** Cores: of a machine, of a CPU sample, and a thread's last core. */
  cores: 4096,
} as const

const THREAD_STATE_SET = new Set<unknown>(THREAD_STATES)
const OBJECT_KIND_SET = new Set<unknown>(OBJECT_KINDS)
const OP_SET = new Set<unknown>(OPS)
const OP_RESULT_SET = new Set<unknown>(OP_RESULTS)
const THREAD_END_REASON_SET = new Set<unknown>(THREAD_END_REASONS)

type Fields = Record<string, unknown>

/**
 * An object as JSON.parse makes them. Anything else (an array, a class instance, a null-prototype
 * object) is left to zod.
 */
function isPlainObject(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
}

/** Keys as zod's strict objects see them (for...in), counted without making an array. */
function keyCount(o: Fields): number {
  let n = 0
  for (const _key in o) n++
  return n
}

const isTime = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= LIMITS.timeUs
/** A finite number from -limit to limit: NaN and the infinities fail both comparisons. */
const isStateValue = (v: unknown): boolean =>
  typeof v === 'number' && v >= -LIMITS.stateValue && v <= LIMITS.stateValue
/** An integer from lo to hi (both safe integers). */
const isIntIn = (v: unknown, lo: number, hi: number): boolean =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi
const isCount = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0
const isCountOrNull = (v: unknown): boolean => v === null || isCount(v)
const isPid = (v: unknown): boolean => isIntIn(v, 0, LIMITS.pid)
const isTid = (v: unknown): boolean => isIntIn(v, 0, LIMITS.tid)
const isLine = (v: unknown): boolean => isIntIn(v, 0, LIMITS.line)

/**
 * A string of at most `max` code points. A string within `max` UTF-16 units is within it in code
 * points; only a longer one is counted, with each surrogate pair as one.
 */
function isStringUpTo(v: unknown, max: number): boolean {
  if (typeof v !== 'string') return false
  if (v.length <= max) return true
  let points = v.length
  for (let i = 0; i < v.length - 1; i++) {
    if ((v.charCodeAt(i) & 0xfc00) === 0xd800 && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      points--
      i++
    }
  }
  return points <= max
}
const isName = (v: unknown): boolean => isStringUpTo(v, LIMITS.name)
const isText = (v: unknown): boolean => isStringUpTo(v, LIMITS.text)

/** An op's `after`: names to numbers within the state bounds, or null. */
function isStateRecord(v: unknown): boolean {
  if (!isPlainObject(v)) return false
  for (const key in v) {
    // zod passes over an own `__proto__` and leaves it out of what it returns: let it do that.
    if (key === '__proto__' || !isName(key)) return false
    const x = v[key]
    if (x !== null && !isStateValue(x)) return false
  }
  // JSON gives none, but zod would refuse a symbol key.
  return Object.getOwnPropertySymbols(v).length === 0
}

/**
 * One event fits its type's schema: the shared fields, then its own, and exactly its keys (each
 * type's count of keys, all of them checked, so no unknown key can hide). A `result` event carries
 * any JSON value, which `resultFits` (the schema's own) checks: they are few.
 */
export function eventFits(e: unknown, resultFits: (e: unknown) => boolean): boolean {
  if (!isPlainObject(e)) return false
  if (!isTime(e.tUs) || !isPid(e.pid) || !isTid(e.tid) || !isCount(e.seq)) return false
  switch (e.type) {
    case 'state':
      return keyCount(e) === 8 && THREAD_STATE_SET.has(e.state) && isCountOrNull(e.obj) && isLine(e.line)
    case 'op':
      return (
        keyCount(e) === 12 &&
        isCount(e.obj) &&
        OP_SET.has(e.op) &&
        OP_RESULT_SET.has(e.result) &&
        isLine(e.line) &&
        isStateRecord(e.after) &&
        isCountOrNull(e.cause) &&
        (e.value === null || isText(e.value))
      )
    case 'thread-start':
      return keyCount(e) === 8 && isName(e.name) && typeof e.daemon === 'boolean' && isCountOrNull(e.parent)
    case 'object':
      return (
        keyCount(e) === 9 &&
        isCount(e.obj) &&
        OBJECT_KIND_SET.has(e.kind) &&
        isName(e.name) &&
        isStateValue(e.size)
      )
    case 'print':
      return keyCount(e) === 7 && isText(e.text) && isLine(e.line)
    case 'thread-end':
      return keyCount(e) === 7 && THREAD_END_REASON_SET.has(e.reason) && (e.error === null || isText(e.error))
    case 'result':
      return resultFits(e)
    default:
      return false
  }
}

/** One per-core sample: its time and up to LIMITS.cores percentages. */
export function cpuSampleFits(s: unknown): boolean {
  if (!isPlainObject(s) || keyCount(s) !== 2 || !isTime(s.tUs)) return false
  const pct = s.corePct
  if (!Array.isArray(pct) || pct.length > LIMITS.cores) return false
  for (let i = 0; i < pct.length; i++) {
    const v: unknown = pct[i]
    if (!(typeof v === 'number' && v >= 0 && v <= 100)) return false
  }
  return true
}

/** One thread's CPU sample. */
export function threadCpuSampleFits(s: unknown): boolean {
  return (
    isPlainObject(s) &&
    keyCount(s) === 5 &&
    isTime(s.tUs) &&
    isPid(s.pid) &&
    isTid(s.tid) &&
    isTime(s.cpuUs) &&
    (s.core === null || isIntIn(s.core, 0, LIMITS.cores))
  )
}

function everyFits(items: unknown, fits: (item: unknown) => boolean): boolean {
  if (!Array.isArray(items) || items.length > LIMITS.entries) return false
  for (let i = 0; i < items.length; i++) if (!fits(items[i])) return false
  return true
}

/** The record's events, cpu and threadCpu all fit the schema; false: ask zod, which names the problem. */
export function longArraysFit(record: Fields, resultFits: (e: unknown) => boolean): boolean {
  return (
    everyFits(record.events, (e) => eventFits(e, resultFits)) &&
    everyFits(record.cpu, cpuSampleFits) &&
    everyFits(record.threadCpu, threadCpuSampleFits)
  )
}

export { isPlainObject as isPlainJsonObject }
