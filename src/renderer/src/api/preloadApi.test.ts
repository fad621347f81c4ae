import { afterEach, describe, expect, it } from 'vitest'
import { encodeRunEvents, type RunEventsPayload } from '../../../shared/eventCodec'
import type { RunStreamMessage, RunStreamPageMessage } from '../../../shared/protocol'
import { preloadApi } from './preloadApi'

/** window.interleave as the preload exposes it, with only the run stream: what the test posts. */
function fakeBridge() {
  const asked: { frames: boolean }[] = []
  let tell: ((m: RunStreamPageMessage) => void) | null = null
  const bridge = {
    onRunMessage(listener: (m: RunStreamPageMessage) => void, options?: { frames: true }) {
      asked.push({ frames: options?.frames === true })
      tell = listener
      return () => (tell = null)
    },
  }
  const post = (m: RunStreamPageMessage): void => tell?.(m)
  return { bridge, asked, post }
}

describe('preloadApi', () => {
  afterEach(() => {
    delete (globalThis as { window?: unknown }).window
  })

  it('asks the bridge for frames, and hands the store run:events decoded in the page', () => {
    const { bridge, asked, post } = fakeBridge()
    ;(globalThis as { window?: unknown }).window = { interleave: bridge }
    const heard: RunStreamMessage[] = []
    const off = preloadApi.onRunMessage((m) => heard.push(m))
    expect(asked).toEqual([{ frames: true }])

    const batch: RunEventsPayload = {
      runId: 'run-3',
      events: [
        {
          tUs: 10.75,
          pid: 1,
          tid: 0,
          seq: 9,
          type: 'op',
          obj: 4,
          op: 'get',
          result: 'ok',
          line: 12,
          after: { depth: 0, unfinished: 1, waiters: 0 },
          cause: 12,
          value: "'job'",
        },
      ],
      cpu: [{ tUs: 11, corePct: [99.5] }],
      threadCpu: [],
    }
    const started: RunStreamMessage = { type: 'run:paused', runId: 'run-3', paused: false }
    post(started)
    post(encodeRunEvents(batch).buffer as ArrayBuffer)
    expect(heard).toEqual([started, { type: 'run:events', ...batch }])
    off()
    post(started)
    expect(heard).toHaveLength(2)
  })
})
