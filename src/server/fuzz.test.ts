/**
 * Fuzzed messages against browser mode's real server, over a real socket: for every request type, a
 * few hundred generated bad messages (the generators of src/main/ipcFuzz.test.ts, tests/support/fuzz.ts,
 * with what JSON can say: wrong types for every field, missing and extra fields, -0, `__proto__` and
 * `constructor` keys, strings, arrays and objects of some 200 KB, under the socket's 256 KB frame cap)
 * and bad envelopes (ids of every type, types that are not quite a request's), messages of unknown
 * types, frames that are no request (not JSON, JSON that is no object, binary frames), and nesting
 * tens of thousands deep. Each must be answered with an api:error (with the message's id when it had
 * a readable one, else a null id) and logged once; no run, batch or process may start;
 * Object.prototype must stay as it was; and afterwards the same socket still works: a real run
 * (paused, resumed, stopped) and a real batch.
 *
 * The generator is seeded (FUZZ_SEED=<n> to try another seed): a failure names its seed and case.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { localLauncher } from '../engine/localLauncher'
import { encodeRunEvents } from '../shared/eventCodec'
import { IPC } from '../shared/protocol'
import { REQUEST_FIELDS } from '../shared/requestSchema'
import { CountingLauncher } from '../../tests/support/countingLauncher'
import {
  CHANNEL_CASES,
  Fuzz,
  FUZZ_CASES,
  FUZZ_SEED,
  fuzzValues,
  FuzzWatch,
  hash,
  JSON_POOL,
  ODD_KEYS,
  Rng,
  smallRace,
  withField,
  type Case,
} from '../../tests/support/fuzz'
import { SocketClient } from '../../tests/support/socketClient'
import { MAX_REQUEST_BYTES, startServer, type InterleaveServer } from './server'

const SEED = FUZZ_SEED
const CASES = FUZZ_CASES

type RequestType = keyof typeof REQUEST_FIELDS

/** What JSON says, in values some 200 KB long as JSON: under the frame cap with the rest of a message. */
const SOCKET_VALUES = fuzzValues(JSON_POOL, { chars: 200_000, items: 60_000, keys: 12_000, depth: 500 })

/** Written in place of -0, which JSON.stringify writes as 0, and then replaced by `-0` in the text. */
const NEGATIVE_ZERO = '\u0000-0\u0000'

/**
 * `value` as JSON text, as any page could write it: -0 kept (JSON.parse reads it back as -0), NaN
 * and the infinities as null (as JSON.stringify writes them), undefined as null, so that a field is
 * not dropped, and a bigint as a word.
 */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (Object.is(v, -0)) return NEGATIVE_ZERO
    if (typeof v === 'bigint') return `${v}n`
    return v === undefined ? null : v
  }).replaceAll(JSON.stringify(NEGATIVE_ZERO), '-0')
}

/** Names for the arguments past a request's fields. */
const EXTRA_FIELDS = ['extra', '__proto__', 'constructor', 'prototype', 'toString', 'runs', 'x'.repeat(300)]

/** A case's arguments as a message: each in the field of its name (REQUEST_FIELDS), extra ones beside. */
function messageOf(type: RequestType, c: Case, id: unknown, fuzz: Fuzz): Record<string, unknown> {
  const names = Object.keys(REQUEST_FIELDS[type])
  const message: Record<string, unknown> = { id, type }
  c.args.forEach((arg, i) => withField(message, names[i] ?? fuzz.rng.pick(EXTRA_FIELDS), arg))
  return message
}

/** A good request of each type: a bad envelope around it must be refused all the same. */
const GOOD_ARGS: Record<RequestType, () => unknown[]> = {
  [IPC.scenariosList]: () => [],
  [IPC.playerTemplate]: () => [],
  [IPC.runStart]: () => [smallRace()],
  [IPC.runStop]: () => ['run-1-1'],
  [IPC.runControl]: () => ['run-1-1', { type: 'pause' }],
  [IPC.batchStart]: () => [{ run: smallRace(), runs: 2 }],
  [IPC.batchCancel]: () => ['batch-1-1'],
  [IPC.batchRun]: () => ['batch-1-1', 0],
}

/** Ids the server cannot answer to: not a whole number from 0 to 2^53 - 1. */
const BAD_IDS: readonly unknown[] = [-1, 1.5, -0, 2 ** 53, 1e300, NaN, '1', '', null, true, [1], { id: 1 }]

/** A request's type, nearly. */
function badType(fuzz: Fuzz, type: string): unknown {
  return fuzz.rng.chance(0.3)
    ? fuzz.wrong('string')
    : fuzz.rng.pick([type.toUpperCase(), `${type} `, ` ${type}`, `${type}\u0000`, type.replace(':', '.')])
}

describe('the socket under fuzzed messages', () => {
  const watch = new FuzzWatch()
  let dir: string
  let server: InterleaveServer
  let launcher: CountingLauncher
  let client: SocketClient
  let nextId = 1

  /** The server's answer to a bad frame: an api:error with `id` and a message, logged once. */
  async function expectRefused(frame: string | Buffer, id: number | null, label: string, binary = false) {
    expect(Buffer.byteLength(frame), `${label}: under the frame cap`).toBeLessThanOrEqual(MAX_REQUEST_BYTES)
    const before = watch.refused.mock.calls.length
    const answer = await client.exchange(frame, binary)
    expect(answer, label).toEqual({ type: 'api:error', id, message: expect.any(String) })
    const message = answer.type === 'api:error' ? answer.message : ''
    expect(message.length, label).toBeGreaterThan(0)
    expect(message.length, label).toBeLessThanOrEqual(1003)
    expect(watch.refused.mock.calls.length - before, `${label}: logged once`).toBe(1)
    expect(watch.refused.mock.lastCall?.[0], label).toMatch(/^\/api( |$)/)
    return message
  }

  function assertNothingStarted(label: string): void {
    expect(launcher.launched, `${label}: no process started`).toEqual([])
    expect(client.stream, `${label}: no run started`).toEqual([])
    expect(client.batches, `${label}: no batch started`).toEqual([])
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'interleave-fuzz-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>')
    launcher = new CountingLauncher(await localLauncher())
    server = await startServer({ port: 0, rendererDir: dir, launcher: async () => launcher })
    client = await SocketClient.open(server.url)
    watch.start()
  })

  afterAll(async () => {
    watch.stop()
    client?.ws.close()
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const [type, generate] of Object.entries(CHANNEL_CASES) as [RequestType, (f: Fuzz) => Case][]) {
    it(`refuses and logs ${CASES} bad ${type} messages, and starts nothing`, async () => {
      const fuzz = new Fuzz(new Rng(SEED ^ hash(type)), SOCKET_VALUES)
      for (let i = 0; i < CASES; i++) {
        const label = `${type} case ${i} (seed ${SEED})`
        const id = nextId++
        const envelope = fuzz.rng.int(8)
        if (envelope === 0) {
          // A good request under an id the server cannot answer to (or none).
          const message = messageOf(type, { args: GOOD_ARGS[type](), clone: true }, 0, fuzz)
          if (fuzz.rng.chance(0.2)) delete message.id
          else message.id = fuzz.rng.pick(BAD_IDS)
          await expectRefused(toJson(message), null, label)
        } else if (envelope === 1) {
          // A good request under a type that is not quite its own, or with a field besides.
          const message = messageOf(type, { args: GOOD_ARGS[type](), clone: true }, id, fuzz)
          if (fuzz.rng.chance(0.5)) message.type = badType(fuzz, type)
          else withField(message, fuzz.rng.pick(ODD_KEYS), fuzz.anyValue())
          await expectRefused(toJson(message), id, label)
        } else {
          const said = await expectRefused(toJson(messageOf(type, generate(fuzz), id, fuzz)), id, label)
          // Refused for what it carried, not for want of a built player (this server has none).
          if (type === IPC.playerTemplate) expect(said, label).not.toMatch(/not built/)
        }
      }
      assertNothingStarted(type)
    })
  }

  it(`refuses and logs ${CASES} messages of types no request has, and keeps the socket`, async () => {
    const fuzz = new Fuzz(new Rng(SEED ^ 0x77), SOCKET_VALUES)
    for (let i = 0; i < CASES; i++) {
      const id = nextId++
      // run:connect is IPC's only: the socket has no such request.
      const type = fuzz.rng.chance(0.2)
        ? fuzz.wrong('string')
        : fuzz.rng.chance(0.1)
          ? IPC.runConnect
          : fuzz.unknownChannel()
      const message: Record<string, unknown> = { id, type }
      for (const arg of fuzz.badCount([]).args) withField(message, fuzz.rng.pick(EXTRA_FIELDS), arg)
      if (fuzz.rng.chance(0.3)) delete message.type
      const said = await expectRefused(toJson(message), id, `type case ${i} (seed ${SEED})`)
      expect(said).toMatch(/^unknown request '|^a request's type is one of /)
    }
    assertNothingStarted('unknown types')
  })

  it('refuses frames that are no request: not JSON, no object, binary', async () => {
    const rng = new Rng(SEED ^ 0x51)
    const good = JSON.stringify({ id: 1, type: IPC.scenariosList })
    const texts = [
      '',
      ' ',
      '{',
      '{ not json',
      '{"id": 1,',
      `${good}}`,
      `${good} x`,
      "{'id': 1, 'type': 'scenarios:list'}",
      'undefined',
      'NaN',
      '{"id": NaN, "type": "scenarios:list"}',
      '\u0000',
      '\ufeff' + good,
      '['.repeat(100_000),
      SOCKET_VALUES.hugeString,
      'null',
      '1',
      '-0',
      '"scenarios:list"',
      'true',
      '[]',
      `[${good}]`,
      '{}',
      '{"type": "scenarios:list"}',
      JSON.stringify(SOCKET_VALUES.hugeString),
    ]
    for (const [i, text] of texts.entries())
      await expectRefused(text, null, `text ${i}: ${text.slice(0, 30)}`)
    // Binary frames: random bytes, and a good request sent as binary (the page sends text only).
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(Array.from({ length: rng.int(2000) }, () => rng.int(256)))
      const message = await expectRefused(bytes, null, `binary ${i}`, true)
      expect(message).toBe('a request is a JSON text frame, not a binary one')
    }
    await expectRefused(Buffer.from(good), null, 'a good request as binary', true)
    // Nor is the server's own kind of binary frame (a run's events) anything a page may send.
    const frame = encodeRunEvents({
      runId: 'run-1',
      events: [],
      cpu: [{ tUs: 1, corePct: [5] }],
      threadCpu: [],
    })
    const echoed = await expectRefused(Buffer.from(frame), null, "a run:events frame, the server's own", true)
    expect(echoed).toBe('a request is a JSON text frame, not a binary one')
    assertNothingStarted('frames')
  })

  it('refuses nesting tens of thousands deep in every field', async () => {
    const deep = [
      (n: number) => '['.repeat(n) + ']'.repeat(n),
      (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n),
      (n: number) => '{"__proto__":['.repeat(n) + ']}'.repeat(n),
    ]
    for (const type of Object.keys(REQUEST_FIELDS) as RequestType[]) {
      const fields = [...Object.keys(REQUEST_FIELDS[type]), 'id', 'type', 'extra']
      for (const field of fields) {
        for (const [shape, make] of deep.entries()) {
          const id = nextId++
          const value = make(shape === 0 ? 100_000 : 12_000)
          const message = { ...Object.fromEntries(GOOD_ARGS[type]().map((a, i) => [fields[i], a])), type }
          const text = `${JSON.stringify({ ...message, id }).slice(0, -1)},${JSON.stringify(field)}:${value}}`
          // JSON.parse keeps the last of a repeated field: the deep value is what the server reads.
          await expectRefused(text, field === 'id' ? null : id, `${type}.${field} deep (${shape})`)
        }
      }
    }
    assertNothingStarted('deep')
  })

  it('left the prototypes alone, raised no unhandled rejection, and kept its log short', async () => {
    await watch.expectNoHarm(2500)
  })

  it('still works afterwards: the same socket lists, runs, controls, stops and runs a batch', async () => {
    // A frame over the cap closes its own socket only, and is logged.
    const big = await SocketClient.open(server.url)
    const before = watch.refused.mock.calls.length
    const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)))
    big.ws.send('x'.repeat(MAX_REQUEST_BYTES + 1))
    expect(await closed).toBe(1009)
    await vi.waitFor(() => expect(watch.refused.mock.calls.length).toBeGreaterThan(before))

    const list = (await client.call({ type: IPC.scenariosList })) as { id: string }[]
    expect(list.map((s) => s.id)).toContain('race-counter')

    const { runId } = (await client.call({
      type: IPC.runStart,
      request: { scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } },
    })) as { runId: string }
    await client.until(() => client.stream.some((m) => m.type === 'run:events'), 30_000)
    expect(await client.call({ type: IPC.runControl, runId, command: { type: 'pause' } })).toBeNull()
    expect(await client.call({ type: IPC.runControl, runId, command: { type: 'resume' } })).toBeNull()
    expect(await client.call({ type: IPC.runStop, runId })).toBeNull()
    await client.until(() => client.stream.some((m) => m.type === 'run:end'), 30_000)
    const end = client.stream.find((m) => m.type === 'run:end' && m.runId === runId)
    expect(end?.type === 'run:end' && end.summary.outcome.status).toBe('stopped')

    const { batchId } = (await client.call({
      type: IPC.batchStart,
      request: { run: { scenario: 'race-counter', params: { threads: 2, iterations: 50 } }, runs: 1 },
    })) as { batchId: string }
    expect((await client.end(batchId)).status).toBe('finished')
    const kept = (await client.call({ type: IPC.batchRun, batchId, run: 0 })) as { base64: string }
    expect(Buffer.from(kept.base64, 'base64').length).toBeGreaterThan(100)
    expect(await client.call({ type: IPC.batchCancel, batchId })).toBeNull()

    await launcher.allGone()
  })
})
