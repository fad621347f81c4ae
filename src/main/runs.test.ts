/**
 * Runs through main's IPC, for real: the handlers start real runs of the catalogue's scenarios, in
 * Node child processes (the checkout's launcher; no Electron binary runs utility processes here),
 * and stream them through the fake's MessageChannelMain, which structured-clones like Electron's.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProcessLauncher } from '../engine/launcher'
import { CountingLauncher } from '../../tests/support/countingLauncher'
import {
  IPC,
  type RunRequest,
  type RunStartReply,
  type RunStreamMessage,
  type RunStreamPageMessage,
} from '../shared/protocol'
import { toRunStreamMessage } from '../shared/eventCodec'
import { localLauncher } from '../engine/localLauncher'
import { app, BrowserWindow, fake, type FakeMessagePortMain } from '../../tests/fakes/electron'
import { IDLE_HOSTS, PrelaunchingLauncher } from '../engine/prelaunch'
import { registerIpc, stopRunsBeforeQuit } from './index'
import { appPageFile } from './ipcGuard'
import type { Runs } from './runs'

type WebContents = BrowserWindow['webContents']

/** A page as main sees it: a window whose preload has connected and listens on its port. */
class Page {
  readonly window = new BrowserWindow({})
  readonly heard: RunStreamMessage[] = []
  /** What came over the port as it came: run:events as ArrayBuffers, decoded into `heard`. */
  readonly raw: unknown[] = []
  readonly port: FakeMessagePortMain

  constructor() {
    void this.window.loadFile(appPageFile()) // the app's page: main answers no other
    fake.sendToMain(IPC.runConnect, this.window.webContents)
    const posted = this.window.webContents.posted.at(-1)
    if (posted?.channel !== IPC.runStream || posted.ports.length !== 1)
      throw new Error('no port for the page')
    this.port = posted.ports[0] as FakeMessagePortMain
    this.port.on('message', (event: { data: RunStreamPageMessage }) => {
      this.raw.push(event.data)
      this.heard.push(toRunStreamMessage(event.data))
    })
    this.port.start()
  }

  get contents(): WebContents {
    return this.window.webContents
  }

  start(request: RunRequest): Promise<RunStartReply> {
    return invoke(IPC.runStart, this.contents, request) as Promise<RunStartReply>
  }

  async started(request: RunRequest): Promise<string> {
    const reply = await this.start(request)
    if (!reply.ok) throw new Error(reply.message)
    return reply.runId
  }

  async end(runId: string): Promise<Extract<RunStreamMessage, { type: 'run:end' }>> {
    return vi.waitFor(
      () => {
        const end = this.heard.find((m) => m.type === 'run:end' && m.runId === runId)
        if (end?.type !== 'run:end') throw new Error(`no run:end for ${runId} yet`)
        return end
      },
      { timeout: 60_000, interval: 50 },
    )
  }

  of(runId: string): RunStreamMessage[] {
    return this.heard.filter((m) => m.runId === runId)
  }
}

/** As Electron: from the page's main frame, and what crosses is structured-cloned. */
function invoke(channel: string, sender: WebContents, ...args: unknown[]): Promise<unknown> {
  return fake.invokeFrom(fake.eventFrom(sender), channel, args)
}

const smallRace: RunRequest = { scenario: 'race-counter', params: { threads: 2, iterations: 50 } }
/** Runs until stopped: two threads take two locks in opposite orders, and the timeout is a minute. */
const deadlock: RunRequest = { scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } }

describe('runs through IPC', () => {
  let base: ProcessLauncher
  let launcher: CountingLauncher
  let runs: Runs

  beforeAll(async () => {
    base = await localLauncher()
  })
  beforeEach(() => {
    fake.reset()
    launcher = new CountingLauncher(base)
    runs = registerIpc(launcher)
  })
  afterEach(async () => {
    await runs.stopAll()
    app.removeAllListeners('will-quit')
  })

  it('streams a real run to its page over the port, from run:started to run:end', async () => {
    const page = new Page()
    const runId = await page.started(smallRace)
    const end = await page.end(runId)

    const messages = page.of(runId)
    expect(messages[0]).toMatchObject({ type: 'run:started', runId, scenario: 'race-counter' })
    expect(messages.at(-1)).toBe(end)
    expect(messages.filter((m) => m.type === 'run:started' || m.type === 'run:end')).toHaveLength(2)
    const events = messages.flatMap((m) => (m.type === 'run:events' ? m.events : []))
    expect(events.length).toBeGreaterThan(0)
    expect(messages.some((m) => m.type === 'run:process' && m.process.name === 'MainProcess')).toBe(true)
    // Every event the run recorded, and each thread's in order, came as bytes: an ArrayBuffer per
    // run:events (not an object graph for the port to clone), the rest as objects.
    expect(end.summary.counts.events).toBe(events.length)
    const frames = page.raw.filter((m) => m instanceof ArrayBuffer)
    expect(frames).toHaveLength(messages.filter((m) => m.type === 'run:events').length)
    expect(page.raw.filter((m) => (m as { type?: string }).type === 'run:events')).toEqual([])
    const seqs = new Map<string, number[]>()
    for (const e of events) seqs.set(`${e.pid}:${e.tid}`, [...(seqs.get(`${e.pid}:${e.tid}`) ?? []), e.seq])
    for (const list of seqs.values()) expect(list).toEqual(list.map((_, i) => i))

    expect(end.summary.outcome.status).toBe('finished')
    expect(end.summary.result.expected).toBe(100)
    expect(end.verdict).not.toBe('')
    // One port for the page, sent once.
    expect(page.contents.posted.filter((p) => p.channel === IPC.runStream)).toHaveLength(1)
    await launcher.allGone()
  })

  it("refuses a parameter out of bounds with the bound's message, and starts nothing", async () => {
    const page = new Page()
    await expect(page.start({ scenario: 'race-counter', params: { threads: 99 } })).resolves.toEqual({
      ok: false,
      message: "parameter 'threads' must be at most 16; got 99",
    })
    await expect(page.start({ scenario: 'no-such-lesson', params: {} })).resolves.toEqual({
      ok: false,
      message: "unknown scenario 'no-such-lesson'",
    })
    expect(launcher.launched).toEqual([])
    await new Promise((resolve) => setImmediate(resolve))
    expect(page.heard).toEqual([])
  })

  it('stops a run on run:stop: its stream ends with status stopped and its processes are gone', async () => {
    const page = new Page()
    const runId = await page.started(deadlock)
    await vi.waitFor(() => expect(page.of(runId).some((m) => m.type === 'run:events')).toBe(true), {
      timeout: 30_000,
    })
    await expect(invoke(IPC.runStop, page.contents, runId)).resolves.toEqual({ ok: true })
    const end = await page.end(runId)
    expect(end.summary.outcome.status).toBe('stopped')
    await launcher.allGone()
  })

  it('pauses and resumes a run on run:control, and answers a refusal with its message', async () => {
    const page = new Page()
    const runId = await page.started(deadlock)
    await expect(invoke(IPC.runControl, page.contents, runId, { type: 'pause' })).resolves.toEqual({
      ok: true,
    })
    await vi.waitFor(() => expect(page.of(runId)).toContainEqual({ type: 'run:paused', runId, paused: true }))
    await expect(invoke(IPC.runControl, page.contents, runId, { type: 'step', key: 0 })).resolves.toEqual({
      ok: false,
      message: 'this run is not in step mode',
    })
    await expect(invoke(IPC.runControl, page.contents, runId, { type: 'step', key: -1 })).resolves.toEqual({
      ok: false,
      message: 'a run control is pause, resume, or step with a thread key',
    })
    const other = new Page()
    await expect(invoke(IPC.runControl, other.contents, runId, { type: 'resume' })).resolves.toMatchObject({
      ok: false,
    })
    await expect(invoke(IPC.runControl, page.contents, runId, { type: 'resume' })).resolves.toEqual({
      ok: true,
    })
    await vi.waitFor(() =>
      expect(page.of(runId)).toContainEqual({ type: 'run:paused', runId, paused: false }),
    )
    await invoke(IPC.runStop, page.contents, runId)
    await page.end(runId)
    await launcher.allGone()
  })

  it("does not stop another page's run", async () => {
    const owner = new Page()
    const other = new Page()
    const runId = await owner.started(deadlock)
    await invoke(IPC.runStop, other.contents, runId)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(owner.of(runId).some((m) => m.type === 'run:end')).toBe(false)
    expect(runs.busy).toBe(true)
  })

  it('stops the runs of a window that closes, leaving no process', async () => {
    const page = new Page()
    await page.started(deadlock)
    await page.started(smallRace)
    await vi.waitFor(() => expect(launcher.launched.length).toBeGreaterThan(1))
    page.window.close()
    expect(page.port.closed).toBe(true)
    await launcher.allGone()
    expect(runs.busy).toBe(false)
  })

  it("gives a reloaded page a new port and stops the old page's runs", async () => {
    const page = new Page()
    const runId = await page.started(deadlock)
    fake.sendToMain(IPC.runConnect, page.contents) // the reloaded page's preload asks again
    const ports = page.contents.posted.filter((p) => p.channel === IPC.runStream)
    expect(ports).toHaveLength(2)
    expect(page.port.closed).toBe(true)
    expect(ports[1]?.ports[0]?.closed).toBe(false)
    await launcher.allGone()
    expect(page.of(runId).some((m) => m.type === 'run:end')).toBe(false) // the old port is closed
  })

  it('makes quitting wait until every run has stopped and its processes are gone', async () => {
    stopRunsBeforeQuit(runs)
    const page = new Page()
    await page.started(deadlock)
    let prevented = false
    app.emit('will-quit', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
    await vi.waitFor(() => expect(fake.quitCalls).toBe(1), { timeout: 15_000 })
    await launcher.allGone()

    // With nothing running, quitting goes ahead.
    prevented = false
    app.emit('will-quit', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(false)
  })

  it('makes quitting end the hosts kept ready for the next run, and runs use them', async () => {
    fake.reset() // main as it starts: IPC answered by runs on the pool
    const pool = new PrelaunchingLauncher(launcher)
    const ready = registerIpc(pool)
    stopRunsBeforeQuit(ready, pool)
    expect(pool.idleCount).toBe(IDLE_HOSTS)
    const idle = [...launcher.launched]
    // A run takes its MainProcess from the idle hosts.
    const page = new Page()
    const end = await page.end(await page.started(smallRace))
    expect(end.summary.processes[0]?.osPid).toBe(idle[0]?.handle.osPid)
    let prevented = false
    app.emit('will-quit', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
    await vi.waitFor(() => expect(fake.quitCalls).toBe(1), { timeout: 15_000 })
    expect(pool.idleCount).toBe(0)
    await launcher.allGone()
  })
})
