import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../shared/trace'
import { code, KIND, OP, opSub, RecordDecoder, RecordType, RECORD_FIELDS, RESULT } from './records'

function batch(tid: number, rows: number[][], strings: string[] = []) {
  const records = new Float64Array(rows.length * RECORD_FIELDS)
  rows.forEach((row, i) => records.set(row, i * RECORD_FIELDS))
  return { pid: 0, tid, firstSeq: 0, records, strings }
}

describe('RecordDecoder', () => {
  it("names an op's state even when the object's announcement is decoded after it", () => {
    const decoder = new RecordDecoder()
    const out: TraceEvent[] = []
    // Thread 1 acquires lock 7 (owner code 2 = thread key 1) before thread 0's batch announcing lock 7 is read.
    const acquire = [10, code(RecordType.Op, opSub(OP.acquire, RESULT.ok)), 7, 12, 2, 0, 0, -1, -1, 0]
    decoder.decode(batch(1, [acquire]), out)
    const announce = [5, code(RecordType.Object, KIND.lock), 7, 3, 0, 0, 0, -1, 0, 0]
    decoder.decode(batch(0, [announce], ['lock']), out)
    const op = out.find((e) => e.type === 'op')!
    expect(op.type === 'op' && op.after).toEqual({ owner: 1, waiters: 0 })
  })
})
