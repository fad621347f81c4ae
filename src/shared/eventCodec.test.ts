import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../tests/support/random'
import { syntheticRecording } from '../../tests/support/syntheticRecording'
import {
  crc32,
  decodeRunEvents,
  encodeRunEvents,
  EventFrameError,
  isEventFrame,
  type RunEventsPayload,
} from './eventCodec'
import {
  OBJECT_KINDS,
  OPS,
  OP_RESULTS,
  THREAD_END_REASONS,
  THREAD_STATES,
  type CpuSample,
  type ThreadCpuSample,
  type TraceEvent,
} from './trace'

/** One event of every type, every field set, and the nullable ones both ways. */
const everyType: RunEventsPayload = {
  runId: 'run-42-1',
  events: [
    { tUs: 0, pid: 0, tid: 0, seq: 0, type: 'thread-start', name: 'MainThread', daemon: false, parent: null },
    { tUs: 10.25, pid: 0, tid: 1, seq: 0, type: 'thread-start', name: 'Worker-1', daemon: true, parent: 0 },
    { tUs: 11.5, pid: 0, tid: 0, seq: 1, type: 'object', obj: 3, kind: 'queue', name: 'q', size: 10 },
    { tUs: 12.125, pid: 0, tid: 0, seq: 2, type: 'state', state: 'blocked', obj: 3, line: 7 },
    { tUs: 13, pid: 0, tid: 0, seq: 3, type: 'state', state: 'running', obj: null, line: 8 },
    {
      tUs: 14.0625,
      pid: 0,
      tid: 0,
      seq: 4,
      type: 'op',
      obj: 3,
      op: 'put',
      result: 'ok',
      line: 9,
      after: { depth: 1, unfinished: 1, waiters: 0 },
      cause: null,
      value: "'item'",
    },
    {
      tUs: 15.5,
      pid: 1,
      tid: 0,
      seq: 17,
      type: 'op',
      obj: 2 ** 31 + 5,
      op: 'acquire',
      result: 'timeout',
      line: 12,
      after: { owner: 4096, waiters: null },
      cause: 1073741828,
      value: null,
    },
    { tUs: 16, pid: 1, tid: 0, seq: 18, type: 'print', text: 'héllo, wörld ✓ 🧵\n', line: 13 },
    { tUs: 17, pid: 0, tid: 1, seq: 1, type: 'thread-end', reason: 'returned', error: null },
    {
      tUs: 18,
      pid: 1,
      tid: 0,
      seq: 19,
      type: 'thread-end',
      reason: 'exception',
      error: 'Traceback (most recent call last):\n  ValueError: x',
    },
    {
      tUs: 19,
      pid: 0,
      tid: 0,
      seq: 5,
      type: 'result',
      key: 'counter',
      value: { expected: 100, got: [1, 'a', null] },
    },
    { tUs: 20, pid: 0, tid: 0, seq: 6, type: 'result', key: 'nothing', value: undefined },
  ],
  cpu: [
    { tUs: 100, corePct: [12.5, 100, 0] },
    { tUs: 200.5, corePct: [] },
  ],
  threadCpu: [
    { tUs: 100, pid: 0, tid: 1, cpuUs: 5321, core: 1 },
    { tUs: 200.5, pid: 1, tid: 0, cpuUs: 0, core: null },
  ],
}

function roundTrip(message: RunEventsPayload): RunEventsPayload {
  return decodeRunEvents(encodeRunEvents(message))
}

describe('the run:events frame', () => {
  it('carries an event of every type with every field, and CPU and thread CPU samples, exactly', () => {
    const frame = encodeRunEvents(everyType)
    expect(isEventFrame(frame)).toBe(true)
    const back = decodeRunEvents(frame)
    expect(back).toStrictEqual(everyType)
    // Every field of every event, in the order the engine builds them (so the page's objects share shapes).
    back.events.forEach((e, i) => expect(Object.keys(e)).toEqual(Object.keys(everyType.events[i])))
    expect(Object.keys(back.events[6]).length).toBe(12)
  })

  it('decodes from an ArrayBuffer, or a view into a larger one, as a socket or a port hands it', () => {
    const frame = encodeRunEvents(everyType)
    expect(decodeRunEvents(frame.buffer as ArrayBuffer)).toStrictEqual(everyType)
    const padded = new Uint8Array(frame.length + 7)
    padded.set(frame, 3)
    expect(decodeRunEvents(padded.subarray(3, 3 + frame.length))).toStrictEqual(everyType)
    expect(decodeRunEvents(new DataView(padded.buffer, 3, frame.length))).toStrictEqual(everyType)
  })

  it('keeps what JSON would lose or change: -0, NaN, infinities, huge and fractional ids, lone surrogates', () => {
    const odd: RunEventsPayload = {
      runId: 'r\u{1F9F5}',
      events: [
        { tUs: -0, pid: 0, tid: -0, seq: 2 ** 53, type: 'state', state: 'io', obj: NaN, line: -1 },
        { tUs: NaN, pid: 0, tid: 0, seq: -0, type: 'print', text: 'a\uD800b\uDC00', line: Infinity },
        {
          tUs: Infinity,
          pid: 0.5,
          tid: 2 ** 52 + 2,
          seq: 3,
          type: 'print',
          text: '\uDC00\uD800',
          line: 2 ** 51,
        },
        {
          tUs: 1e-300,
          pid: 1,
          tid: 1,
          seq: 4,
          type: 'op',
          obj: -(2 ** 51),
          op: 'call',
          result: 'error',
          line: -(2 ** 51) - 1,
          after: JSON.parse('{"__proto__": 1, "": -0, "a\\u0000b": null, "constructor": 2}') as Record<
            string,
            number | null
          >,
          cause: Number.MAX_VALUE,
          value: '',
        },
        {
          tUs: 5,
          pid: 1,
          tid: 1,
          seq: 5,
          type: 'op',
          obj: 1,
          op: 'call',
          result: 'ok',
          line: 1,
          after: JSON.parse('{"a": 1, "b": 2}') as Record<string, number | null>,
          cause: -Infinity,
          value: '\uD83E',
        },
        {
          tUs: 6,
          pid: 1,
          tid: 1,
          seq: 6,
          type: 'op',
          obj: 1,
          op: 'call',
          result: 'ok',
          line: 1,
          after: JSON.parse('{"a\\u0000b": 3}') as Record<string, number | null>,
          cause: null,
          value: null,
        },
      ],
      cpu: [{ tUs: 0, corePct: [-0, NaN, 1e308] }],
      threadCpu: [{ tUs: -1, pid: 0, tid: 0, cpuUs: 0.1, core: -0 }],
    }
    const back = roundTrip(odd)
    expect(back).toStrictEqual(odd)
    expect(Object.is(back.events[0].tUs, -0)).toBe(true)
    expect(Object.is(back.events[0].tid, -0)).toBe(true)
    expect(Object.is(back.events[1].seq, -0)).toBe(true)
    expect(Object.is(back.cpu[0].corePct[0], -0)).toBe(true)
    expect(Object.is(back.threadCpu[0].core, -0)).toBe(true)
    const op = back.events[3] as Extract<TraceEvent, { type: 'op' }>
    // `__proto__` is a field, as JSON.parse made it, not the object's prototype.
    expect(Object.getPrototypeOf(op.after)).toBe(Object.prototype)
    expect(Object.keys(op.after)).toEqual(['__proto__', '', 'a\u0000b', 'constructor'])
    expect(Object.is(op.after[''], -0)).toBe(true)
  })

  it('round-trips seeded random batches exactly', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const message = randomBatch(mulberry32(seed))
      const back = roundTrip(message)
      try {
        expect(back).toStrictEqual(message)
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`)
      }
    }
  })

  it('refuses with a clear error what is not a frame, another version, or too short for its header', () => {
    const frame = encodeRunEvents(everyType)
    expect(() => decodeRunEvents(new TextEncoder().encode('{"type":"run:stream"}'))).toThrow(
      new EventFrameError('not a run:events frame (it does not start with ILEV)'),
    )
    const later = frame.slice()
    later[4] = 2
    expect(() => decodeRunEvents(later)).toThrow('a run:events frame of version 2; this reads version 1')
    expect(() => decodeRunEvents(frame.subarray(0, 8))).toThrow(
      'a run:events frame is truncated: 8 bytes, shorter than its header',
    )
  })

  it('refuses every truncation of a frame, and bytes after its end', () => {
    const frame = encodeRunEvents(everyType)
    for (let n = 4; n < frame.length; n++) {
      expect(() => decodeRunEvents(frame.subarray(0, n)), `cut at ${n}`).toThrow(EventFrameError)
      expect(() => decodeRunEvents(frame.subarray(0, n))).toThrow(/truncated/)
    }
    const longer = new Uint8Array(frame.length + 1)
    longer.set(frame)
    expect(() => decodeRunEvents(longer)).toThrow('a run:events frame is corrupt: 1 bytes follow its end')
  })

  it('refuses a frame with any byte changed, or any one bit flipped, and says it is corrupt', () => {
    const frame = encodeRunEvents(everyType)
    for (let i = 13; i < frame.length; i++) {
      for (const bit of [0, 3, 7]) {
        const changed = frame.slice()
        changed[i] ^= 1 << bit
        expect(() => decodeRunEvents(changed), `byte ${i}, bit ${bit}`).toThrow(
          'a run:events frame is corrupt: its checksum does not match its bytes',
        )
      }
    }
  })

  it('never hangs nor throws anything but EventFrameError on bodies mangled and sealed with a good checksum', () => {
    // What a bug in an encoder could write: the checksum passes, the structure does not.
    const random = mulberry32(7)
    const frame = encodeRunEvents(randomBatch(mulberry32(99)))
    let refused = 0
    for (let round = 0; round < 3000; round++) {
      const body = frame.slice(13)
      const mangled =
        round % 3 === 0
          ? body.subarray(0, Math.floor(random() * body.length))
          : body.map((b) => (random() < 0.02 ? Math.floor(random() * 256) : b))
      try {
        decodeRunEvents(seal(mangled))
      } catch (e) {
        if (!(e instanceof EventFrameError)) throw new Error(`round ${round} threw ${String(e)}`)
        refused++
      }
    }
    expect(refused).toBeGreaterThan(2500)
    // Some claims are checked before anything is allocated for them.
    expect(() => decodeRunEvents(seal(new Uint8Array([0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0])))).toThrow(
      'a run:events frame is corrupt: it claims 268435455 events, more than its bytes hold',
    )
    expect(() => decodeRunEvents(seal(new Uint8Array([0, 0, 0, 0, 0, 5, 0])))).toThrow(
      'a run:events frame is corrupt: string 5 is not in its table of 0',
    )
  })

  it('checks what it encodes: an event it cannot carry exactly is refused, not sent wrong', () => {
    const bad = (event: Record<string, unknown>) => () =>
      encodeRunEvents({ ...everyType, events: [event as unknown as TraceEvent] })
    const base = { tUs: 0, pid: 0, tid: 0, seq: 0 }
    expect(bad({ ...base, type: 'nope' })).toThrow("event 0 has an unknown type 'nope'")
    expect(bad({ ...base, type: 'state', state: 'dancing', obj: null, line: 1 })).toThrow(
      "event 0 has an unknown value 'dancing'",
    )
    expect(bad({ ...base, type: 'print', text: 7, line: 1 })).toThrow(
      'a print text must be a string; got number',
    )
    expect(bad({ ...base, type: 'thread-start', name: 'T', daemon: 1, parent: null })).toThrow(
      'event 0 has a flag that is not true or false',
    )
    const op = { ...base, type: 'op', obj: 1, op: 'get', result: 'ok', line: 1, cause: null, value: null }
    expect(bad({ ...op, after: { depth: '1' } })).toThrow(
      'event 0 has an after field that is not a number or null',
    )
  })

  it('takes a sixth of the bytes JSON does for a realistic run, and checks its CRC as the standard says', () => {
    const { record } = syntheticRecording(20_000, 16)
    const message = { runId: 'run-1-1', events: record.events, cpu: record.cpu, threadCpu: record.threadCpu }
    const frame = encodeRunEvents(message)
    const json = new TextEncoder().encode(
      JSON.stringify({ type: 'run:stream', message: { type: 'run:events', ...message } }),
    ).length
    expect(roundTrip(message)).toStrictEqual(message)
    expect(frame.length * 6).toBeLessThan(json)
    // The IEEE CRC-32 of "123456789".
    expect(crc32(new TextEncoder().encode('123456789'), 0, 9)).toBe(0xcbf43926)
  })
})

/** A frame around `body` with the right length and checksum. */
function seal(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(13 + body.length)
  frame.set([0x49, 0x4c, 0x45, 0x56, 1])
  const view = new DataView(frame.buffer)
  view.setUint32(5, body.length, true)
  view.setUint32(9, crc32(body, 0, body.length), true)
  frame.set(body, 13)
  return frame
}

/** A batch of random events: runs of one thread (as the engine sends them) and jumps between threads. */
function randomBatch(random: () => number): RunEventsPayload {
  const int = (n: number): number => Math.floor(random() * n)
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]
  const number = (): number =>
    pick([
      () => int(100),
      () => int(2 ** 31) * 4096 + int(4096),
      () => -int(1000),
      () => random() * 1e7,
      () => (random() - 0.5) * 2 ** 60,
      () => pick([-0, NaN, Infinity, -Infinity, 2 ** 51, 2 ** 51 + 1, -(2 ** 51) - 1, Number.MIN_VALUE]),
    ])()
  const maybe = <T>(make: () => T): T | null => (random() < 0.3 ? null : make())
  const chars = ['a', 'Z', ' ', '\n', '\0', '"', '\\', 'é', '✓', '\u{1F9F5}', '\uD800', '\uDFFF', '__proto__']
  const text = (): string => Array.from({ length: int(12) }, () => pick(chars)).join('')
  // Not `constructor`: toStrictEqual compares that field as the objects' class (NaN there is never equal).
  const fieldNames = ['owner', 'waiters', 'depth', '__proto__', '', 'a\0b', 'toString']
  const events: TraceEvent[] = []
  let pid = 0
  let tid = 0
  let seq = 0
  let tUs = random() * 1e6
  for (let i = int(120); i > 0; i--) {
    if (random() < 0.2) {
      pid = int(4)
      tid = int(6)
      seq = int(1000)
    } else seq += random() < 0.9 ? 1 : int(5) - 2
    tUs += random() < 0.95 ? random() * 50 : number()
    const base = { tUs, pid, tid, seq }
    switch (int(7)) {
      case 0:
        events.push({
          ...base,
          type: 'thread-start',
          name: text(),
          daemon: random() < 0.5,
          parent: maybe(number),
        })
        break
      case 1:
        events.push({
          ...base,
          type: 'state',
          state: pick(THREAD_STATES),
          obj: maybe(number),
          line: number(),
        })
        break
      case 2:
        events.push({
          ...base,
          type: 'object',
          obj: number(),
          kind: pick(OBJECT_KINDS),
          name: text(),
          size: number(),
        })
        break
      case 3: {
        const after: Record<string, number | null> = {}
        for (let k = int(4); k > 0; k--)
          Object.defineProperty(after, pick(fieldNames), {
            value: maybe(number),
            enumerable: true,
            writable: true,
            configurable: true,
          })
        events.push({
          ...base,
          type: 'op',
          obj: number(),
          op: pick(OPS),
          result: pick(OP_RESULTS),
          line: number(),
          after,
          cause: maybe(number),
          value: maybe(text),
        })
        break
      }
      case 4:
        events.push({ ...base, type: 'print', text: text(), line: number() })
        break
      case 5:
        events.push({ ...base, type: 'thread-end', reason: pick(THREAD_END_REASONS), error: maybe(text) })
        break
      default:
        events.push({
          ...base,
          type: 'result',
          key: text(),
          value: pick([undefined, null, int(10), text(), { a: [1, text()], b: { c: false } }]),
        })
    }
  }
  const cpu: CpuSample[] = Array.from({ length: int(4) }, () => ({
    tUs: number(),
    corePct: Array.from({ length: int(9) }, () => (random() < 0.8 ? random() * 100 : number())),
  }))
  const threadCpu: ThreadCpuSample[] = Array.from({ length: int(6) }, () => ({
    tUs: number(),
    pid: int(4),
    tid: int(6),
    cpuUs: number(),
    core: maybe(() => int(8)),
  }))
  return { runId: text(), events, cpu, threadCpu }
}
