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

export const RECORD_FIELDS = 10
export const F_TIME = 0
export const F_CODE = 1
export const F_OBJ = 2
export const F_LINE = 3
export const F_S0 = 4
export const F_S1 = 5
export const F_S2 = 6
export const F_CAUSE = 7
/** A string index (or -1): a name, a printed line, a value's repr. */
export const F_TEXT = 8
export const F_EXTRA = 9

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
 * Decodes batches into events. Keeps the kind of every object it has seen, to name state fields.
 */
export class RecordDecoder {
  private readonly kinds = new Map<number, ObjectKind>()
  /**
   * Ops on objects whose announcement has not been decoded yet: batches of different threads
   * arrive in any order, so a thread may use an object before the batch that created it is read.
   */
  private readonly unnamed = new Map<number, { after: Record<string, number | null>; raw: number[] }[]>()

  private nameState(kind: ObjectKind, raw: number[], after: Record<string, number | null>): void {
    OBJECT_STATE_FIELDS[kind].forEach((name, k) => {
      after[name] = name === 'owner' ? owner(raw[k]) : raw[k]
    })
  }

  /** Lets the orchestrator declare objects it owns (brokered ones). */
  declareObject(id: number, kind: ObjectKind): void {
    this.kinds.set(id, kind)
  }

  decode(batch: EncodedBatch, out: TraceEvent[]): void {
    const { records: r, strings, pid, tid } = batch
    const count = r.length / RECORD_FIELDS
    for (let i = 0; i < count; i++) {
      const o = i * RECORD_FIELDS
      const c = r[o + F_CODE]
      const type = c % 16
      const sub = Math.floor(c / 16)
      // The common fields written out in each literal: spreading a shared base object into each
      // event is many times slower in V8, and this loop decodes every event of a run.
      const tUs = r[o + F_TIME]
      const seq = batch.firstSeq + i
      const text = r[o + F_TEXT] >= 0 ? strings[r[o + F_TEXT]] : null
      switch (type) {
        case RecordType.State:
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'state',
            state: THREAD_STATES[sub],
            obj: r[o + F_OBJ] >= 0 ? r[o + F_OBJ] : null,
            line: r[o + F_LINE],
          })
          break
        case RecordType.Op: {
          const obj = r[o + F_OBJ]
          const kind = this.kinds.get(obj)
          const raw = [r[o + F_S0], r[o + F_S1], r[o + F_S2]]
          const after: Record<string, number | null> = {}
          if (kind) this.nameState(kind, raw, after)
          else {
            // Named when its announcement arrives (another thread's batch may bring it later).
            const waiting = this.unnamed.get(obj)
            if (waiting) waiting.push({ after, raw })
            else this.unnamed.set(obj, [{ after, raw }])
          }
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'op',
            obj,
            op: OPS[Math.floor(sub / 8)],
            result: OP_RESULTS[sub % 8],
            line: r[o + F_LINE],
            after,
            cause: r[o + F_CAUSE] >= 0 ? r[o + F_CAUSE] : null,
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
          this.kinds.set(r[o + F_OBJ], kind)
          for (const op of this.unnamed.get(r[o + F_OBJ]) ?? []) this.nameState(kind, op.raw, op.after)
          this.unnamed.delete(r[o + F_OBJ])
          out.push({
            tUs,
            pid,
            tid,
            seq,
            type: 'object',
            obj: r[o + F_OBJ],
            kind,
            name: text ?? '?',
            size: r[o + F_S0],
          })
          break
        }
        case RecordType.Print:
          out.push({ tUs, pid, tid, seq, type: 'print', text: text ?? '', line: r[o + F_LINE] })
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
