import { describe, expect, it } from 'vitest'
import type { BatchStreamMessage } from '../../../shared/batch'
import type { RunStreamMessage, SocketMessage } from '../../../shared/protocol'
import { encodeRunEvents, type RunEventsPayload } from '../../../shared/eventCodec'
import { createWsApi, socketUrlFor } from './wsApi'

/** Enough of a browser WebSocket for the client: listeners, send, and a server to script. */
class FakeSocket {
  readyState = 0
  binaryType = 'blob'
  sent: { id: number; type: string; [k: string]: unknown }[] = []
  private listeners = new Map<string, ((e: { data?: string | ArrayBuffer }) => void)[]>()
  addEventListener(type: string, listener: (e: { data?: string | ArrayBuffer }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener])
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data))
  }
  emit(type: string, data?: SocketMessage): void {
    if (type === 'open') this.readyState = 1
    if (type === 'close') this.readyState = 3
    for (const l of this.listeners.get(type) ?? []) l({ data: data && JSON.stringify(data) })
  }
  /** A binary frame, as a browser hands it with binaryType 'arraybuffer'. */
  emitBytes(bytes: Uint8Array): void {
    if (this.binaryType !== 'arraybuffer') throw new Error(`the client asked for ${this.binaryType}s`)
    const data = bytes.slice().buffer
    for (const l of this.listeners.get('message') ?? []) l({ data })
  }
}

function setUp() {
  const sockets: FakeSocket[] = []
  const api = createWsApi('ws://host/api', () => {
    const s = new FakeSocket()
    sockets.push(s)
    return s as unknown as WebSocket
  })
  return { api, sockets }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('createWsApi', () => {
  it('answers each call by its id, and rejects with the server’s message', async () => {
    const { api, sockets } = setUp()
    const list = api.listScenarios()
    const start = api.startRun({ scenario: 'nope', params: {} })
    sockets[0].emit('open')
    await tick()
    expect(sockets).toHaveLength(1)
    const [listReq, startReq] = sockets[0].sent
    expect(listReq.type).toBe('scenarios:list')
    expect(startReq).toMatchObject({ type: 'run:start', request: { scenario: 'nope' } })
    sockets[0].emit('message', { type: 'api:error', id: startReq.id, message: "unknown scenario 'nope'" })
    sockets[0].emit('message', { type: 'api:reply', id: listReq.id, value: [] })
    await expect(list).resolves.toEqual([])
    await expect(start).rejects.toThrow("unknown scenario 'nope'")
  })

  it('hands stream messages to listeners until they unsubscribe', async () => {
    const { api, sockets } = setUp()
    const got: RunStreamMessage[] = []
    const off = api.onRunMessage((m) => got.push(m))
    sockets[0].emit('open')
    const message: RunStreamMessage = { type: 'run:events', runId: 'r', events: [], cpu: [], threadCpu: [] }
    sockets[0].emit('message', { type: 'run:stream', message })
    off()
    sockets[0].emit('message', { type: 'run:stream', message })
    expect(got).toEqual([message])
  })

  it('decodes run:events from binary frames for every listener, and drops a frame it cannot read', async () => {
    const reports: string[] = []
    const quiet = console.error
    console.error = (why: string) => reports.push(why)
    try {
      const { api, sockets } = setUp()
      const first: RunStreamMessage[] = []
      const second: RunStreamMessage[] = []
      api.onRunMessage((m) => first.push(m))
      api.onRunMessage((m) => second.push(m))
      sockets[0].emit('open')
      const batch: RunEventsPayload = {
        runId: 'r',
        events: [{ tUs: 1.5, pid: 0, tid: 1, seq: 3, type: 'state', state: 'sleeping', obj: null, line: 4 }],
        cpu: [],
        threadCpu: [{ tUs: 2, pid: 0, tid: 1, cpuUs: 120, core: 1 }],
      }
      const frame = encodeRunEvents(batch)
      sockets[0].emitBytes(frame)
      const broken = frame.slice()
      broken[20] ^= 4
      sockets[0].emitBytes(broken)
      const ended: RunStreamMessage = { type: 'run:paused', runId: 'r', paused: true }
      sockets[0].emit('message', { type: 'run:stream', message: ended })
      expect(first).toEqual([{ type: 'run:events', ...batch }, ended])
      expect(second).toEqual(first)
      // Decoded once for all listeners: both hold the same message.
      expect(second[0]).toBe(first[0])
      expect(reports).toEqual([
        'interleave: a run message was dropped: a run:events frame is corrupt: its checksum does not match its bytes',
      ])
    } finally {
      console.error = quiet
    }
  })

  it('rejects calls in flight when the socket closes, and reconnects for the next', async () => {
    const { api, sockets } = setUp()
    const stop = api.stopRun('r')
    sockets[0].emit('open')
    await tick()
    sockets[0].emit('close')
    await expect(stop).rejects.toThrow(/closed/)
    const again = api.listScenarios()
    expect(sockets).toHaveLength(2)
    sockets[1].emit('open')
    await tick()
    sockets[1].emit('message', { type: 'api:reply', id: sockets[1].sent[0].id, value: [] })
    await expect(again).resolves.toEqual([])
  })

  it('connects to /api on the page’s origin', () => {
    expect(socketUrlFor({ protocol: 'http:', host: '127.0.0.1:5174' })).toBe('ws://127.0.0.1:5174/api')
    expect(socketUrlFor({ protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/api')
    // A server listening beyond loopback hands the page its token in the address; the socket brings it.
    expect(socketUrlFor({ protocol: 'http:', host: '10.0.0.5:5174', search: '?token=a%2Bb' })).toBe(
      'ws://10.0.0.5:5174/api?token=a%2Bb',
    )
  })
})

describe('createWsApi, run many', () => {
  it('starts, cancels and fetches a kept run, whose base64 becomes its bytes', async () => {
    const socket = new FakeSocket()
    const api = createWsApi('ws://host/api', () => socket as unknown as WebSocket)
    const start = api.startBatch({ run: { scenario: 'race-counter', params: {} }, runs: 0 })
    socket.emit('open')
    await tick()
    expect(socket.sent[0]).toMatchObject({ type: 'batch:start', request: { runs: 0 } })
    socket.emit('message', { type: 'api:error', id: socket.sent[0].id, message: 'from 1 to 1000; got 0' })
    await expect(start).rejects.toThrow('from 1 to 1000; got 0')

    const cancel = api.cancelBatch('batch-1')
    await tick()
    expect(socket.sent[1]).toMatchObject({ type: 'batch:cancel', batchId: 'batch-1' })
    socket.emit('message', { type: 'api:reply', id: socket.sent[1].id, value: null })
    await cancel

    const run = api.batchRun('batch-1', 7)
    await tick()
    expect(socket.sent[2]).toMatchObject({ type: 'batch:run', batchId: 'batch-1', run: 7 })
    const bytes = new Uint8Array([0, 31, 139, 200, 255])
    socket.emit('message', {
      type: 'api:reply',
      id: socket.sent[2].id,
      value: { base64: btoa(String.fromCharCode(...bytes)) },
    })
    expect(await run).toEqual(bytes)
  })

  it('hands batch:stream to batch listeners only, until they unsubscribe', () => {
    const socket = new FakeSocket()
    const api = createWsApi('ws://host/api', () => socket as unknown as WebSocket)
    const batches: BatchStreamMessage[] = []
    const runs: RunStreamMessage[] = []
    const off = api.onBatchMessage((m) => batches.push(m))
    api.onRunMessage((m) => runs.push(m))
    socket.emit('open')
    const message: BatchStreamMessage = {
      type: 'batch:progress',
      batchId: 'batch-1',
      done: 3,
      total: 10,
      value: { value: 'finished', count: 3, firstRun: 0, kept: true },
      expected: null,
    }
    socket.emit('message', { type: 'batch:stream', message })
    off()
    socket.emit('message', { type: 'batch:stream', message })
    expect(batches).toEqual([message])
    expect(runs).toEqual([])
  })
})
