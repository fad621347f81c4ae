/**
 * The compact form events take inside the engine: RECORD_FIELDS doubles an event, written
 * by a thread into a Float64Array and decoded into TraceEvents by the orchestrator.
 */
import {
  OBJECT_KINDS,
  OBJECT_STATE_FIELDS,
  OPS,
  OP_RESULTS,
  THREAD_END_REASONS,
  THREAD_STATES,
  type ObjectKind,
  type TraceEvent,
} from '../shared/trace'
import type { EncodedBatch } from '../shared/protocol'

/**
 * A batch as a thread's tracer sends it: its strings travel as one string (`text`) and where each
 * ends in it (`ends`, UTF-16 code units), with `strings` empty. Each hop (structured clone to the
 * process host, the host's IPC message to the orchestrator) then copies one string and one typed
 * array a batch, not one string an event: both hops cost several times less, and the process host
 * forwards a batch as it came, unread. A batch the host makes itself may still list its strings.
 */
export interface PackedBatch extends EncodedBatch {
  text: string
  ends: Uint32Array
}

/** A batch's strings by index, in either form. */
export function batchStrings(batch: EncodedBatch): string[] {
  const { text, ends } = batch as Partial<PackedBatch>
  if (text === undefined || ends === undefined) return batch.strings
  const strings = new Array<string>(ends.length)
  let start = 0
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i]
    strings[i] = text.substring(start, end)
    start = end
  }
  return strings
}

/**
 * Doubles an event. Every one crosses from the thread to its process host and on to the
 * orchestrator (copied at each step), so small integers share a double: the code with the
 * object, the line with the text.
 */
export const RECORD_FIELDS = 7
export const F_TIME = 0
/** code * OBJ_SPAN + (object id + 1); the object is -1 where there is none. */
export const F_CODE_OBJ = 1
/** line * TEXT_SPAN + (text + 1); the text is a string index (a name, a printed line, a value's repr) or -1. */
export const F_LINE_TEXT = 2
export const F_S0 = 3
export const F_S1 = 4
export const F_S2 = 5
export const F_CAUSE = 6

/**
 * Object ids stay below 2^34 - 1 (brokered ones from 2^31, a process's own below 2^20 times its
 * index) and codes below 2^13 (16 types, 8 results of fewer than 64 ops), string indices below 2^32
 * (a batch holds 8192 records) and program lines below 2^21: each pair is an integer below 2^53,
 * exact in a double.
 */
const OBJ_SPAN = 2 ** 34
const TEXT_SPAN = 2 ** 32

/** Writes one event's record at offset `o` of `r`. */
export function writeRecord(
  r: Float64Array,
  o: number,
  tUs: number,
  code: number,
  obj: number,
  line: number,
  s0: number,
  s1: number,
  s2: number,
  cause: number,
  text: number,
): void {
  r[o + F_TIME] = tUs
  r[o + F_CODE_OBJ] = code * OBJ_SPAN + (obj + 1)
  r[o + F_LINE_TEXT] = line * TEXT_SPAN + (text + 1)
  r[o + F_S0] = s0
  r[o + F_S1] = s1
  r[o + F_S2] = s2
  r[o + F_CAUSE] = cause
}

export const enum RecordType {
  State = 1,
  Op = 2,
  ThreadStart = 3,
  ThreadEnd = 4,
  Object = 5,
  Print = 6,
  Result = 7,
}

/** code = type + 16 * sub; sub is a state, an op (with result), an end reason or an object kind. */
export function code(type: RecordType, sub: number): number {
  return type + 16 * sub
}
export function opSub(op: number, result: number): number {
  return op * 8 + result
}

export const STATE = Object.fromEntries(THREAD_STATES.map((s, i) => [s, i])) as Record<
  (typeof THREAD_STATES)[number],
  number
>
export const OP = Object.fromEntries(OPS.map((s, i) => [s, i])) as Record<(typeof OPS)[number], number>
export const RESULT = Object.fromEntries(OP_RESULTS.map((s, i) => [s, i])) as Record<
  (typeof OP_RESULTS)[number],
  number
>
export const END = Object.fromEntries(THREAD_END_REASONS.map((s, i) => [s, i])) as Record<
  (typeof THREAD_END_REASONS)[number],
  number
>
export const KIND = Object.fromEntries(OBJECT_KINDS.map((s, i) => [s, i])) as Record<ObjectKind, number>

/** Owners are stored as thread key + 1 so that 0 means none. */
function owner(v: number): number | null {
  return v > 0 ? v - 1 : null
}

/**
 * The state an op leaves on an object of a kind without state fields (a variable, a value): one
 * shared, frozen object rather than a new empty one per event, which the orchestrator would keep
 * for the whole run (most events of most lessons are reads and writes of such objects).
 */
const NO_STATE: Record<string, number | null> = Object.freeze({})

/** How to name the state doubles of one kind's ops: its field names, and which one is an owner. */
interface StateNames {
  names: readonly string[]
  ownerAt: number
}

const STATE_NAMES = new Map<ObjectKind, StateNames>(
  OBJECT_KINDS.map((kind) => {
    const names = OBJECT_STATE_FIELDS[kind]
    return [kind, { names, ownerAt: names.indexOf('owner') }]
  }),
)

function statesOf(kind: ObjectKind): StateNames {
  const s = STATE_NAMES.get(kind)
  if (!s) throw new Error(`corrupt trace batch: unknown object kind ${String(kind)}`)
  return s
}

/** Names the state doubles `s0`, `s1`, `s2` into `after`. */
function nameState(
  names: StateNames,
  s0: number,
  s1: number,
  s2: number,
  after: Record<string, number | null>,
): void {
  const n = names.names
  if (n.length > 0) after[n[0]] = names.ownerAt === 0 ? owner(s0) : s0
  if (n.length > 1) after[n[1]] = names.ownerAt === 1 ? owner(s1) : s1
  if (n.length > 2) after[n[2]] = names.ownerAt === 2 ? owner(s2) : s2
}

/** An op whose object's kind is not known yet: its state, named when the announcement comes. */
interface Unnamed {
  after: Record<string, number | null>
  s0: number
  s1: number
  s2: number
}

/**
 * Decodes batches into events. Keeps the kind of every object it has seen, to name state fields.
 * This loop turns every event of a run into the object the orchestrator keeps, so it allocates
 * nothing an event does not keep.
 */
export class RecordDecoder {
  private readonly kinds = new Map<number, StateNames>()
  /**
   * Ops on objects whose announcement has not been decoded yet: batches of different threads
   * arrive in any order, so a thread may use an object before the batch that created it is read.
   */
  private readonly unnamed = new Map<number, Unnamed[]>()

  /** Lets the orchestrator declare objects it owns (brokered ones). */
  declareObject(id: number, kind: ObjectKind): void {
    this.named(id, statesOf(kind))
  }

  /** Object `id` is of a known kind from now on; ops decoded before that get their state named. */
  private named(id: number, names: StateNames): void {
    this.kinds.set(id, names)
    const waiting = this.unnamed.get(id)
    if (!waiting) return
    this.unnamed.delete(id)
    for (const op of waiting) nameState(names, op.s0, op.s1, op.s2, op.after)
  }

  /** An op's state after it, named by its object's kind (or later, once that kind is known). */
  private stateAfter(obj: number, s0: number, s1: number, s2: number): Record<string, number | null> {
    const names = this.kinds.get(obj)
    if (names) {
      if (names.names.length === 0) return NO_STATE
      const after: Record<string, number | null> = {}
      nameState(names, s0, s1, s2, after)
      return after
    }
    // Named when its announcement arrives (another thread's batch may bring it later).
    const after: Record<string, number | null> = {}
    const waiting = this.unnamed.get(obj)
    const op = { after, s0, s1, s2 }
    if (waiting) waiting.push(op)
    else this.unnamed.set(obj, [op])
    return after
  }

  decode(batch: EncodedBatch, out: TraceEvent[]): void {
    const { records: r, pid, tid } = batch
    const strings = batchStrings(batch)
    const count = r.length / RECORD_FIELDS
    for (let i = 0; i < count; i++) {
      const o = i * RECORD_FIELDS
      const codeObj = r[o + F_CODE_OBJ]
      const c = Math.floor(codeObj / OBJ_SPAN)
      const rawObj = codeObj - c * OBJ_SPAN - 1
      const lineText = r[o + F_LINE_TEXT]
      const line = Math.floor(lineText / TEXT_SPAN)
      const t = lineText - line * TEXT_SPAN - 1
      const type = c % 16
      const sub = (c - type) / 16
      // The common fields written out in each literal: spreading a shared base object into each
      // event is many times slower in V8, and this loop decodes every event of a run.
      const tUs = r[o + F_TIME]
      const seq = batch.firstSeq + i
      const text = t >= 0 ? strings[t] : null
      switch (type) {
        case RecordType.State:
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'state',
            state: THREAD_STATES[sub],
            obj: rawObj >= 0 ? rawObj : null,
            line,
          })
          break
        case RecordType.Op: {
          const cause = r[o + F_CAUSE]
          const opIndex = sub >> 3
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'op',
            obj: rawObj,
            op: OPS[opIndex],
            result: OP_RESULTS[sub - opIndex * 8],
            line,
            after: this.stateAfter(rawObj, r[o + F_S0], r[o + F_S1], r[o + F_S2]),
            cause: cause >= 0 ? cause : null,
            value: text,
          })
          break
        }
        case RecordType.ThreadStart:
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'thread-start',
            name: text ?? '?',
            daemon: r[o + F_S0] === 1,
            parent: r[o + F_S1] >= 0 ? r[o + F_S1] : null,
          })
          break
        case RecordType.ThreadEnd:
          out.push({ tUs, pid, tid, seq, type: 'thread-end', reason: THREAD_END_REASONS[sub], error: text })
          break
        case RecordType.Object: {
          const kind = OBJECT_KINDS[sub]
          this.named(rawObj, statesOf(kind))
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'object',
            obj: rawObj,
            kind,
            name: text ?? '?',
            size: r[o + F_S0],
          })
          break
        }
        case RecordType.Print:
          out.push({ tUs, pid, tid, seq, type: 'print', text: text ?? '', line })
          break
        case RecordType.Result: {
          const key = strings[r[o + F_S0]]
          out.push({ tUs, pid, tid, seq, type: 'result', key, value: JSON.parse(text ?? 'null') })
          break
        }
        default:
          throw new Error(`corrupt trace batch: unknown record type ${type}`)
      }
    }
  }
}
