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
 * The generators are browser mode's too (tests/support/fuzz.ts; src/server/fuzz.test.ts). They are
 * seeded (FUZZ_SEED=<n> to try another seed): a failure names its seed and case.
 */
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ProcessLauncher } from '../engine/launcher'
import { localLauncher } from '../engine/localLauncher'
import type { BatchStreamMessage } from '../shared/batch'
import { IPC, type RunStreamMessage, type RunStreamPageMessage } from '../shared/protocol'
import { toRunStreamMessage } from '../shared/eventCodec'
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
import {
  CHANNEL_CASES,
  CLONE_POOL,
  Fuzz,
  FUZZ_CASES,
  FUZZ_SEED,
  fuzzValues,
  FuzzWatch,
  hash,
  Rng,
  smallRace,
  type Case,
} from '../../tests/support/fuzz'
import type { Runs } from './runs'

const SEED = FUZZ_SEED
const CASES = FUZZ_CASES

/**
 * What structured clone carries, and how much of it IPC takes: a string of 8 MB, a million and one
 * items (a schedule of exactly the longest length whose last step is bad), 100,000 keys, nesting
 * 100,000 deep. Made once and handed over without a clone: cloning each would only cost time, and a
 * clone of plain data is the same data.
 */
const IPC_VALUES = fuzzValues(CLONE_POOL, {
  chars: 8 * 1024 * 1024,
  items: 1_000_001,
  keys: 100_000,
  depth: 100_000,
})

const deadlock = { scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } }

describe('IPC under fuzzed messages', () => {
  const watch = new FuzzWatch()
  let launcher: CountingLauncher
  let runs: Runs
  let contents: FakeWebContents
  let port: FakeMessagePortMain
  let heard: RunStreamMessage[] = []
  let templateAnswer: unknown

  const appEvent = (): FakeIpcEvent => fake.eventFrom(contents)
  const invoke = (channel: string, args: unknown[], clone = true, event: FakeIpcEvent = appEvent()) =>
    fake.invokeFrom(event, channel, args, { clone })

  /** Main's answer to a bad message: refused, with a message, and logged once. */
  async function expectRefused(channel: string, c: Case, label: string, event = appEvent()): Promise<string> {
    const before = watch.refused.mock.calls.length
    const reply = (await invoke(channel, c.args, c.clone, event)) as { ok: boolean; message: string }
    expect(reply, label).toEqual({ ok: false, message: expect.any(String) })
    expect(reply.message.length, label).toBeGreaterThan(0)
    expect(reply.message.length, label).toBeLessThanOrEqual(1003)
    expect(watch.refused.mock.calls.length - before, `${label}: logged once`).toBe(1)
    expect(watch.refused.mock.lastCall?.[0], label).toBe(channel)
    return reply.message
  }

  function connect(): FakeMessagePortMain {
    fake.sendToMain(IPC.runConnect, contents)
    const posted = contents.posted.at(-1)
    if (posted?.channel !== IPC.runStream || posted.ports.length !== 1)
      throw new Error('no port for the page')
    const next = posted.ports[0] as FakeMessagePortMain
    heard = []
    next.on('message', (event: { data: RunStreamPageMessage }) => heard.push(toRunStreamMessage(event.data)))
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
    fake.reset()
    const base: ProcessLauncher = await localLauncher()
    launcher = new CountingLauncher(base)
    runs = registerIpc(launcher)
    createMainWindow()
    const window = fake.windows.at(-1)
    if (!window) throw new Error('no window')
    contents = window.webContents
    port = connect()
    watch.start()
    templateAnswer = await invoke(IPC.playerTemplate, [])
  })

  afterAll(async () => {
    watch.stop()
    await runs.stopAll()
    app.removeAllListeners('will-quit')
  })

  for (const [channel, generate] of Object.entries(CHANNEL_CASES)) {
    it(`refuses and logs ${CASES} bad messages on ${channel}, and starts nothing`, async () => {
      const fuzz = new Fuzz(new Rng(SEED ^ hash(channel)), IPC_VALUES)
      for (let i = 0; i < CASES; i++) {
        const c = generate(fuzz)
        const message = await expectRefused(channel, c, `${channel} case ${i} (seed ${SEED})`)
        if (channel === IPC.playerTemplate) expect(message).toMatch(/takes no arguments/)
      }
      assertNothingStarted(channel)
    })
  }

  it(`refuses and logs ${CASES} bad run:connect messages, and keeps the page's stream`, () => {
    const fuzz = new Fuzz(new Rng(SEED ^ 0x51), IPC_VALUES)
    const ports = contents.posted.length
    for (let i = 0; i < CASES; i++) {
      const args = fuzz.rng.chance(0.05) ? [fuzz.huge()] : fuzz.badCount([]).args
      const before = watch.refused.mock.calls.length
      // Huge arguments are handed over as they are, as for invokes.
      if (args.some((a) => IPC_VALUES.huge.includes(a))) {
        for (const listener of fake.mainListeners.get(IPC.runConnect) ?? []) listener(appEvent(), ...args)
      } else fake.sendFrom(appEvent(), IPC.runConnect, ...args)
      expect(watch.refused.mock.calls.length - before, `run:connect case ${i} (seed ${SEED})`).toBe(1)
    }
    expect(contents.posted.length).toBe(ports)
    expect(port.closed).toBe(false)
  })

  it('refuses messages on channels nobody answers, and logs those main can see', async () => {
    const fuzz = new Fuzz(new Rng(SEED ^ 0x77), IPC_VALUES)
    for (let i = 0; i < CASES; i++) {
      const channel = fuzz.unknownChannel()
      const args = fuzz.badCount([]).args
      const label = `'${channel.slice(0, 20)}' case ${i} (seed ${SEED})`
      // An invoke: Electron itself answers that nothing handles it.
      await expect(invoke(channel, args), label).rejects.toThrow(/No handler registered/)
      // A send: the page's web contents report it, and main logs it.
      let before = watch.refused.mock.calls.length
      fake.sendFrom(appEvent(), channel, ...args)
      expect(watch.refused.mock.calls.length - before, label).toBe(1)
      // A synchronous send: answered with a refusal (the page would hang without one), and logged.
      before = watch.refused.mock.calls.length
      expect(fake.sendSyncFrom(appEvent(), channel, ...args), label).toMatchObject({ ok: false })
      expect(watch.refused.mock.calls.length - before, label).toBe(1)
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
      const before = watch.refused.mock.calls.length
      const posted = event.sender.posted.length
      fake.sendFrom(event, IPC.runConnect)
      expect(watch.refused.mock.calls.length - before, `run:connect from ${who}`).toBe(1)
      expect(event.sender.posted.length, `no stream for ${who}`).toBe(posted)
    }
    expect(port.closed).toBe(false) // no run:connect from elsewhere replaced the page's stream
    assertNothingStarted('other senders')
  })

  it('left the prototypes alone, raised no unhandled rejection, and kept its log short', async () => {
    await watch.expectNoHarm(3000)
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
