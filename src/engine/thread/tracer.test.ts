import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../shared/trace'
import {
  batchStrings,
  code,
  OP,
  opSub,
  RECORD_FIELDS,
  RecordDecoder,
  RecordType,
  RESULT,
  type PackedBatch,
} from '../records'
import { FLUSH_INTERVAL_US, Tracer } from './tracer'

const read = code(RecordType.Op, opSub(OP.read, RESULT.ok))

function tracerAt(clock: { us: number }) {
  const batches: PackedBatch[] = []
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

  it("sends a batch's strings as one text and where each ends, every string back as it was", () => {
    const clock = { us: 0 }
    const { tracer, batches } = tracerAt(clock)
    // Empty, non-Latin-1, astral (a surrogate pair) and a lone surrogate: each keeps its length.
    const texts = ['Worker', '', 'ünïcödé', '日本語', '🧵 thread', '\ud800', "'x'", '']
    const indices = texts.map((t) => tracer.text(t))
    tracer.record(read, 7, 2, 0, 0, 0, -1, indices[0])
    tracer.flush()
    const [b] = batches
    expect(b.strings).toEqual([])
    expect(b.text).toBe(texts.join(''))
    expect(batchStrings(b)).toEqual(texts.map((_, i) => texts[indices[i]]))
    // Across a structured clone (each hop is one): the same strings.
    expect(batchStrings(structuredClone(b))).toEqual(batchStrings(b))
  })

  it('keeps more strings than a batch has records, and starts each batch from index 0', () => {
    const clock = { us: 0 }
    const { tracer, batches } = tracerAt(clock)
    const first = Array.from({ length: 20_000 }, (_, i) => `s${i}`)
    const indices = first.map((t) => tracer.text(t))
    expect(indices.at(-1)).toBe(19_999)
    tracer.record(read, 7, 2, 0, 0, 0, -1, indices.at(-1))
    tracer.flush()
    expect(batchStrings(batches[0])).toEqual(first)
    expect(tracer.text('next batch')).toBe(0)
    tracer.record(read, 7, 2, 0, 0, 0, -1, 0)
    tracer.flush()
    expect(batchStrings(batches[1])).toEqual(['next batch'])
  })

  it('sends a text that repeats the one before once, and both events read it', () => {
    const clock = { us: 0 }
    const { tracer, batches } = tracerAt(clock)
    const write = code(RecordType.Op, opSub(OP.write, RESULT.ok))
    // A counter's loop: read 0, write 1, read 1 (the same text as the write), write 2, ...
    const values = ['0', '1', '1', '2', '2', '3', '1']
    values.forEach((v, i) => tracer.record(i % 2 ? write : read, 7, 2, 0, 0, 0, -1, tracer.text(v)))
    tracer.flush()
    // The first event left at once, alone; the rest together.
    expect(batches.map(batchStrings)).toEqual([['0'], ['1', '2', '3', '1']])
    const out: TraceEvent[] = []
    const decoder = new RecordDecoder()
    for (const b of batches) decoder.decode(b, out)
    expect(out.map((e) => (e.type === 'op' ? e.value : null))).toEqual(values)
  })
})
