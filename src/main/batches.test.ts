/**
 * Run many through main's IPC, for real: the handlers run catalogue lessons in Node child processes
 * (the checkout's launcher) and send each page its batch:stream; the fake structured-clones like Electron.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ProcessLauncher } from '../engine/launcher'
import { localLauncher } from '../engine/localLauncher'
import type { BatchRunReply, BatchStartReply, BatchStreamMessage } from '../shared/batch'
import { IPC } from '../shared/protocol'
import { readRecording } from '../shared/recording'
import { app, BrowserWindow, fake } from '../../tests/fakes/electron'
import { CountingLauncher } from '../../tests/support/countingLauncher'
import { registerIpc } from './index'
import { appPageFile } from './ipcGuard'

type WebContents = BrowserWindow['webContents']

/** As Electron: from the page's main frame, and what crosses is structured-cloned. */
function invoke(channel: string, sender: WebContents, ...args: unknown[]): Promise<unknown> {
  return fake.invokeFrom(fake.eventFrom(sender), channel, args)
}

/** A window showing the app's page: main answers no other. */
function appWindow(): BrowserWindow {
  const window = new BrowserWindow({})
  void window.loadFile(appPageFile())
  return window
}

function heard(contents: WebContents): BatchStreamMessage[] {
  return contents.sent
    .filter((s) => s.channel === IPC.batchStream)
    .map((s) => s.args[0] as BatchStreamMessage)
}

function ended(
  contents: WebContents,
  batchId: string,
): Promise<Extract<BatchStreamMessage, { type: 'batch:end' }>> {
  return vi.waitFor(
    () => {
      const end = heard(contents).find((m) => m.type === 'batch:end' && m.batchId === batchId)
      if (end?.type !== 'batch:end') throw new Error('no batch:end yet')
      return end
    },
    { timeout: 60_000, interval: 50 },
  )
}

const race = { scenario: 'race-counter', params: { threads: 2, iterations: 20 } }

describe('run many through IPC', () => {
  let base: ProcessLauncher
  let launcher: CountingLauncher

  beforeAll(async () => {
    base = await localLauncher()
  })
  beforeEach(() => {
    fake.reset()
    launcher = new CountingLauncher(base)
    registerIpc(launcher)
  })
  afterEach(() => {
    app.removeAllListeners('will-quit')
  })

  it('runs a batch for its page, sends it batch:stream, and hands over a kept run as bytes', async () => {
    const window = appWindow()
    const contents = window.webContents
    const reply = (await invoke(IPC.batchStart, contents, { run: race, runs: 3 })) as BatchStartReply
    if (!reply.ok) throw new Error(reply.message)
    const end = await ended(contents, reply.batchId)
    expect(heard(contents).map((m) => m.type)).toEqual([
      'batch:started',
      'batch:progress',
      'batch:progress',
      'batch:progress',
      'batch:end',
    ])
    expect(end).toMatchObject({ status: 'finished', done: 3, expected: 40 })
    const run = (await invoke(IPC.batchRun, contents, reply.batchId, 0)) as BatchRunReply
    if (!run.ok) throw new Error(run.message)
    expect(run.bytes).toBeInstanceOf(Uint8Array)
    expect((await readRecording(run.bytes)).record.scenario).toBe('race-counter')
    // Another window has no batch to open runs of.
    const other = appWindow()
    expect(await invoke(IPC.batchRun, other.webContents, reply.batchId, 0)).toEqual({
      ok: false,
      message: 'this window has run no batch',
    })
    await launcher.allGone()
  })

  it('refuses a bad batch with its message, as an answer', async () => {
    const contents = appWindow().webContents
    expect(await invoke(IPC.batchStart, contents, { run: race, runs: 0 })).toEqual({
      ok: false,
      message: 'the number of runs must be a whole number from 1 to 1000; got 0',
    })
    expect(await invoke(IPC.batchStart, contents, { run: race, runs: 1001 })).toMatchObject({ ok: false })
    expect(await invoke(IPC.batchStart, contents, null)).toEqual({
      ok: false,
      message: 'no batch was asked for',
    })
    expect(launcher.launched).toEqual([])
  })

  it('cancels on batch:cancel and when the window closes; quitting waits for the processes', async () => {
    const window = appWindow()
    const contents = window.webContents
    const first = (await invoke(IPC.batchStart, contents, { run: race, runs: 1000 })) as BatchStartReply
    if (!first.ok) throw new Error(first.message)
    await vi.waitFor(() => expect(heard(contents).some((m) => m.type === 'batch:progress')).toBe(true), {
      timeout: 30_000,
    })
    expect(await invoke(IPC.batchCancel, contents, first.batchId)).toEqual({ ok: true })
    expect((await ended(contents, first.batchId)).status).toBe('cancelled')
    await launcher.allGone()

    const second = (await invoke(IPC.batchStart, contents, { run: race, runs: 1000 })) as BatchStartReply
    if (!second.ok) throw new Error(second.message)
    await vi.waitFor(() => expect(launcher.alive).toBeGreaterThan(0), { timeout: 30_000 })
    window.close()
    // Quitting now waits until the batch's processes have exited, then quits.
    let prevented = false
    app.emit('will-quit', { preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
    await vi.waitFor(() => expect(fake.quitCalls).toBeGreaterThan(0), { timeout: 15_000 })
    await launcher.allGone()
  })
})
