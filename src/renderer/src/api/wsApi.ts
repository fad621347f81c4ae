import type { InterleaveApi } from '../../../preload/index.d'
import type { RunStreamMessage, SocketMessage, SocketRequest } from '../../../shared/protocol'
import type { BatchStreamMessage } from '../../../shared/batch'
import { hearRunStream } from './runStream'

/**
 * Where browser mode's backend listens: `/api` on the page's own origin, with the token the page's
 * address carries when the server asks for one (it listens beyond this machine).
 */
export function socketUrlFor(location: { protocol: string; host: string; search?: string }): string {
  const token = new URLSearchParams(location.search ?? '').get('token')
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/api${query}`
}

/** WebSocket.OPEN, spelled out so that this module loads where no WebSocket global exists (tests). */
const OPEN = 1

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void }
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never
type Request = WithoutId<SocketRequest>

/**
 * Browser mode's backend: InterleaveApi over one WebSocket, opened on first use and reopened
 * when a call finds it closed. Calls in flight when it closes are rejected. Every frame is JSON but
 * a run's events, which are bytes.
 */
export function createWsApi(url: string, makeSocket = (u: string) => new WebSocket(u)): InterleaveApi {
  const listeners = new Set<(message: RunStreamMessage) => void>()
  const batchListeners = new Set<(message: BatchStreamMessage) => void>()
  const pending = new Map<number, Pending>()
  let nextId = 1
  let socket: WebSocket | null = null
  let opened: Promise<WebSocket> | null = null
  const tellRun = (message: RunStreamMessage): void => {
    for (const listener of listeners) listener(message)
  }
  const hearFrame = hearRunStream(tellRun)

  function connect(): Promise<WebSocket> {
    if (opened && socket && socket.readyState <= OPEN) return opened
    const ws = makeSocket(url)
    socket = ws
    opened = new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(ws), { once: true })
      ws.addEventListener('error', () => reject(new Error(`could not reach Interleave's server at ${url}`)), {
        once: true,
      })
    })
    // A run's events come as binary frames (src/shared/eventCodec.ts), read here in one go.
    ws.binaryType = 'arraybuffer'
    ws.addEventListener('message', (event: MessageEvent<string | ArrayBuffer>) => {
      if (typeof event.data !== 'string') return hearFrame(event.data)
      const message = JSON.parse(event.data) as SocketMessage
      if (message.type === 'run:stream') return tellRun(message.message)
      if (message.type === 'batch:stream') {
        for (const listener of batchListeners) listener(message.message)
        return
      }
      // An error without an id refused a message the server could not read: no call waits for it.
      if (message.id === null) return
      const waiter = pending.get(message.id)
      pending.delete(message.id)
      if (message.type === 'api:reply') waiter?.resolve(message.value)
      else waiter?.reject(new Error(message.message))
    })
    ws.addEventListener('close', () => {
      for (const waiter of pending.values())
        waiter.reject(new Error("the connection to Interleave's server closed"))
      pending.clear()
      if (socket === ws) {
        socket = null
        opened = null
      }
    })
    return opened
  }

  async function call<T>(request: Request): Promise<T> {
    const ws = await connect()
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      ws.send(JSON.stringify({ ...request, id }))
    })
  }

  return {
    listScenarios: () => call({ type: 'scenarios:list' }),
    startRun: (request) => call({ type: 'run:start', request }),
    stopRun: (runId) => call({ type: 'run:stop', runId }),
    controlRun: (runId, command) => call({ type: 'run:control', runId, command }),
    playerTemplate: () => call({ type: 'player:template' }),
    startBatch: (request) => call({ type: 'batch:start', request }),
    cancelBatch: (batchId) => call({ type: 'batch:cancel', batchId }),
    // JSON carries the recording's gzipped bytes as base64.
    batchRun: async (batchId, run) =>
      fromBase64((await call<{ base64: string }>({ type: 'batch:run', batchId, run })).base64),
    onBatchMessage(listener) {
      batchListeners.add(listener)
      void connect().catch(() => {})
      return () => batchListeners.delete(listener)
    },
    onRunMessage(listener) {
      listeners.add(listener)
      void connect().catch(() => {}) // so that the stream flows even before the first call
      return () => listeners.delete(listener)
    },
    // No main process hands files to a browser tab: it opens them itself (Open…, a drop).
    onOpenRecording: () => () => {},
  }
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
