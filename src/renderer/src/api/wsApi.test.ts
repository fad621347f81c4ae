import { describe, expect, it } from 'vitest'
import type { RunStreamMessage, SocketMessage } from '../../../shared/protocol'
import { createWsApi, socketUrlFor } from './wsApi'

/** Enough of a browser WebSocket for the client: listeners, send, and a server to script. */
class FakeSocket {
  readyState = 0
  sent: { id: number; type: string; [k: string]: unknown }[] = []
  private listeners = new Map<string, ((e: { data?: string }) => void)[]>()
  addEventListener(type: string, listener: (e: { data?: string }) => void): void {
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
  })
})
