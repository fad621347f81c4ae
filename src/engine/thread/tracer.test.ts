import { describe, expect, it } from 'vitest'
import type { EncodedBatch } from '../../shared/protocol'
import { code, OP, opSub, RECORD_FIELDS, RecordType, RESULT } from '../records'
import { FLUSH_INTERVAL_US, Tracer } from './tracer'

const read = code(RecordType.Op, opSub(OP.read, RESULT.ok))

function tracerAt(clock: { us: number }) {
  const batches: EncodedBatch[] = []
  const tracer = new Tracer(
    0,
    1,
    () => clock.us,
    (b) => batches.push(b),
  )
  const counts = () => batches.map((b) => b.records.length / RECORD_FIELDS)
  return { tracer, batches, counts }
}

describe('Tracer', () => {
  it("sends a thread's first event at once, then batches the rest by the flush interval", () => {
    const clock = { us: 1000 }
    const { tracer, counts } = tracerAt(clock)
    tracer.record(code(RecordType.ThreadStart, 0), -1, 0)
    // Its first event is on its way before the thread does anything else (a run's first on screen).
    expect(counts()).toEqual([1])
    for (let i = 0; i < 10; i++) {
      clock.us += 100
      tracer.record(read, 7, 2)
    }
    expect(counts()).toEqual([1])
    expect(tracer.dueInUs()).toBe(FLUSH_INTERVAL_US - 1000)
    clock.us += FLUSH_INTERVAL_US
    tracer.record(read, 7, 2)
    expect(counts()).toEqual([1, 11])
  })

  it('numbers events on across batches', () => {
    const clock = { us: 0 }
    const { tracer, batches } = tracerAt(clock)
    expect(tracer.record(read, 7, 2)).toBe(tracer.nextEventId() - 1)
    tracer.record(read, 7, 2)
    tracer.flush()
    expect(batches.map((b) => b.firstSeq)).toEqual([0, 1])
  })
})
