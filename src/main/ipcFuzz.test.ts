/**
 * Fuzzed IPC against main's real handlers, through the fake Electron (which structured-clones as
 * Electron does): for every channel, a few hundred generated bad messages (wrong types for every
 * field, missing and extra fields, strings of megabytes and arrays of a million elements, deep
 * nesting, `__proto__` keys, numbers out of range, NaN, -0, Maps, Dates...), messages on channels
 * nobody listens on, and good messages from senders that are not the app's page. Each must be refused
 * (an answer `{ ok: false }`, never a throw, never an unhandled rejection) and logged once; no process
 * may start; Object.prototype must stay as it was; and afterwards the app still works: a real run
 * and a real batch through the same channels, with the answers' shapes the preload reads
 * (src/preload/*.test.ts check the other side of them).
 *
 * The generator is seeded (FUZZ_SEED=<n> to try another seed): a failure names its seed and case.
 */
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest'
import type { ProcessLauncher } from '../engine/launcher'
import { localLauncher } from '../engine/localLauncher'
import type { BatchStreamMessage } from '../shared/batch'
import { IPC, type RunStreamMessage } from '../shared/protocol'
import {
  app,
  BrowserWindow,
  fake,
  type FakeIpcEvent,
  type FakeMessagePortMain,
  type FakeWebContents,
} from '../../tests/fakes/electron'
import { CountingLauncher } from '../../tests/support/countingLauncher'
import { createMainWindow, registerIpc } from './index'
import { appPageFile } from './ipcGuard'
import { refusals } from './log'
import type { Runs } from './runs'

const SEED = Number(process.env.FUZZ_SEED ?? 0x1e7e_a5e5)
const CASES = 300

/** mulberry32: a small seeded generator, so that a failing case comes back with its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

class Rng {
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
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** A bad message: its arguments, and whether they cross by a clone (huge ones are handed over as they are). */
interface Case {
  args: unknown[]
  clone: boolean
}

// Huge values, made once and handed over without a clone: cloning each would only cost time, and a
// clone of plain data is the same data.
const HUGE_STRING = 'x'.repeat(8 * 1024 * 1024)
/** A million and one -1s: too long for any list, and no item of it is valid either. */
const HUGE_ARRAY: number[] = new Array<number>(1_000_001).fill(-1)
/** A schedule of exactly the longest length whose last step is bad. */
const BAD_AT_END: number[] = Array.from({ length: 1_000_000 }, (_, i) => (i === 999_999 ? -1 : 0))
const MANY_KEYS: Record<string, number> = Object.fromEntries(
  Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]),
)
const DEEPEST = nested(100_000)
const HUGE: readonly unknown[] = [HUGE_STRING, HUGE_ARRAY, MANY_KEYS, DEEPEST]

function nested(depth: number): unknown {
  let value: unknown = { polluted: true }
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value }
  return value
}

/** Sets a field as an own data property, whatever its name (`__proto__` too, as JSON.parse makes it). */
function withField<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  return target
}

const polluter = (): unknown =>
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')

/** Values of every kind structured clone carries; `wrong` picks from those not of the kind asked. */
const POOL: readonly (() => unknown)[] = [
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
  () => 10n,
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
  () => nested(300),
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

/** A value that is not of `kind` (nor undefined, for a field that may be left out). */
function wrong(rng: Rng, kind: Kind, optional = false): unknown {
  for (;;) {
    const value = rng.pick(POOL)()
    if (ofKind[kind](value) || (optional && value === undefined)) continue
    return value
  }
}

/** Any value, sometimes a nested one. */
function anyValue(rng: Rng, depth = 0): unknown {
  if (depth < 3 && rng.chance(0.2)) {
    const items = Array.from({ length: rng.int(4) }, () => anyValue(rng, depth + 1))
    if (rng.chance(0.5)) return items
    const object = {}
    for (const item of items) withField(object, rng.pick(ODD_KEYS), item)
    return object
  }
  return rng.pick(POOL)()
}

const ODD_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'a',
  '',
  'x'.repeat(1000),
]

// Valid messages, each made afresh: a case changes one.
const smallRace = (): Record<string, unknown> => ({
  scenario: 'race-counter',
  params: { threads: 2, iterations: 50 },
  options: { gil: true, speed: 1 },
})
const deadlock = { scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } }

/** Ids no run or batch can have: wrong type, empty, too long, or odd characters. */
function badId(rng: Rng): Case {
  if (rng.chance(0.03)) return { args: [HUGE_STRING], clone: false }
  if (rng.chance(0.4)) return { args: [wrong(rng, 'string')], clone: true }
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
function badCount(rng: Rng, valid: unknown[]): Case {
  if (valid.length > 0 && rng.chance(0.5)) return { args: valid.slice(0, rng.int(valid.length)), clone: true }
  const extra = Array.from({ length: 1 + rng.int(3) }, () => anyValue(rng))
  return { args: [...valid, ...extra], clone: true }
}

/** A run request with one thing (at least) wrong. */
function badRunRequest(rng: Rng): { value: unknown; clone: boolean } {
  const r = smallRace() as {
    [k: string]: unknown
    params: Record<string, unknown>
    options: Record<string, unknown>
  }
  switch (rng.int(17)) {
    case 0:
      return { value: wrong(rng, 'object'), clone: true }
    case 1:
      delete r.scenario
      break
    case 2:
      r.scenario = wrong(rng, 'string')
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
      r.params = wrong(rng, 'object', true) as Record<string, unknown>
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
      r.options = wrong(rng, 'object', true) as Record<string, unknown>
      break
    case 10:
      withField(
        r.options,
        rng.pick(['limits', 'evil', '__proto__', 'constructor', 'GIL', 'prototype']),
        anyValue(rng),
      )
      break
    case 11:
      r.options[rng.pick(['gil', 'trace', 'step'])] = wrong(rng, 'boolean', true)
      break
    case 12: {
      const field = rng.pick(['timeoutS', 'speed', 'switchIntervalMs', 'hangAfterS'])
      const bad: Record<string, readonly number[]> = {
        timeoutS: [NaN, Infinity, -Infinity, -0, 0, -5, 3601, 1e7],
        hangAfterS: [NaN, Infinity, -Infinity, -0, -1, 3601, 1e7],
        speed: [NaN, Infinity, -Infinity, -0, 0, -1, 101, 1e7, Number.MAX_VALUE, -Number.MIN_VALUE],
        switchIntervalMs: [NaN, Infinity, -Infinity, -0, 0, -5, 1e7, Number.MAX_VALUE],
      }
      r.options[field] = rng.chance(0.5) ? wrong(rng, 'number', true) : rng.pick(bad[field] ?? [])
      break
    }
    case 13:
      r.options.step = true
      r.options.schedule = rng.chance(0.3)
        ? wrong(rng, 'array', true)
        : rng.pick<unknown[]>([[0, -1], [0, 2.5], [NaN], [2 ** 41], ['1'], [0, , 1], [-0], [null], [0, {}]]) // eslint-disable-line no-sparse-arrays
      break
    case 14:
      withField(
        r,
        rng.pick(['extra', '__proto__', 'constructor', 'prototype', 'toString', 'runs', 'x'.repeat(1000)]),
        anyValue(rng),
      )
      break
    case 15: {
      // Something huge where anything is: not cloned (see HUGE).
      const huge = rng.chance(0.2) ? BAD_AT_END : rng.pick(HUGE)
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

function badBatchRequest(rng: Rng): { value: unknown; clone: boolean } {
  const b: Record<string, unknown> = { run: smallRace(), runs: 2 }
  switch (rng.int(7)) {
    case 0:
      return { value: wrong(rng, 'object'), clone: true }
    case 1:
      b.runs = rng.chance(0.5)
        ? wrong(rng, 'number')
        : rng.pick([0, -1, 1001, 2.5, NaN, -0, Infinity, -Infinity, 1e9])
      break
    case 2:
      delete b[rng.pick(['run', 'runs'])]
      break
    case 3:
      withField(b, rng.pick(['extra', '__proto__', 'constructor', 'scenario']), anyValue(rng))
      break
    case 4:
      b.run = rng.pick(HUGE)
      return { value: b, clone: false }
    default: {
      const run = badRunRequest(rng)
      b.run = run.value
      return { value: b, clone: run.clone }
    }
  }
  return { value: b, clone: true }
}

function badCommand(rng: Rng): unknown {
  switch (rng.int(7)) {
    case 0:
      return wrong(rng, 'object')
    case 1:
      return {
        type: rng.chance(0.5) ? wrong(rng, 'string') : rng.pick(['kill', 'PAUSE', 'stop', '', '__proto__']),
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

/** Every channel main answers, with generators of bad arguments for it. */
const INVOKE_FUZZ: Record<string, (rng: Rng) => Case> = {
  [IPC.scenariosList]: (rng) =>
    rng.chance(0.05) ? { args: [rng.pick(HUGE)], clone: false } : badCount(rng, []),
  [IPC.playerTemplate]: (rng) =>
    rng.chance(0.05) ? { args: [rng.pick(HUGE)], clone: false } : badCount(rng, []),
  [IPC.runStart]: (rng) => {
    if (rng.chance(0.1)) return badCount(rng, [smallRace()])
    const { value, clone } = badRunRequest(rng)
    return { args: [value], clone }
  },
  [IPC.runStop]: (rng) => (rng.chance(0.15) ? badCount(rng, ['run-1-1']) : badId(rng)),
  [IPC.runControl]: (rng) => {
    const r = rng.int(10)
    if (r === 0) return badCount(rng, ['run-1-1', { type: 'pause' }])
    if (r < 4) {
      const id = badId(rng)
      return { args: [...id.args, { type: 'pause' }], clone: id.clone }
    }
    // A well-formed command for a run this window does not have is refused too.
    if (r === 4)
      return { args: ['run-1-1', rng.pick([{ type: 'pause' }, { type: 'step', key: 3 }])], clone: true }
    return { args: ['run-1-1', badCommand(rng)], clone: true }
  },
  [IPC.batchStart]: (rng) => {
    if (rng.chance(0.1)) return badCount(rng, [{ run: smallRace(), runs: 2 }])
    const { value, clone } = badBatchRequest(rng)
    return { args: [value], clone }
  },
  [IPC.batchCancel]: (rng) => (rng.chance(0.15) ? badCount(rng, ['batch-1-1']) : badId(rng)),
  [IPC.batchRun]: (rng) => {
    const r = rng.int(10)
    if (r === 0) return badCount(rng, ['batch-1-1', 0])
    if (r < 4) {
      const id = badId(rng)
      return { args: [...id.args, 0], clone: id.clone }
    }
    // Well formed, but this window has no such batch.
    if (r === 4) return { args: ['batch-1-1', rng.int(1000)], clone: true }
    const run = rng.chance(0.4)
      ? wrong(rng, 'number')
      : rng.pick([-1, 1000, 1e9, 2.5, NaN, -0, Infinity, -Infinity])
    return { args: ['batch-1-1', run], clone: true }
  },
}

/** Property names of the prototypes a payload could try to pollute. */
function prototypeShape(): string[][] {
  return [Object.prototype, Array.prototype, Function.prototype].map((p) =>
    Reflect.ownKeys(p).map(String).sort(),
  )
}

describe('IPC under fuzzed messages', () => {
  const shapeBefore = prototypeShape()
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason)
  let launcher: CountingLauncher
  let runs: Runs
  let contents: FakeWebContents
  let port: FakeMessagePortMain
  let heard: RunStreamMessage[] = []
  let refused: MockInstance<typeof refusals.refused>
  let warned: MockInstance<typeof console.warn>
  let started = 0
  let templateAnswer: unknown

  const appEvent = (): FakeIpcEvent => fake.eventFrom(contents)
  const invoke = (channel: string, args: unknown[], clone = true, event: FakeIpcEvent = appEvent()) =>
    fake.invokeFrom(event, channel, args, { clone })

  /** Main's answer to a bad message: refused, with a message, and logged once. */
  async function expectRefused(channel: string, c: Case, label: string, event = appEvent()): Promise<string> {
    const before = refused.mock.calls.length
    const reply = (await invoke(channel, c.args, c.clone, event)) as { ok: boolean; message: string }
    expect(reply, label).toEqual({ ok: false, message: expect.any(String) })
    expect(reply.message.length, label).toBeGreaterThan(0)
    expect(reply.message.length, label).toBeLessThanOrEqual(1003)
    expect(refused.mock.calls.length - before, `${label}: logged once`).toBe(1)
    expect(refused.mock.lastCall?.[0], label).toBe(channel)
    return reply.message
  }

  function connect(): FakeMessagePortMain {
    fake.sendToMain(IPC.runConnect, contents)
    const posted = contents.posted.at(-1)
    if (posted?.channel !== IPC.runStream || posted.ports.length !== 1)
      throw new Error('no port for the page')
    const next = posted.ports[0] as FakeMessagePortMain
    heard = []
    next.on('message', (event: { data: RunStreamMessage }) => heard.push(event.data))
    next.start()
    return next
  }

  function assertNothingStarted(label: string): void {
    expect(launcher.launched, `${label}: no process started`).toEqual([])
    expect(
      heard.filter((m) => m.type === 'run:started'),
      label,
    ).toEqual([])
    expect(
      contents.sent.filter((s) => s.channel === IPC.batchStream),
      label,
    ).toEqual([])
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled)
    fake.reset()
    const base: ProcessLauncher = await localLauncher()
    launcher = new CountingLauncher(base)
    runs = registerIpc(launcher)
    createMainWindow()
    const window = fake.windows.at(-1)
    if (!window) throw new Error('no window')
    contents = window.webContents
    port = connect()
    refused = vi.spyOn(refusals, 'refused')
    warned = vi.spyOn(console, 'warn').mockImplementation(() => {})
    started = performance.now()
    templateAnswer = await invoke(IPC.playerTemplate, [])
  })

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled)
    refused.mockRestore()
    warned.mockRestore()
    await runs.stopAll()
    app.removeAllListeners('will-quit')
  })

  for (const [channel, generate] of Object.entries(INVOKE_FUZZ)) {
    it(`refuses and logs ${CASES} bad messages on ${channel}, and starts nothing`, async () => {
      const rng = new Rng(SEED ^ hash(channel))
      for (let i = 0; i < CASES; i++) {
        const c = generate(rng)
        const message = await expectRefused(channel, c, `${channel} case ${i} (seed ${SEED})`)
        if (channel === IPC.playerTemplate) expect(message).toMatch(/takes no arguments/)
      }
      assertNothingStarted(channel)
    })
  }

  it(`refuses and logs ${CASES} bad run:connect messages, and keeps the page's stream`, () => {
    const rng = new Rng(SEED ^ 0x51)
    const ports = contents.posted.length
    for (let i = 0; i < CASES; i++) {
      const args = rng.chance(0.05) ? [rng.pick(HUGE)] : badCount(rng, []).args
      const before = refused.mock.calls.length
      // Huge arguments are handed over as they are, as for invokes.
      if (args.some((a) => HUGE.includes(a))) {
        for (const listener of fake.mainListeners.get(IPC.runConnect) ?? []) listener(appEvent(), ...args)
      } else fake.sendFrom(appEvent(), IPC.runConnect, ...args)
      expect(refused.mock.calls.length - before, `run:connect case ${i} (seed ${SEED})`).toBe(1)
    }
    expect(contents.posted.length).toBe(ports)
    expect(port.closed).toBe(false)
  })

  it('refuses messages on channels nobody answers, and logs those main can see', async () => {
    const rng = new Rng(SEED ^ 0x77)
    const names = [
      'run:start ',
      'RUN:START',
      'run:starts',
      IPC.runStream,
      IPC.recordingOpen,
      IPC.batchStream,
      '',
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'x'.repeat(10_000),
      'a\nb',
    ]
    for (let i = 0; i < CASES; i++) {
      const channel = rng.chance(0.5) ? rng.pick(names) : `${rng.pick(names)}${rng.int(1000)}`
      const args = badCount(rng, []).args
      const label = `'${channel.slice(0, 20)}' case ${i} (seed ${SEED})`
      // An invoke: Electron itself answers that nothing handles it.
      await expect(invoke(channel, args), label).rejects.toThrow(/No handler registered/)
      // A send: the page's web contents report it, and main logs it.
      let before = refused.mock.calls.length
      fake.sendFrom(appEvent(), channel, ...args)
      expect(refused.mock.calls.length - before, label).toBe(1)
      // A synchronous send: answered with a refusal (the page would hang without one), and logged.
      before = refused.mock.calls.length
      expect(fake.sendSyncFrom(appEvent(), channel, ...args), label).toMatchObject({ ok: false })
      expect(refused.mock.calls.length - before, label).toBe(1)
    }
    assertNothingStarted('unknown channels')
  })

  it("refuses good messages from any sender that is not the app's page", async () => {
    const appUrl = contents.url
    const windowAt = (load: (w: BrowserWindow) => void): FakeWebContents => {
      const window = new BrowserWindow({})
      load(window)
      return window.webContents
    }
    const closed = windowAt((w) => void w.loadFile(appPageFile()))
    fake.windows.find((w) => w.webContents === closed)?.close()
    const senders: [string, FakeIpcEvent][] = [
      ['another site', fake.eventFrom(windowAt((w) => void w.loadURL('https://evil.example/')))],
      ['another file', fake.eventFrom(windowAt((w) => void w.loadFile('/tmp/evil/index.html')))],
      [
        'a sibling file',
        fake.eventFrom(windowAt((w) => void w.loadFile(join(dirname(appPageFile()), 'other.html')))),
      ],
      [
        'a dev server that is not running',
        fake.eventFrom(windowAt((w) => void w.loadURL('http://localhost:5173/'))),
      ],
      ['a data: page', fake.eventFrom(windowAt((w) => void w.loadURL('data:text/html,<script>1</script>')))],
      [
        'a file on another host',
        fake.eventFrom(windowAt((w) => void w.loadURL(appUrl.replace('file://', 'file://evil.example')))),
      ],
      [
        'an iframe of another site',
        fake.eventFrom(contents, contents.mainFrame.addFrame('https://evil.example/')),
      ],
      ["an iframe of the app's page", fake.eventFrom(contents, contents.mainFrame.addFrame(appUrl))],
      ['no frame (navigated away)', fake.eventFrom(contents, null)],
      ["a webview's page", fake.eventFrom(fake.detachedWebContents(appUrl))],
      ['a closed window', fake.eventFrom(closed)],
    ]
    const good: [string, unknown[]][] = [
      [IPC.scenariosList, []],
      [IPC.playerTemplate, []],
      [IPC.runStart, [deadlock]],
      [IPC.runStop, ['run-1-1']],
      [IPC.runControl, ['run-1-1', { type: 'pause' }]],
      [IPC.batchStart, [{ run: smallRace(), runs: 2 }]],
      [IPC.batchCancel, ['batch-1-1']],
      [IPC.batchRun, ['batch-1-1', 0]],
    ]
    for (const [who, event] of senders) {
      for (const [channel, args] of good) {
        const message = await expectRefused(channel, { args, clone: true }, `${channel} from ${who}`, event)
        expect(message, `${channel} from ${who}`).toMatch(/^it came from /)
      }
      const before = refused.mock.calls.length
      const posted = event.sender.posted.length
      fake.sendFrom(event, IPC.runConnect)
      expect(refused.mock.calls.length - before, `run:connect from ${who}`).toBe(1)
      expect(event.sender.posted.length, `no stream for ${who}`).toBe(posted)
    }
    expect(port.closed).toBe(false) // no run:connect from elsewhere replaced the page's stream
    assertNothingStarted('other senders')
  })

  it('left the prototypes alone, raised no unhandled rejection, and kept its log short', () => {
    expect(prototypeShape()).toEqual(shapeBefore)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined()
    expect(unhandled).toEqual([])
    // Thousands of refusals, each seen by the log; what it wrote is at most 10 lines a second, and a
    // count of the rest.
    expect(refused.mock.calls.length).toBeGreaterThan(3000)
    const seconds = Math.ceil((performance.now() - started) / 1000) + 1
    expect(warned.mock.calls.length).toBeLessThanOrEqual(seconds * 11)
    expect(
      warned.mock.calls.some(([line]) => /more refused messages were not logged/.test(String(line))),
    ).toBe(true)
  })

  it('still works afterwards: every channel answers a good message, and a real run and batch go through', async () => {
    const listed = (await invoke(IPC.scenariosList, [])) as { ok: boolean; scenarios: { id: string }[] }
    expect(listed).toEqual({ ok: true, scenarios: expect.any(Array) })
    expect(listed.scenarios.map((s) => s.id)).toContain('race-counter')
    // Built (out/player) or not, the same answer as before the fuzz.
    expect(templateAnswer).toEqual(
      expect.objectContaining(
        (templateAnswer as { ok: boolean }).ok
          ? { template: { html: expect.any(String), js: expect.any(String), css: expect.any(String) } }
          : { message: expect.stringMatching(/^the HTML player is not built/) },
      ),
    )
    expect(await invoke(IPC.playerTemplate, [])).toEqual(templateAnswer)

    // A page that loads again gets a new stream; a run streams over it, pauses, resumes and stops.
    port = connect()
    const start = (await invoke(IPC.runStart, [deadlock])) as { ok: boolean; runId: string }
    expect(start).toEqual({ ok: true, runId: expect.any(String) })
    const { runId } = start
    await vi.waitFor(() => expect(heard.some((m) => m.type === 'run:events')).toBe(true), { timeout: 30_000 })
    expect(await invoke(IPC.runControl, [runId, { type: 'pause' }])).toEqual({ ok: true })
    expect(await invoke(IPC.runControl, [runId, { type: 'resume' }])).toEqual({ ok: true })
    expect(await invoke(IPC.runStop, [runId])).toEqual({ ok: true })
    const end = await vi.waitFor(
      () => {
        const found = heard.find((m) => m.type === 'run:end')
        if (found?.type !== 'run:end') throw new Error('no run:end yet')
        return found
      },
      { timeout: 30_000 },
    )
    expect(end.summary.outcome.status).toBe('stopped')

    // A batch runs, a kept run of it comes back as bytes, and cancelling it is answered.
    const batch = (await invoke(IPC.batchStart, [{ run: smallRace(), runs: 1 }])) as {
      ok: boolean
      batchId: string
    }
    expect(batch).toEqual({ ok: true, batchId: expect.any(String) })
    const batchEnd = await vi.waitFor(
      () => {
        const found = contents.sent
          .map((s) => s.args[0] as BatchStreamMessage)
          .find((m) => m.type === 'batch:end' && m.batchId === batch.batchId)
        if (found?.type !== 'batch:end') throw new Error('no batch:end yet')
        return found
      },
      { timeout: 60_000, interval: 50 },
    )
    expect(batchEnd.status).toBe('finished')
    const kept = (await invoke(IPC.batchRun, [batch.batchId, 0])) as { ok: boolean; bytes: Uint8Array }
    expect(kept).toEqual({ ok: true, bytes: expect.any(Uint8Array) })
    expect(await invoke(IPC.batchCancel, [batch.batchId])).toEqual({ ok: true })

    await launcher.allGone()
  })
})
