/**
 * The fast check of the long arrays (recordingFast.ts) against the zod schema it stands in for:
 * on valid events, CPU samples and thread CPU samples, at and past every bound, with each field
 * replaced in turn by values that break its rule (and by values that keep it), with keys missing
 * and keys added, and on thousands of random mixtures of those. For plain JSON objects the two must
 * agree exactly; for other objects the fast check may only be the stricter (it then asks zod).
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { cpuSampleFits, eventFits, LIMITS, longArraysFit, threadCpuSampleFits } from './recordingFast'
import {
  makeRecording,
  parseRecording,
  RecordingError,
  recordingFileValue,
  recordingSchema,
  recordingText,
} from './recording'
import { eventTableOf } from './eventTable'
import { OBJECT_KINDS, OPS, OP_RESULTS, THREAD_END_REASONS, THREAD_STATES, TRACE_VERSION } from './trace'

const recordShape = recordingSchema.shape.record.shape
const eventSchema = recordShape.events.element
const cpuSchema = recordShape.cpu.element
const threadCpuSchema = recordShape.threadCpu.element
const resultFits = (e: unknown): boolean => eventSchema.safeParse(e).success

const MAX_SAFE = Number.MAX_SAFE_INTEGER
const emoji = '\u{1F600}' // two UTF-16 units, one code point

/** Values to put in any field: in and out of every bound the schema sets, and of every type. */
const VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  1,
  -1,
  0.5,
  2.5,
  99.9,
  100,
  100.5,
  LIMITS.tid,
  LIMITS.tid + 1,
  LIMITS.cores,
  LIMITS.cores + 1,
  LIMITS.pid,
  LIMITS.pid + 1,
  LIMITS.line + 0.5,
  2 ** 31,
  2 ** 40,
  LIMITS.timeUs,
  LIMITS.timeUs + 1,
  LIMITS.timeUs - 0.25,
  LIMITS.stateValue,
  LIMITS.stateValue + 1,
  -LIMITS.stateValue,
  -LIMITS.stateValue - 1,
  MAX_SAFE,
  MAX_SAFE + 1,
  -MAX_SAFE,
  1e300,
  -1e300,
  5e-324,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  '0',
  '1',
  'x',
  'null',
  'x'.repeat(LIMITS.name),
  'x'.repeat(LIMITS.name + 1),
  emoji.repeat(LIMITS.name),
  emoji.repeat(LIMITS.name + 1),
  `${emoji.repeat(LIMITS.name - 1)}xx`,
  '\ud800'.repeat(LIMITS.name + 1), // lone surrogates count one each
  'x'.repeat(LIMITS.text),
  'x'.repeat(LIMITS.text + 1),
  ...THREAD_STATES,
  ...OBJECT_KINDS,
  ...OPS,
  ...OP_RESULTS,
  ...THREAD_END_REASONS,
  'thread-start',
  'state',
  'object',
  'op',
  'print',
  'thread-end',
  'result',
  'RUNNING',
  [],
  [1, 2],
  [50, 100],
  [50, 101],
  [100.5],
  [-0.5],
  [Number.NaN],
  ['50'],
  [null],
  [-1],
  new Array(LIMITS.cores).fill(1),
  new Array(LIMITS.cores + 1).fill(1),
  {},
  { owner: 1, waiters: 0 },
  { owner: null },
  { owner: 'me' },
  { owner: LIMITS.stateValue + 1 },
  { owner: true },
  { ['k'.repeat(LIMITS.name)]: 1 },
  { ['k'.repeat(LIMITS.name + 1)]: 1 },
  { [emoji.repeat(LIMITS.name)]: 1 },
  { nested: { a: 1 } },
  { nested: [1] },
]

/**
 * Objects JSON never makes, and an own `__proto__` key (which JSON can make, and zod passes over in a
 * record, leaving it out of what it returns): the fast check may refuse them where zod does not.
 */
const ODD_VALUES: unknown[] = [
  JSON.parse('{"__proto__": 1}'),
  JSON.parse('{"a": 1, "__proto__": null}'),
  Object.create(null) as object,
  Object.assign(Object.create(null) as object, { owner: 1 }),
  new Date(0),
  new (class Point {
    x = 1
  })(),
  { [Symbol('s')]: 1 },
  undefined,
]

const base = { tUs: 1500.25, pid: 0, tid: 1, seq: 7 }

/** A valid event of each type, some at their bounds. */
const VALID_EVENTS: Record<string, unknown>[] = [
  { ...base, type: 'thread-start', name: 'Thread-1 (worker)', daemon: false, parent: 0 },
  { ...base, type: 'thread-start', name: 'MainThread', daemon: true, parent: null },
  { ...base, type: 'state', state: 'running', obj: null, line: 0 },
  { ...base, type: 'state', state: 'blocked', obj: 3, line: LIMITS.line },
  {
    tUs: LIMITS.timeUs,
    pid: LIMITS.pid,
    tid: LIMITS.tid,
    seq: MAX_SAFE,
    type: 'state',
    state: 'finished',
    obj: MAX_SAFE,
    line: 1,
  },
  { ...base, type: 'object', obj: 0, kind: 'lock', name: 'lock', size: 0 },
  {
    ...base,
    type: 'object',
    obj: 2 ** 31,
    kind: 'mp-queue',
    name: emoji.repeat(1000),
    size: -LIMITS.stateValue,
  },
  {
    ...base,
    type: 'op',
    obj: 1,
    op: 'acquire',
    result: 'ok',
    line: 12,
    after: { owner: 4097, waiters: 2 },
    cause: 123456789012,
    value: null,
  },
  {
    ...base,
    type: 'op',
    obj: 1,
    op: 'get',
    result: 'timeout',
    line: 0,
    after: {},
    cause: null,
    value: "'item'",
  },
  {
    ...base,
    type: 'op',
    obj: 1,
    op: 'put',
    result: 'error',
    line: 3,
    after: { depth: null, unfinished: LIMITS.stateValue },
    cause: 0,
    value: '',
  },
  { ...base, type: 'print', text: 'hello\nworld', line: 22 },
  { ...base, type: 'print', text: '', line: 0 },
  { ...base, type: 'thread-end', reason: 'returned', error: null },
  { ...base, type: 'thread-end', reason: 'exception', error: 'Traceback (most recent call last): ...' },
  { ...base, type: 'result', key: 'counter', value: 200 },
  { ...base, type: 'result', key: 'items', value: { a: [1, 'two', null, { b: true }] } },
]

const VALID_CPU: Record<string, unknown>[] = [
  { tUs: 83333.33, corePct: [100, 0, 12.5, 99.9] },
  { tUs: 0, corePct: [] },
  { tUs: LIMITS.timeUs, corePct: new Array(LIMITS.cores).fill(100) },
]

const VALID_THREAD_CPU: Record<string, unknown>[] = [
  { tUs: 83334.5, pid: 0, tid: 0, cpuUs: 5109.95, core: 1 },
  { tUs: 0, pid: LIMITS.pid, tid: LIMITS.tid, cpuUs: LIMITS.timeUs, core: null },
  { tUs: 1, pid: 3, tid: 2, cpuUs: 0, core: LIMITS.cores },
]

interface Checker {
  what: string
  fast: (item: unknown) => boolean
  schema: z.ZodType
  valid: Record<string, unknown>[]
}

const CHECKERS: Checker[] = [
  { what: 'events', fast: (e) => eventFits(e, resultFits), schema: eventSchema, valid: VALID_EVENTS },
  { what: 'cpu samples', fast: cpuSampleFits, schema: cpuSchema, valid: VALID_CPU },
  { what: 'thread CPU samples', fast: threadCpuSampleFits, schema: threadCpuSchema, valid: VALID_THREAD_CPU },
]

/** Each valid item with one field changed, deleted, or a key added: the rules broken one at a time. */
function* variants(item: Record<string, unknown>): Generator<[string, Record<string, unknown>]> {
  for (const key of Object.keys(item)) {
    for (const value of VALUES) yield [`${key} = ${show(value)}`, { ...item, [key]: value }]
    const { [key]: _gone, ...without } = item
    yield [`without ${key}`, without]
  }
  yield ['with an unknown key', { ...item, extra: 1 }]
  yield ['with an unknown null key', { ...item, extra: null }]
  yield ['with an own __proto__ key', Object.assign(JSON.parse('{"__proto__": {}}') as object, item)]
}

function show(value: unknown): string {
  const s =
    typeof value === 'string' ? JSON.stringify(value.slice(0, 12)) + `(${value.length})` : String(value)
  return s.length > 40 ? `${s.slice(0, 40)}…` : s
}

/** The same seeded numbers on every run. */
function generator(seed: number): (n: number) => number {
  let s = seed >>> 0
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return Math.floor((s / 2 ** 32) * n)
  }
}

describe('the fast check of the long arrays agrees with the schema', () => {
  for (const { what, fast, schema, valid } of CHECKERS) {
    it(`${what}: valid ones, at their bounds, pass both`, () => {
      for (const item of valid) {
        expect(schema.safeParse(item).success, JSON.stringify(item).slice(0, 100)).toBe(true)
        expect(fast(item), JSON.stringify(item).slice(0, 100)).toBe(true)
      }
    })

    it(`${what}: each field broken or kept in turn, keys missing or added`, () => {
      let refused = 0
      let cases = 0
      for (const item of valid) {
        for (const [change, variant] of variants(item)) {
          const zodSays = schema.safeParse(variant).success
          expect(fast(variant), `${String(item.type ?? what)} ${change}`).toBe(zodSays)
          cases++
          if (!zodSays) refused++
        }
      }
      // Most changes break a rule; some (another valid enum value, a number within bounds) do not.
      expect(refused).toBeGreaterThan(cases / 2)
      expect(refused).toBeLessThan(cases)
    })

    it(`${what}: objects JSON never makes are refused, or left to the schema`, () => {
      for (const item of valid) {
        for (const odd of ODD_VALUES) {
          for (const variant of [odd, ...Object.keys(item).map((key) => ({ ...item, [key]: odd }))]) {
            if (fast(variant)) expect(schema.safeParse(variant).success).toBe(true)
          }
        }
      }
    })

    it(`${what}: thousands of random mixtures agree`, () => {
      const random = generator(what.length * 7919)
      const keys = [...new Set(valid.flatMap((item) => Object.keys(item)))]
      let accepted = 0
      for (let round = 0; round < 20_000; round++) {
        // A valid item with one to three fields replaced, or one put together from random fields.
        const item: Record<string, unknown> = { ...valid[random(valid.length)] }
        const changes = 1 + random(3)
        for (let i = 0; i < changes; i++) {
          const key = random(8) === 0 ? 'extra' : keys[random(keys.length)]
          const from = random(3) === 0 ? valid[random(valid.length)][key] : VALUES[random(VALUES.length)]
          if (from === undefined) delete item[key]
          else item[key] = from
        }
        const zodSays = schema.safeParse(item).success
        if (zodSays) accepted++
        // The message only when they disagree: some items hold megabytes of text.
        if (fast(item) !== zodSays) expect.fail(`disagree on ${JSON.stringify(item).slice(0, 300)}`)
      }
      expect(accepted).toBeGreaterThan(100)
    })
  }

  it('every thread state, object kind, op, result and end reason is taken, and nothing else', () => {
    const state = VALID_EVENTS[2]
    for (const s of [...THREAD_STATES, 'Running', 'sleep', 0]) {
      const e = { ...state, state: s }
      expect(eventFits(e, resultFits)).toBe(eventSchema.safeParse(e).success)
    }
    const op = VALID_EVENTS[7]
    for (const o of [...OPS, ...OP_RESULTS, 'notify-all', '']) {
      for (const e of [
        { ...op, op: o },
        { ...op, result: o },
      ])
        expect(eventFits(e, resultFits)).toBe(eventSchema.safeParse(e).success)
    }
  })

  it('whole arrays: any element that does not fit, first or last, is found', () => {
    const record = (
      events: unknown[],
      cpu: unknown[] = VALID_CPU,
      threadCpu: unknown[] = VALID_THREAD_CPU,
    ) => ({
      events,
      cpu,
      threadCpu,
    })
    expect(longArraysFit(record(VALID_EVENTS), resultFits)).toBe(true)
    expect(longArraysFit(record([...VALID_EVENTS, { ...VALID_EVENTS[2], line: -1 }]), resultFits)).toBe(false)
    expect(longArraysFit(record([{ ...VALID_EVENTS[2], tUs: '1' }, ...VALID_EVENTS]), resultFits)).toBe(false)
    expect(longArraysFit(record(VALID_EVENTS, [...VALID_CPU, { tUs: 1, corePct: [101] }]), resultFits)).toBe(
      false,
    )
    expect(longArraysFit(record(VALID_EVENTS, VALID_CPU, [null]), resultFits)).toBe(false)
    expect(longArraysFit({ events: VALID_EVENTS, cpu: VALID_CPU }, resultFits)).toBe(false)
    expect(longArraysFit({ events: {}, cpu: VALID_CPU, threadCpu: [] }, resultFits)).toBe(false)
  })
})

describe('reading with the fast check', () => {
  const recording = makeRecording(
    {
      version: TRACE_VERSION,
      scenario: 'tiny',
      params: { n: 1 },
      options: { gil: true, timeoutS: 10, switchIntervalMs: 5, speed: 1, trace: true },
      program: 'print(1)\n',
      machine: { cores: 2, cpuModel: 'cpu', os: 'linux', node: 'v20' },
      startedAt: '2025-01-01T00:00:00.000Z',
      processes: [
        {
          pid: 0,
          name: 'MainProcess',
          parent: null,
          startMethod: null,
          osPid: 1,
          startUs: 0,
          endUs: 10,
          exitCode: 0,
          signal: null,
          cpuUs: 5,
        },
      ],
      events: VALID_EVENTS.map((e) => ({ ...e, pid: 0 })) as never,
      cpu: VALID_CPU as never,
      threadCpu: VALID_THREAD_CPU.map((s) => ({ ...s, pid: 0 })) as never,
      outcome: { status: 'finished', message: 'ok', wallUs: 10, deadlock: null, hang: null },
      final: [],
      objects: [],
      result: {},
    },
    'fine',
    { name: 'Interleave', version: '0.1.0', electron: null },
  )
  /** What the schema alone would say, formatted as the reader does. */
  const json = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
  const refusal = (data: unknown): string => {
    try {
      parseRecording(data)
      return 'accepted'
    } catch (e) {
      if (e instanceof RecordingError) return e.message
      throw e
    }
  }
  /**
   * Whether the reader refuses `data`, having checked that it says the same as the schema alone (the
   * fast check out of the way: a top level JSON does not make skips it), and reads the same when not.
   */
  const refusedAsBySchema = (data: object): boolean => {
    const unchecked = Object.assign(Object.create(null) as object, data)
    const got = refusal(data)
    expect(got).toBe(refusal(unchecked))
    if (got === 'accepted') expect(parseRecording(data)).toEqual(parseRecording(unchecked))
    return got !== 'accepted'
  }

  it('leaves an op’s state with an own __proto__ key to the schema, which reads it without that key', () => {
    const data = json(recording) as typeof recording
    const op = data.record.events[7] as { after: Record<string, unknown> }
    op.after = JSON.parse('{"owner": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>
    expect(longArraysFit(data.record as never, resultFits)).toBe(false)
    const read = parseRecording(data).record.events[7] as { after: Record<string, unknown> }
    expect(Object.keys(read.after)).toEqual(['owner'])
    expect(Object.getPrototypeOf(read.after)).toBe(Object.prototype)
  })

  it('reads what fits, with the long arrays as they were parsed and the rest as the schema returns it', () => {
    const data = json(recording) as typeof recording
    const read = parseRecording(data)
    expect(read).toEqual(recording)
    expect(read.record.events).toBe(data.record.events)
    expect(recordingSchema.parse(data)).toEqual(read)
  })

  it('refuses what does not, with the schema’s message and place', () => {
    const broken = (change: (r: typeof recording) => void): unknown => {
      const copy = json(recording) as typeof recording
      change(copy)
      return copy
    }
    const cases: [unknown, RegExp][] = [
      [
        broken((r) => ((r.record.events[3] as { line: number }).line = -1)),
        /record\.events\[3\]\.line: Too small/,
      ],
      [
        broken((r) => ((r.record.events[0] as { tUs: unknown }).tUs = 'soon')),
        /record\.events\[0\]\.tUs: Invalid input/,
      ],
      [
        broken((r) => Object.assign(r.record.events[5], { extra: 1 })),
        /record\.events\[5\]: Unrecognized key: "extra"/,
      ],
      [broken((r) => (r.record.cpu[0].corePct[1] = 101)), /record\.cpu\[0\]\.corePct\[1\]: Too big/],
      [broken((r) => (r.record.threadCpu[2].core = 4097)), /record\.threadCpu\[2\]\.core: Too big/],
      [broken((r) => (r.record.machine.cores = 0)), /record\.machine\.cores: Too small/],
      [broken((r) => (r.verdict = 'x'.repeat(LIMITS.text + 1))), /verdict: Too big/],
    ]
    for (const [data, message] of cases) {
      const got = refusal(data)
      expect(got).toMatch(/^This recording is damaged: /)
      expect(got).toMatch(message)
    }
  })

  it('fuzz: mutated recordings get the same verdict and message as from the schema alone', () => {
    const text = JSON.stringify(recording)
    const random = generator(2024)
    const hostile: unknown[] = [
      null,
      -1,
      0.5,
      1e308,
      2 ** 53,
      '',
      'x'.repeat(1001),
      [],
      {},
      true,
      'state',
      'op',
    ]
    let refused = 0
    for (let round = 0; round < 3000; round++) {
      const copy = JSON.parse(text) as Record<string, unknown>
      // Mostly somewhere in the long arrays, where the fast check works; sometimes anywhere.
      let node = copy
      if (random(4) > 0) {
        const record = copy.record as Record<string, unknown[]>
        const array = record[['events', 'cpu', 'threadCpu'][random(3)]]
        node = array[random(array.length)] as Record<string, unknown>
      }
      for (let depth = 0; depth < 4; depth++) {
        const keys = Object.keys(node)
        if (keys.length === 0) break
        const key = random(10) === 0 ? 'extra' : keys[random(keys.length)]
        const child = node[key]
        if (typeof child !== 'object' || child === null || random(3) === 0) {
          if (random(4) === 0) delete node[key]
          else node[key] = hostile[random(hostile.length)]
          break
        }
        node = child as Record<string, unknown>
      }
      if (refusedAsBySchema(json(copy) as object)) refused++
    }
    expect(refused).toBeGreaterThan(1500)
    expect(refused).toBeLessThan(3000)
  })

  it('reads version 2 (the events as columns) as the same recording, compact or not; version 1 too', () => {
    const columns = json(recordingFileValue(recording)) as { version: number; record: { events: unknown } }
    expect(columns.version).toBe(2)
    expect(Array.isArray(columns.record.events)).toBe(false)
    expect(parseRecording(columns)).toEqual(recording)
    const compact = parseRecording(columns, { compact: true })
    expect(eventTableOf(compact.record)?.length).toBe(recording.record.events.length)
    expect(compact).toEqual(recording)
    const version1 = parseRecording(json({ ...recording, version: 1 }), { compact: true })
    expect(version1.record.events).toEqual(recording.record.events)
    // Saved again (version 2) and read back: the same events, from either.
    for (const read of [compact, version1]) {
      expect(parseRecording(JSON.parse(recordingText(read))).record).toEqual(recording.record)
    }
  })

  it('refuses broken columns, saying where in the file', () => {
    type Columns = Record<string, unknown[]> & Record<string, Record<string, unknown[]>>
    const broken = (change: (events: Columns) => void): unknown => {
      const copy = json(recordingFileValue(recording)) as { record: { events: Columns } }
      change(copy.record.events)
      return copy
    }
    const nameId = (events: Columns): number => (events.strings as string[]).indexOf('MainThread')
    const cases: [unknown, RegExp][] = [
      [broken((c) => (c.tUs[0] = 'soon')), /record\.events\.tUs\[0\]: Invalid input/],
      [broken((c) => (c.type[1] = 9)), /record\.events\.type\[1\]: Too big/],
      [broken((c) => (c.strings[0] = 5)), /record\.events\.strings\[0\]: Invalid input/],
      [broken((c) => (c.state.line[0] = -1)), /record\.events\.state\.line\[0\]: Too small/],
      [broken((c) => (c.op.extra = [])), /record\.events\.op: Unrecognized key: "extra"/],
      [broken((c) => c.pid.pop()), /record\.events\.pid: \d+ entries for \d+ events/],
      [broken((c) => c.state.obj.pop()), /record\.events\.state\.obj: \d+ entries for \d+ state events/],
      [
        broken((c) => (c.op.op[0] = nameId(c))),
        /record\.events\.op\.op\[0\]: "MainThread" is not an operation/,
      ],
      [broken((c) => (c.op.after[1] = 99)), /record\.events\.op\.after\[1\]: refers to no state \(99\)/],
      [broken((c) => (c.print.text[0] = -1)), /record\.events\.print\.text\[0\]: refers to no string \(-1\)/],
      [
        broken((c) => {
          c.strings.push('x'.repeat(LIMITS.name + 1))
          c['thread-start'].name[0] = c.strings.length - 1
        }),
        /record\.events\.thread-start\.name\[0\]: the string it refers to is longer than 1000 characters/,
      ],
      [broken((c) => (c.pid[2] = 7)), /record\.events\[2\] belongs to process 7/],
    ]
    for (const [data, message] of cases) {
      const got = refusal(data)
      expect(got).toMatch(/^This recording is damaged: /)
      expect(got).toMatch(message)
    }
  })

  it('fuzz: mutated columns get the same verdict and message as from the schema alone', () => {
    const text = recordingText(recording)
    const random = generator(2025)
    const hostile: unknown[] = [
      null,
      -1,
      0,
      1,
      3,
      0.5,
      1e308,
      2 ** 53,
      '',
      'x'.repeat(1001),
      [],
      {},
      true,
      'op',
    ]
    let refused = 0
    for (let round = 0; round < 2000; round++) {
      const copy = JSON.parse(text) as { record: { events: Record<string, unknown> } }
      let node = copy.record.events
      for (let depth = 0; depth < 3; depth++) {
        const keys = Object.keys(node)
        if (keys.length === 0) break
        const key = random(20) === 0 ? 'extra' : keys[random(keys.length)]
        const child = node[key]
        if (Array.isArray(child) && child.length > 0 && random(8) > 0) {
          // Most often one entry of a column.
          const i = random(child.length)
          if (random(10) === 0) child.splice(i, 1)
          else child[i] = hostile[random(hostile.length)]
          break
        }
        if (typeof child !== 'object' || child === null || random(4) === 0) {
          if (random(4) === 0) delete node[key]
          else node[key] = hostile[random(hostile.length)]
          break
        }
        node = child as Record<string, unknown>
      }
      if (refusedAsBySchema(json(copy) as object)) refused++
    }
    expect(refused).toBeGreaterThan(1000)
    expect(refused).toBeLessThan(2000)
  })
})
