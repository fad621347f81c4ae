/**
 * Seeded generators of bad requests, for the fuzz tests of the backend's two front doors: Electron
 * IPC (src/main/ipcFuzz.test.ts) and browser mode's socket (src/server/fuzz.test.ts). For each request
 * a page may make, a bad set of its arguments, in the order IPC passes them (the socket test names them
 * by REQUEST_FIELDS): wrong types for every field, missing and extra fields, huge strings, arrays and
 * objects, deep nesting, `__proto__` keys, numbers out of range, NaN, -0...
 *
 * What a transport can carry differs (structured clone carries Maps and Dates, JSON neither; IPC takes
 * megabytes, the socket 256 KB a frame), so each test gives its own pool of values and its own huge
 * ones (FuzzValues). A failing case is named by its seed: the same seed makes the same cases.
 */
import { expect, vi, type MockInstance } from 'vitest'
import { refusals } from '../../src/engine/refusalLog'
import { IPC } from '../../src/shared/protocol'
import type { REQUEST_FIELDS } from '../../src/shared/requestSchema'
import { mulberry32 } from './random'

export class Rng {
  private readonly next: () => number

  constructor(seed: number) {
    this.next = mulberry32(seed)
  }

  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  chance(p: number): boolean {
    return this.next() < p
  }
}

/** FNV-1a: each channel its own stream of cases from one seed. */
export function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A bad request: its arguments, and whether they cross by a clone (huge ones are handed over as they are). */
export interface Case {
  args: unknown[]
  clone: boolean
}

export function nested(depth: number): unknown {
  let value: unknown = { polluted: true }
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value }
  return value
}

/** Sets a field as an own data property, whatever its name (`__proto__` too, as JSON.parse makes it). */
export function withField<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return target
}

export const polluter = (): unknown =>
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')

/**
 * Values JSON says as they are: primitives (-0 too, for an encoder that writes it; NaN and the
 * infinities become null), plain objects and arrays. `wrong` picks from those not of the kind asked.
 */
export const JSON_POOL: readonly (() => unknown)[] = [
  () => undefined,
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -0,
  () => 1,
  () => -1,
  () => 2.5,
  () => NaN,
  () => Infinity,
  () => -Infinity,
  () => 2 ** 53,
  () => Number.MAX_VALUE,
  () => '',
  () => 'x',
  () => '0',
  () => 'true',
  () => '__proto__',
  () => 'é\u0000\n\u202e',
  () => [],
  () => [1, 'a', null],
  () => ({}),
  () => ({ a: 1 }),
  polluter,
  () => nested(300),
]

/**
 * JSON's values and those only structured clone carries, as Electron IPC does. (JSON would turn most
 * of these into valid values: a Map into `{}`, a boxed false into false.)
 */
export const CLONE_POOL: readonly (() => unknown)[] = [
  ...JSON_POOL,
  () => 10n,
  () => new Map([[1, 2]]),
  () => new Set([1]),
  () => new Date(0),
  () => /x/g,
  () => new Uint8Array(4),
  () => new ArrayBuffer(8),
  () => new Error('boom'),
  () => new Boolean(false),
  () => new String('s'),
  () => new Number(1),
]

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array'

const isPlain = (v: unknown): boolean =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype
const ofKind: Record<Kind, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  object: isPlain,
  array: Array.isArray,
}

export const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'a',
  '',
  'x'.repeat(1000),
]

// Valid requests, each made afresh: a case changes one.
export const smallRace = (): Record<string, unknown> => ({
  scenario: 'race-counter',
  params: { threads: 2, iterations: 50 },
  options: { gil: true, speed: 1 },
})

/** Names no channel of IPC, nor any request type of the socket, has. */
const UNKNOWN_CHANNELS = [
  'run:start ',
  'RUN:START',
  'run:starts',
  IPC.runStream,
  IPC.recordingOpen,
  IPC.batchStream,
  'api:reply',
  'api:error',
  '',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'x'.repeat(10_000),
  'a\nb',
]

/** What a transport carries: its pool of values, and values too large for any field. */
export interface FuzzValues {
  pool: readonly (() => unknown)[]
  /** Huge values of every kind (a string, an array, an object of many keys, deep nesting). */
  huge: readonly unknown[]
  hugeString: string
  /** A schedule as long as the transport takes whose last step is bad. */
  badAtEnd: readonly number[]
}

/** Values too large for any field, of these sizes, with `pool`. */
export function fuzzValues(
  pool: readonly (() => unknown)[],
  size: { chars: number; items: number; keys: number; depth: number },
): FuzzValues {
  const hugeString = 'x'.repeat(size.chars)
  return {
    pool,
    hugeString,
    huge: [
      hugeString,
      // -1s: too long for any list that takes no more than items - 1, and no item of it is valid either.
      new Array<number>(size.items).fill(-1),
      Object.fromEntries(Array.from({ length: size.keys }, (_, i) => [`k${i}`, i])),
      nested(size.depth),
    ],
    badAtEnd: Array.from({ length: size.items - 1 }, (_, i) => (i === size.items - 2 ? -1 : 0)),
  }
}

/** The seed of every fuzz test (FUZZ_SEED=<n> to try another), and the cases each generator makes. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 0x1e7e_a5e5)
export const FUZZ_CASES = 300

/** One stream of bad requests. */
export class Fuzz {
  constructor(
    readonly rng: Rng,
    readonly values: FuzzValues,
  ) {}

  /** A value that is not of `kind` (nor undefined, for a field that may be left out). */
  wrong(kind: Kind, optional = false): unknown {
    for (;;) {
      const value = this.rng.pick(this.values.pool)()
      if (ofKind[kind](value) || (optional && value === undefined)) continue
      return value
    }
  }

  /** Any value, sometimes a nested one. */
  anyValue(depth = 0): unknown {
    const rng = this.rng
    if (depth < 3 && rng.chance(0.2)) {
      const items = Array.from({ length: rng.int(4) }, () => this.anyValue(depth + 1))
      if (rng.chance(0.5)) return items
      const object = {}
      for (const item of items) withField(object, rng.pick(ODD_KEYS), item)
      return object
    }
    return rng.pick(this.values.pool)()
  }

  huge(): unknown {
    return this.rng.pick(this.values.huge)
  }

  /** A channel (a request type) nobody answers. */
  unknownChannel(): string {
    const name = this.rng.pick(UNKNOWN_CHANNELS)
    return this.rng.chance(0.5) ? name : `${name}${this.rng.int(1000)}`
  }

  /** Ids no run or batch can have: wrong type, empty, too long, or odd characters. */
  badId(): Case {
    const rng = this.rng
    if (rng.chance(0.03)) return { args: [this.values.hugeString], clone: false }
    if (rng.chance(0.4)) return { args: [this.wrong('string')], clone: true }
    return {
      args: [
        rng.pick([
          '',
          'x'.repeat(65),
          'run 1',
          'run/1',
          '../etc/passwd',
          '-run-1',
          '_run',
          'run-1\n',
          'rün-1',
          'run-1\u0000',
          '__proto__',
        ]),
      ],
      clone: true,
    }
  }

  /** Too few arguments, or more than the channel takes. */
  badCount(valid: unknown[]): Case {
    const rng = this.rng
    if (valid.length > 0 && rng.chance(0.5))
      return { args: valid.slice(0, rng.int(valid.length)), clone: true }
    const extra = Array.from({ length: 1 + rng.int(3) }, () => this.anyValue())
    return { args: [...valid, ...extra], clone: true }
  }

  /** A run request with one thing (at least) wrong. */
  badRunRequest(): { value: unknown; clone: boolean } {
    const rng = this.rng
    const r = smallRace() as {
      [k: string]: unknown
      params: Record<string, unknown>
      options: Record<string, unknown>
    }
    switch (rng.int(17)) {
      case 0:
        return { value: this.wrong('object'), clone: true }
      case 1:
        delete r.scenario
        break
      case 2:
        r.scenario = this.wrong('string')
        break
      case 3:
        r.scenario = rng.pick([
          '',
          'Race-Counter',
          'no-such-lesson',
          '../race-counter',
          'race counter',
          '__proto__',
          'x'.repeat(65),
        ])
        break
      case 4:
        r.params = this.wrong('object', true) as Record<string, unknown>
        break
      case 5:
        withField(
          r.params,
          rng.pick([
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            '',
            'a b',
            'x'.repeat(65),
            'nope',
            '1abc',
            'threads\n',
            'ä',
          ]),
          2,
        )
        break
      case 6:
        r.params.threads = rng.pick<unknown>([
          NaN,
          Infinity,
          -Infinity,
          -0,
          null,
          true,
          {},
          [],
          [2],
          10n,
          new Date(0),
          'x'.repeat(201),
          '',
          'two',
          polluter(),
        ])
        break
      case 7:
        r.params.threads = rng.pick([-1, 0, 1, 17, 1e6, 2.5, 1e308])
        break
      case 8:
        for (let i = 0; i < 65; i++) r.params[`p${i}`] = i
        break
      case 9:
        r.options = this.wrong('object', true) as Record<string, unknown>
        break
      case 10:
        withField(
          r.options,
          rng.pick(['limits', 'evil', '__proto__', 'constructor', 'GIL', 'prototype']),
          this.anyValue(),
        )
        break
      case 11:
        r.options[rng.pick(['gil', 'trace', 'step'])] = this.wrong('boolean', true)
        break
      case 12: {
        const field = rng.pick(['timeoutS', 'speed', 'switchIntervalMs', 'hangAfterS'])
        // Some pass the schemas' sanity bounds and are refused by the engine's (Run's) ranges.
        const bad: Record<string, readonly number[]> = {
          timeoutS: [NaN, Infinity, -Infinity, -0, 0, -5, 3601, 1e7],
          hangAfterS: [NaN, Infinity, -Infinity, -0, -1, 3601, 1e7],
          speed: [NaN, Infinity, -Infinity, -0, 0, -1, 101, 1e7, Number.MAX_VALUE, -Number.MIN_VALUE],
          switchIntervalMs: [NaN, Infinity, -Infinity, -0, 0, -5, 0.05, 1001, 1e7, Number.MAX_VALUE],
        }
        r.options[field] = rng.chance(0.5) ? this.wrong('number', true) : rng.pick(bad[field] ?? [])
        break
      }
      case 13:
        r.options.step = true
        r.options.schedule = rng.chance(0.3)
          ? this.wrong('array', true)
          : rng.pick<unknown[]>([[0, -1], [0, 2.5], [NaN], [2 ** 41], ['1'], [0, , 1], [-0], [null], [0, {}]]) // eslint-disable-line no-sparse-arrays
        break
      case 14:
        withField(
          r,
          rng.pick(['extra', '__proto__', 'constructor', 'prototype', 'toString', 'runs', 'x'.repeat(1000)]),
          this.anyValue(),
        )
        break
      case 15: {
        // Something huge where anything is: not cloned (see FuzzValues.huge).
        const huge = rng.chance(0.2) ? this.values.badAtEnd : this.huge()
        const where = rng.int(5)
        if (where === 0) r.scenario = huge
        else if (where === 1) r.params = huge as Record<string, unknown>
        else if (where === 2) r.params.threads = huge
        else if (where === 3) r.options = { step: true, schedule: huge }
        else withField(r, 'extra', huge)
        return { value: r, clone: false }
      }
      default:
        r[rng.pick(['scenario', 'params', 'options'])] = nested(200 + rng.int(300))
    }
    return { value: r, clone: true }
  }

  badBatchRequest(): { value: unknown; clone: boolean } {
    const rng = this.rng
    const b: Record<string, unknown> = { run: smallRace(), runs: 2 }
    switch (rng.int(7)) {
      case 0:
        return { value: this.wrong('object'), clone: true }
      case 1:
        b.runs = rng.chance(0.5)
          ? this.wrong('number')
          : rng.pick([0, -1, 1001, 2.5, NaN, -0, Infinity, -Infinity, 1e9])
        break
      case 2:
        delete b[rng.pick(['run', 'runs'])]
        break
      case 3:
        withField(b, rng.pick(['extra', '__proto__', 'constructor', 'scenario']), this.anyValue())
        break
      case 4:
        b.run = this.huge()
        return { value: b, clone: false }
      default: {
        const run = this.badRunRequest()
        b.run = run.value
        return { value: b, clone: run.clone }
      }
    }
    return { value: b, clone: true }
  }

  badCommand(): unknown {
    const rng = this.rng
    switch (rng.int(7)) {
      case 0:
        return this.wrong('object')
      case 1:
        return {
          type: rng.chance(0.5) ? this.wrong('string') : rng.pick(['kill', 'PAUSE', 'stop', '', '__proto__']),
        }
      case 2:
        return { type: 'step' }
      case 3:
        return { type: 'step', key: rng.pick<unknown>([-1, 2.5, NaN, '1', 2 ** 41, -0, Infinity, null, 10n]) }
      case 4:
        return withField({ type: rng.pick(['pause', 'resume']) }, rng.pick(['key', 'extra', '__proto__']), 1)
      case 5:
        return withField({ type: 'step', key: 1 }, rng.pick(['extra', '__proto__', 'constructor']), 1)
      default:
        return polluter()
    }
  }
}

/**
 * Every request a page may make (by its IPC channel), with a generator of bad arguments for it. Each
 * case is refused: by the schemas, or by the backend (a command for a run the page does not have).
 */
export const CHANNEL_CASES: Record<keyof typeof REQUEST_FIELDS, (fuzz: Fuzz) => Case> = {
  [IPC.scenariosList]: (f) => (f.rng.chance(0.05) ? { args: [f.huge()], clone: false } : f.badCount([])),
  [IPC.playerTemplate]: (f) => (f.rng.chance(0.05) ? { args: [f.huge()], clone: false } : f.badCount([])),
  [IPC.runStart]: (f) => {
    if (f.rng.chance(0.1)) return f.badCount([smallRace()])
    const { value, clone } = f.badRunRequest()
    return { args: [value], clone }
  },
  [IPC.runStop]: (f) => (f.rng.chance(0.15) ? f.badCount(['run-1-1']) : f.badId()),
  [IPC.runControl]: (f) => {
    const r = f.rng.int(10)
    if (r === 0) return f.badCount(['run-1-1', { type: 'pause' }])
    if (r < 4) {
      const id = f.badId()
      return { args: [...id.args, { type: 'pause' }], clone: id.clone }
    }
    // A well-formed command for a run this page does not have is refused too.
    if (r === 4)
      return { args: ['run-1-1', f.rng.pick([{ type: 'pause' }, { type: 'step', key: 3 }])], clone: true }
    return { args: ['run-1-1', f.badCommand()], clone: true }
  },
  [IPC.batchStart]: (f) => {
    if (f.rng.chance(0.1)) return f.badCount([{ run: smallRace(), runs: 2 }])
    const { value, clone } = f.badBatchRequest()
    return { args: [value], clone }
  },
  [IPC.batchCancel]: (f) => (f.rng.chance(0.15) ? f.badCount(['batch-1-1']) : f.badId()),
  [IPC.batchRun]: (f) => {
    const r = f.rng.int(10)
    if (r === 0) return f.badCount(['batch-1-1', 0])
    if (r < 4) {
      const id = f.badId()
      return { args: [...id.args, 0], clone: id.clone }
    }
    // Well formed, but this page has no such batch.
    if (r === 4) return { args: ['batch-1-1', f.rng.int(1000)], clone: true }
    const run = f.rng.chance(0.4)
      ? f.wrong('number')
      : f.rng.pick([-1, 1000, 1e9, 2.5, NaN, -0, Infinity, -Infinity])
    return { args: ['batch-1-1', run], clone: true }
  },
}

/** Property names of the prototypes a payload could try to pollute. */
function prototypeShape(): string[][] {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  )
}

/**
 * What a fuzz must not do besides being refused: pollute a prototype, raise an unhandled rejection, or
 * write more than the refusal log's lines a second. `start` in beforeAll, `stop` in afterAll.
 */
export class FuzzWatch {
  private readonly prototypes = prototypeShape()
  private readonly unhandled: unknown[] = []
  private readonly onUnhandled = (reason: unknown): void => void this.unhandled.push(reason)
  private started = 0
  /** Every refusal the log was told of, written or counted. */
  refused!: MockInstance<typeof refusals.refused>
  private warned!: MockInstance<typeof console.warn>

  start(): void {
    process.on('unhandledRejection', this.onUnhandled)
    this.refused = vi.spyOn(refusals, 'refused')
    this.warned = vi.spyOn(console, 'warn').mockImplementation(() => {})
    this.started = performance.now()
  }

  stop(): void {
    process.off('unhandledRejection', this.onUnhandled)
    this.refused?.mockRestore()
    this.warned?.mockRestore()
  }

  /** The prototypes are as they were, nothing was unhandled, and at least `refusals` were logged, briefly. */
  async expectNoHarm(refusals: number): Promise<void> {
    expect(prototypeShape()).toEqual(this.prototypes)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined()
    expect(this.unhandled).toEqual([])
    // Thousands of refusals, each seen by the log; what it wrote is at most 10 lines a second, and a
    // count of the rest.
    expect(this.refused.mock.calls.length).toBeGreaterThan(refusals)
    const seconds = Math.ceil((performance.now() - this.started) / 1000) + 1
    expect(this.warned.mock.calls.length).toBeLessThanOrEqual(seconds * 11)
    // The count of the rest is written once its second is over (the fuzz may take less than one).
    await vi.waitFor(
      () =>
        expect(
          this.warned.mock.calls.some(([line]) => /more refused messages were not logged/.test(String(line))),
        ).toBe(true),
      { timeout: 2000 },
    )
  }
}
