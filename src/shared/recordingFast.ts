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
  COLUMN_GROUPS,
  EVENT_TYPES,
  EventTable,
  NONE,
  NULL_REF,
  opCode,
  WIDE,
  type StateRecord,
} from './eventTable'
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

// --- version 2: the events as columns ----------------------------------------------------------------

/** Keys of version 2's `record.events`: the strings, the states, the five shared columns, a group per type. */
const COLUMN_KEYS = ['strings', 'states', 'type', 'tUs', 'pid', 'tid', 'seq', ...EVENT_TYPES]

/** An array of at most LIMITS.entries entries, of exactly `length` if given. */
function isColumn(v: unknown, length?: number): v is unknown[] {
  return Array.isArray(v) && v.length <= LIMITS.entries && (length === undefined || v.length === length)
}

/** A group of columns: a plain object with exactly its keys, each an array of `length` entries. */
function groupFits(v: unknown, keys: readonly string[], length: number): v is Record<string, unknown[]> {
  if (!isPlainObject(v) || keyCount(v) !== keys.length) return false
  for (const k of keys) if (!isColumn(v[k], length)) return false
  return true
}

/** For each string of the table, its code in an enum, or -1; worked out once per string used. */
function enumLookup(strings: readonly string[], names: readonly string[]): (id: unknown) => number {
  const codes = new Map(names.map((n, i) => [n, i]))
  const known = new Int16Array(strings.length).fill(-2)
  return (id) => {
    if (!isIntIn(id, 0, strings.length - 1)) return -1
    const i = id as number
    if (known[i] === -2) known[i] = codes.get(strings[i]) ?? -1
    return known[i]
  }
}

/**
 * Version 2's events (EventColumns) as a table, checked as they are copied: the same rules the
 * schema sets for each event's fields, and the columns' own (lengths that match, indices into the
 * strings and states that exist, enums by their names). Null when anything does not fit: the reader
 * then has the schema say what (recording.ts).
 */
export function tableFromColumns(v: unknown, resultFits: (e: unknown) => boolean): EventTable | null {
  if (!isPlainObject(v) || keyCount(v) !== COLUMN_KEYS.length) return null
  const { strings, states, type, tUs, pid, tid, seq } = v
  if (!isColumn(strings) || !isColumn(states) || !isColumn(type)) return null
  const n = type.length
  if (!isColumn(tUs, n) || !isColumn(pid, n) || !isColumn(tid, n) || !isColumn(seq, n)) return null

  // Strings: each a text; which are names is asked when one is used as a name.
  for (let i = 0; i < strings.length; i++) if (!isText(strings[i])) return null
  const names = new Int8Array(strings.length).fill(-1)
  const isNameId = (id: unknown): boolean => {
    if (!isIntIn(id, 0, strings.length - 1)) return false
    const i = id as number
    if (names[i] === -1) names[i] = isName(strings[i]) ? 1 : 0
    return names[i] === 1
  }
  const isTextId = (id: unknown): boolean => isIntIn(id, 0, strings.length - 1)
  const isTextIdOrNull = (id: unknown): boolean => id === NULL_REF || isTextId(id)
  for (let i = 0; i < states.length; i++) if (!isStateRecord(states[i])) return null

  // How many of each type, for the groups' lengths.
  const counts = new Array<number>(EVENT_TYPES.length).fill(0)
  for (let i = 0; i < n; i++) {
    const t = type[i]
    if (!isIntIn(t, 0, EVENT_TYPES.length - 1)) return null
    counts[t as number]++
  }
  const groups = EVENT_TYPES.map((name, t) => {
    const group = v[name]
    return groupFits(group, COLUMN_GROUPS[name], counts[t]) ? group : null
  })
  if (groups.includes(null)) return null
  const [start, state, object, op, print, end, result] = groups as Record<string, unknown[]>[]

  const stateCode = enumLookup(strings as string[], THREAD_STATES)
  const opIndex = enumLookup(strings as string[], OPS)
  const resultCode = enumLookup(strings as string[], OP_RESULTS)
  const kindCode = enumLookup(strings as string[], OBJECT_KINDS)
  const reasonCode = enumLookup(strings as string[], THREAD_END_REASONS)
  /** A nullable count: -1 in the file, NaN in the table; undefined when it does not fit. */
  const countOrNull = (x: unknown): number | undefined =>
    x === NULL_REF ? NaN : isCount(x) ? (x as number) : undefined
  /** An object id or seq for a 32-bit column of row `i` (NONE for null). */
  const u32 = (field: 'seq' | 'obj', i: number, x: number): number =>
    Number.isNaN(x) ? NONE : x < WIDE ? x : table.wide(field, i, x)

  const table = new EventTable(n, strings as string[], states as StateRecord[])
  // Wide enough for the largest pid and line (what is not a number is refused below).
  const largest = (values: readonly unknown[]): number => {
    let max = 0
    for (const x of values) if (typeof x === 'number' && x > max) max = x
    return max
  }
  table.fit('pid', largest(pid))
  table.fit('line', Math.max(largest(state.line), largest(op.line), largest(print.line)))
  table.fit('more', Math.max(states.length, result.value.length))
  // The table's columns, each in a local: the loop below writes every one of them per event.
  const {
    type: toType,
    tUs: toTUs,
    pid: toPid,
    tid: toTid,
    seq: toSeq,
    code: toCode,
    line: toLine,
    obj: toObj,
    ref: toRef,
    str: toStr,
    more: toMore,
  } = table.columns
  const at = new Array<number>(EVENT_TYPES.length).fill(0)
  for (let i = 0; i < n; i++) {
    const time = tUs[i]
    const p = pid[i]
    const th = tid[i]
    const s = seq[i]
    if (!isTime(time) || !isPid(p) || !isTid(th) || !isCount(s)) return null
    toTUs[i] = time as number
    toPid[i] = p as number
    toTid[i] = th as number
    toSeq[i] = u32('seq', i, s as number)
    const t = type[i] as number
    toType[i] = t
    const k = at[t]++
    switch (t) {
      case 0: {
        const parent = countOrNull(start.parent[k])
        const daemon = start.daemon[k]
        if (!isNameId(start.name[k]) || typeof daemon !== 'boolean' || parent === undefined) return null
        toStr[i] = start.name[k] as number
        toCode[i] = daemon ? 1 : 0
        toRef[i] = table.putRef(parent)
        break
      }
      case 1: {
        const code = stateCode(state.state[k])
        const obj = countOrNull(state.obj[k])
        if (code < 0 || obj === undefined || !isLine(state.line[k])) return null
        toCode[i] = code
        toObj[i] = u32('obj', i, obj)
        toLine[i] = state.line[k] as number
        break
      }
      case 2: {
        const code = kindCode(object.kind[k])
        if (!isCount(object.obj[k]) || code < 0 || !isNameId(object.name[k]) || !isStateValue(object.size[k]))
          return null
        toObj[i] = u32('obj', i, object.obj[k] as number)
        toCode[i] = code
        toStr[i] = object.name[k] as number
        toRef[i] = table.putRef(object.size[k] as number)
        break
      }
      case 3: {
        const code = opIndex(op.op[k])
        const res = resultCode(op.result[k])
        const cause = countOrNull(op.cause[k])
        const after = op.after[k]
        if (
          !isCount(op.obj[k]) ||
          code < 0 ||
          res < 0 ||
          !isLine(op.line[k]) ||
          !isIntIn(after, 0, states.length - 1) ||
          cause === undefined ||
          !isTextIdOrNull(op.value[k])
        )
          return null
        toObj[i] = u32('obj', i, op.obj[k] as number)
        toCode[i] = opCode(code, res)
        toLine[i] = op.line[k] as number
        toMore[i] = after as number
        toRef[i] = table.putRef(cause)
        toStr[i] = op.value[k] as number
        break
      }
      case 4:
        if (!isTextId(print.text[k]) || !isLine(print.line[k])) return null
        toStr[i] = print.text[k] as number
        toLine[i] = print.line[k] as number
        break
      case 5: {
        const code = reasonCode(end.reason[k])
        if (code < 0 || !isTextIdOrNull(end.error[k])) return null
        toCode[i] = code
        toStr[i] = end.error[k] as number
        break
      }
      default: {
        const key = result.key[k]
        const value = result.value[k]
        if (!isNameId(key)) return null
        const e = { tUs: time, pid: p, tid: th, seq: s, type: 'result', key: strings[key as number], value }
        if (!resultFits(e)) return null
        toStr[i] = key as number
        toMore[i] = table.values.push(value) - 1
      }
    }
  }
  table.length = n
  return table
}

export { isPlainObject as isPlainJsonObject }
