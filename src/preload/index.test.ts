import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fake, ipcMain } from '../../tests/fakes/electron'
import { BRIDGE_FUNCTIONS } from '../../tests/support/bridge'
import {
  IPC,
  type RunControlReply,
  type RunRequest,
  type RunStartReply,
  type RunStreamMessage,
  type RunStreamPageMessage,
} from '../shared/protocol'
import { encodeRunEvents, type RunEventsPayload } from '../shared/eventCodec'
import type { InterleaveBridge } from './index.d'

const started: RunStreamMessage = {
  type: 'run:started',
  runId: 'run-1',
  scenario: 'race-counter',
  params: { threads: 2 },
  options: { gil: true, timeoutS: 30, switchIntervalMs: 5, speed: 1, trace: true },
  program: 'counter = 0\n',
  cores: 2,
}
const processStarted: RunStreamMessage = {
  type: 'run:process',
  runId: 'run-1',
  process: {
    pid: 0,
    name: 'MainProcess',
    parent: null,
    startMethod: null,
    osPid: 4242,
    startUs: 0,
    endUs: null,
    exitCode: null,
    signal: null,
    cpuUs: 0,
  },
}

describe('the preload bridge', () => {
  let api: InterleaveBridge
  // The page's end of the stream is a DOM MessagePort; Node's speaks the same addEventListener and start.
  const channel = new MessageChannel()

  beforeAll(async () => {
    fake.reset()
    await import('./index')
    api = fake.exposed.interleave as InterleaveBridge
  })
  afterAll(() => {
    channel.port1.close()
    channel.port2.close()
  })

  it('exposes one key, interleave, with the documented functions and nothing of ipcRenderer', () => {
    expect(Object.keys(fake.exposed)).toEqual(['interleave'])
    expect(Object.keys(api).sort()).toEqual([...BRIDGE_FUNCTIONS])
    for (const value of Object.values(api)) expect(typeof value).toBe('function')
  })

  it('asks main for the run stream as the page loads', () => {
    expect(fake.sentToMain).toEqual([{ channel: IPC.runConnect, args: [] }])
  })

  it('lists scenarios through the scenarios:list channel, and rejects with main’s own message', async () => {
    const scenarios = [{ id: 'race-counter' }]
    let refuse = false
    ipcMain.handle(IPC.scenariosList, () =>
      refuse ? { ok: false, message: 'scenarios:list takes no arguments; got 1' } : { ok: true, scenarios },
    )
    await expect(api.listScenarios()).resolves.toEqual(scenarios)
    refuse = true
    await expect(api.listScenarios()).rejects.toThrow(/^scenarios:list takes no arguments; got 1$/)
  })

  it('fetches the HTML player through player:template, and rejects with main’s own message', async () => {
    const template = { html: '<!doctype html>', js: '', css: '' }
    let built = true
    ipcMain.handle(IPC.playerTemplate, () =>
      built ? { ok: true, template } : { ok: false, message: 'the HTML player is not built' },
    )
    await expect(api.playerTemplate()).resolves.toEqual(template)
    built = false
    await expect(api.playerTemplate()).rejects.toThrow(/^the HTML player is not built$/)
  })

  it('starts a run on run:start, and rejects with main’s own message when main refuses', async () => {
    const asked: unknown[] = []
    ipcMain.handle(IPC.runStart, (_event, request): RunStartReply => {
      asked.push(request)
      const { params } = request as RunRequest
      return params.threads === 99
        ? { ok: false, message: "parameter 'threads' must be at most 16; got 99" }
        : { ok: true, runId: 'run-7' }
    })
    const request: RunRequest = { scenario: 'race-counter', params: { threads: 2 } }
    await expect(api.startRun(request)).resolves.toEqual({ runId: 'run-7' })
    expect(asked).toEqual([request])
    // Exactly the bound's message, not Electron's "Error invoking remote method ..." around it.
    await expect(api.startRun({ scenario: 'race-counter', params: { threads: 99 } })).rejects.toThrow(
      /^parameter 'threads' must be at most 16; got 99$/,
    )
  })

  it('stops a run on run:stop, by its id, and rejects with main’s own message', async () => {
    const stopped: unknown[] = []
    ipcMain.handle(IPC.runStop, (_event, runId) => {
      stopped.push(runId)
      return runId === 'run-7' ? { ok: true } : { ok: false, message: 'runId must be a run id' }
    })
    await expect(api.stopRun('run-7')).resolves.toBeUndefined()
    await expect(api.stopRun('run 7')).rejects.toThrow(/^runId must be a run id$/)
    expect(stopped).toEqual(['run-7', 'run 7'])
  })

  it('pauses, resumes and steps a run on run:control, and rejects with main’s own message', async () => {
    const asked: unknown[] = []
    ipcMain.handle(IPC.runControl, (_event, runId, command): RunControlReply => {
      asked.push([runId, command])
      return (command as { type: string }).type === 'step'
        ? { ok: false, message: 'this run is not in step mode' }
        : { ok: true }
    })
    await expect(api.controlRun('run-7', { type: 'pause' })).resolves.toBeUndefined()
    await expect(api.controlRun('run-7', { type: 'step', key: 1 })).rejects.toThrow(
      /^this run is not in step mode$/,
    )
    expect(asked).toEqual([
      ['run-7', { type: 'pause' }],
      ['run-7', { type: 'step', key: 1 }],
    ])
  })

  it("forwards what arrives on main's port to every listener, in order, until they unsubscribe", async () => {
    const first: RunStreamMessage[] = []
    const second: RunStreamMessage[] = []
    const unsubscribeFirst = api.onRunMessage((m) => first.push(m))
    api.onRunMessage((m) => second.push(m))

    // Sent before the port reaches the preload: it waits in the port.
    channel.port1.postMessage(started)
    fake.sendToRenderer(IPC.runStream, [channel.port2])
    await waitUntil(() => first.length === 1 && second.length === 1)
    expect(first).toEqual([started])

    unsubscribeFirst()
    channel.port1.postMessage(processStarted)
    await waitUntil(() => second.length === 2)
    expect(second).toEqual([started, processStarted])
    expect(first).toEqual([started])
  })

  it('keeps telling the other listeners when one throws', async () => {
    const heard: RunStreamMessage[] = []
    const quiet = console.error
    console.error = () => {}
    try {
      api.onRunMessage(() => {
        throw new Error('a broken view')
      })
      api.onRunMessage((m) => heard.push(m))
      channel.port1.postMessage(started)
      await waitUntil(() => heard.length === 1)
    } finally {
      console.error = quiet
    }
    expect(heard).toEqual([started])
  })

  it('hands run:events to the page as the bytes main sent when asked for frames, decoded otherwise', async () => {
    const batch = {
      runId: 'run-1',
      events: [{ tUs: 5.5, pid: 0, tid: 0, seq: 0, type: 'print', text: 'hi', line: 2 }],
      cpu: [{ tUs: 6, corePct: [50, 12.5] }],
      threadCpu: [],
    } satisfies RunEventsPayload
    const frame = encodeRunEvents(batch)
    const frames: RunStreamPageMessage[] = []
    const decoded: RunStreamMessage[] = []
    const errors: unknown[][] = []
    const quiet = console.error
    console.error = (...args: unknown[]) => errors.push(args)
    try {
      const offFrames = api.onRunMessage((m) => frames.push(m), { frames: true })
      const offDecoded = api.onRunMessage((m) => decoded.push(m))
      errors.length = 0 // the listener of the test before, which throws, is still there
      // As main posts it: the frame's own ArrayBuffer.
      channel.port1.postMessage(frame.buffer)
      channel.port1.postMessage(started)
      await waitUntil(() => frames.length === 2 && decoded.length === 2)
      expect(frames[0]).toBeInstanceOf(ArrayBuffer)
      expect(new Uint8Array(frames[0] as ArrayBuffer)).toEqual(frame)
      expect(frames[1]).toEqual(started)
      expect(decoded).toEqual([{ type: 'run:events', ...batch }, started])

      // A frame cut short: the frames listener gets it as it came; no decoded listener hears half of it.
      channel.port1.postMessage(frame.slice(0, frame.length - 3).buffer)
      channel.port1.postMessage(processStarted)
      await waitUntil(() => decoded.length === 3)
      expect(frames).toHaveLength(4)
      expect(decoded[2]).toEqual(processStarted)
      const readErrors = errors.filter((e) => e[0] === 'interleave: a run message could not be read:')
      expect(readErrors).toHaveLength(1)
      expect(String(readErrors[0][1])).toMatch(/a run:events frame is truncated: \d+ bytes of its \d+/)
      offFrames()
      offDecoded()
    } finally {
      console.error = quiet
    }
  })

  it('hands recordings main sends to the page, keeping one that came before anyone listened', () => {
    const early = { name: 'early.interleave.json', bytes: new Uint8Array([123, 125]) }
    const late = { name: 'late.interleave.json', error: 'Cannot open late.interleave.json: no such file.' }
    fake.sendToRenderer(IPC.recordingOpen, [], early)
    const heard: unknown[] = []
    const stop = api.onOpenRecording((file) => heard.push(file))
    fake.sendToRenderer(IPC.recordingOpen, [], late)
    expect(heard).toEqual([early, late])
    stop()
    fake.sendToRenderer(IPC.recordingOpen, [], early)
    expect(heard).toHaveLength(2)
  })
})

async function waitUntil(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
