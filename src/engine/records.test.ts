import { describe, expect, it } from 'vitest'
import type { EncodedBatch } from '../shared/protocol'
import { eventId, FIRST_BROKERED_ID, type TraceEvent } from '../shared/trace'
import {
  code,
  END,
  KIND,
  OP,
  opSub,
  RecordDecoder,
  RecordType,
  RECORD_FIELDS,
  RESULT,
  STATE,
  writeRecord,
} from './records'
import { Tracer } from './thread/tracer'

type Row = Parameters<typeof writeRecord> extends [unknown, unknown, ...infer R] ? R : never

/** A batch of records, each given as [tUs, code, obj, line, s0, s1, s2, cause, text]. */
function batch(tid: number, rows: Row[], strings: string[] = []): EncodedBatch {
  const records = new Float64Array(rows.length * RECORD_FIELDS)
  rows.forEach((row, i) => writeRecord(records, i * RECORD_FIELDS, ...row))
  return { pid: 0, tid, firstSeq: 0, records, strings }
}

describe('RecordDecoder', () => {
  it("names an op's state even when the object's announcement is decoded after it", () => {
    const decoder = new RecordDecoder()
    const out: TraceEvent[] = []
    // Thread 1 acquires lock 7 (owner code 2 = thread key 1) before thread 0's batch announcing lock 7 is read.
    const acquire: Row = [10, code(RecordType.Op, opSub(OP.acquire, RESULT.ok)), 7, 12, 2, 0, 0, -1, -1]
    decoder.decode(batch(1, [acquire]), out)
    const announce: Row = [5, code(RecordType.Object, KIND.lock), 7, 3, 0, 0, 0, -1, 0]
    decoder.decode(batch(0, [announce], ['lock']), out)
    const op = out.find((e) => e.type === 'op')!
    expect(op.type === 'op' && op.after).toEqual({ owner: 1, waiters: 0 })
  })

  it('names the state of ops on an object the orchestrator declares, before and after it does', () => {
    const decoder = new RecordDecoder()
    const out: TraceEvent[] = []
    const get = (depth: number): Row => [
      20,
      code(RecordType.Op, opSub(OP.get, RESULT.ok)),
      2 ** 31,
      4,
      depth,
      1,
      0,
      -1,
      0,
    ]
    decoder.decode(batch(1, [get(3)], ['7']), out)
    decoder.declareObject(2 ** 31, 'mp-queue')
    decoder.decode(batch(1, [get(2)], ['8']), out)
    const afters = out.map((e) => (e.type === 'op' ? e.after : null))
    expect(afters).toEqual([
      { depth: 3, unfinished: 1, waiters: 0 },
      { depth: 2, unfinished: 1, waiters: 0 },
    ])
    expect(out.map((e) => (e.type === 'op' ? e.value : null))).toEqual(['7', '8'])
  })

  it('gives each op its own state object, and every op of a kind without state the same empty one', () => {
    const decoder = new RecordDecoder()
    const out: TraceEvent[] = []
    const announce = (obj: number, kind: number): Row => [
      1,
      code(RecordType.Object, kind),
      obj,
      3,
      0,
      0,
      0,
      -1,
      0,
    ]
    const op = (obj: number, owner: number): Row => [
      2,
      code(RecordType.Op, opSub(OP.read, RESULT.ok)),
      obj,
      5,
      owner,
      0,
      0,
      -1,
      -1,
    ]
    decoder.decode(batch(0, [announce(1, KIND.lock), announce(2, KIND.variable)], ['l', 'v']), out)
    decoder.decode(batch(0, [op(1, 0), op(1, 3), op(2, 0), op(2, 0)]), out)
    const [a, b, c, d] = out.slice(2).map((e) => (e.type === 'op' ? e.after : null))
    expect([a, b]).toEqual([
      { owner: null, waiters: 0 },
      { owner: 2, waiters: 0 },
    ])
    expect(a).not.toBe(b)
    expect(c).toEqual({})
    expect(c).toBe(d)
    // Shared, so no one may change it for the others.
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('reads back every field a thread records, at the ends of their ranges', () => {
    const batches: EncodedBatch[] = []
    // A clock that stands still (at a fraction of a microsecond): times must come back exactly.
    const tracer = new Tracer(
      3,
      4095,
      () => 1234.125,
      (b) => batches.push(b),
    )
    const brokered = FIRST_BROKERED_ID + 12345
    const bigCause = eventId(511, 4095, 2 ** 30 - 1)
    tracer.record(code(RecordType.ThreadStart, 0), -1, 0, 1, 42, 0, -1, tracer.text('Worker'))
    tracer.record(code(RecordType.Object, KIND['mp-queue']), brokered, 1, 7, 0, 0, -1, tracer.text('q'))
    tracer.record(code(RecordType.State, STATE.blocked), brokered, 2 ** 20)
    tracer.record(code(RecordType.Op, opSub(OP.get, RESULT.timeout)), brokered, 9, 2 ** 40, -5, 0.5, bigCause)
    tracer.record(
      code(RecordType.Op, opSub(OP.put, RESULT.ok)),
      3 * 2 ** 20,
      10,
      1,
      2,
      3,
      0,
      tracer.text("'x'"),
    )
    tracer.record(code(RecordType.Print, 0), -1, 11, 0, 0, 0, -1, tracer.text('hello'))
    tracer.record(code(RecordType.Result, 0), -1, 12, tracer.text('n'), 0, 0, -1, tracer.text('[1,2]'))
    tracer.record(code(RecordType.ThreadEnd, END.exception), -1, 13, 0, 0, 0, -1, tracer.text('Boom'))
    tracer.flush()
    const out: TraceEvent[] = []
    const decoder = new RecordDecoder()
    for (const b of batches) decoder.decode(b, out)
    const base = (seq: number) => ({ tUs: 1234.125, pid: 3, tid: 4095, seq })
    expect(out).toEqual([
      { ...base(0), type: 'thread-start', name: 'Worker', daemon: true, parent: 42 },
      { ...base(1), type: 'object', obj: brokered, kind: 'mp-queue', name: 'q', size: 7 },
      { ...base(2), type: 'state', state: 'blocked', obj: brokered, line: 2 ** 20 },
      {
        ...base(3),
        type: 'op',
        obj: brokered,
        op: 'get',
        result: 'timeout',
        line: 9,
        after: { depth: 2 ** 40, unfinished: -5, waiters: 0.5 },
        cause: bigCause,
        value: null,
      },
      {
        ...base(4),
        type: 'op',
        obj: 3 * 2 ** 20,
        op: 'put',
        result: 'ok',
        line: 10,
        after: {},
        cause: 0,
        value: "'x'",
      },
      { ...base(5), type: 'print', text: 'hello', line: 11 },
      { ...base(6), type: 'result', key: 'n', value: [1, 2] },
      { ...base(7), type: 'thread-end', reason: 'exception', error: 'Boom' },
    ])
  })

  it('refuses a batch with a record of no known type', () => {
    expect(() => new RecordDecoder().decode(batch(0, [[0, 15, -1, 0, 0, 0, 0, -1, -1]]), [])).toThrow(
      /unknown record type 15/,
    )
  })
})
