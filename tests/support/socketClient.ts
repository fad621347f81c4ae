/** A test client of browser mode's `/api` socket: requests by id; run and batch messages collected in order. */
import { vi } from 'vitest'
import WebSocket from 'ws'
import type { BatchStreamMessage } from '../../src/shared/batch'
import { toRunStreamMessage } from '../../src/shared/eventCodec'
import type { RunStreamMessage, SocketMessage, SocketRequest } from '../../src/shared/protocol'

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never
/** The server's answer to a request. */
export type Answer = Extract<SocketMessage, { type: 'api:reply' | 'api:error' }>

export class SocketClient {
  readonly stream: RunStreamMessage[] = []
  readonly batches: BatchStreamMessage[] = []
  /** The messages of refusals without an id: of frames the server could not read as a request. */
  readonly refusedWithoutId: string[] = []
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  /** Who waits for the next answer, by `exchange`. */
  private readonly exchanges: ((answer: Answer) => void)[] = []

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      // A run's events come as binary frames (src/shared/eventCodec.ts).
      if (isBinary) return void this.stream.push(toRunStreamMessage(data))
      const m = JSON.parse(data.toString()) as SocketMessage
      if (m.type === 'run:stream') this.stream.push(m.message)
      else if (m.type === 'batch:stream') this.batches.push(m.message)
      else if (this.exchanges.length > 0) this.exchanges.shift()?.(m)
      else if (m.type === 'api:error' && m.id === null) this.refusedWithoutId.push(m.message)
      else if (m.id !== null) {
        const w = this.waiting.get(m.id)
        this.waiting.delete(m.id)
        if (m.type === 'api:reply') w?.resolve(m.value)
        else w?.reject(new Error(m.message))
      }
    })
  }

  static open(url: string): Promise<SocketClient> {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + 'api')
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new SocketClient(ws)))
      ws.once('error', reject)
    })
  }

  call(request: WithoutId<SocketRequest>): Promise<unknown> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ ...request, id }))
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }))
  }

  /**
   * Sends `frame` as it is (text, or binary when asked) and resolves with the next answer, an
   * api:reply or api:error, which must be the answer to it: one exchange at a time, and no `call`
   * in flight meanwhile.
   */
  exchange(frame: string | Buffer, binary = false): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.exchanges.push(resolve)
      this.ws.send(frame, { binary }, (e) => e && reject(e))
    })
  }

  async until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out waiting')
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  /** The end of a batch, once it has come. */
  end(batchId: string): Promise<Extract<BatchStreamMessage, { type: 'batch:end' }>> {
    return vi.waitFor(
      () => {
        const end = this.batches.find((m) => m.type === 'batch:end' && m.batchId === batchId)
        if (end?.type !== 'batch:end') throw new Error('no batch:end yet')
        return end
      },
      { timeout: 60_000, interval: 50 },
    )
  }
}
