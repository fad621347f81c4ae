/**
 * Opening a recording as the page does (openRecordingBytes: read, check, then the run store's
 * replay), with a million events: accepted, and whole in the store. How long it takes is the
 * benchmark's to say (timed tests flake on a shared machine); this says that it works.
 */
import { createPinia, setActivePinia } from 'pinia'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { syntheticRecording } from '../../../../tests/support/syntheticRecording'
import { RecordingError, writeRecording } from '../../../shared/recording'

vi.mock('../api', () => ({
  api: {
    onRunMessage: () => () => {},
    stopRun: async () => {},
  },
}))

// The page waits for frames to paint its progress; Node has none.
vi.stubGlobal('requestAnimationFrame', (callback: (now: number) => void) =>
  setTimeout(() => callback(performance.now()), 0),
)
vi.stubGlobal('cancelAnimationFrame', (frame: ReturnType<typeof setTimeout>) => clearTimeout(frame))

const { openRecordingBytes, OPEN_MARKS } = await import('./openRecording')
const { useRunStore } = await import('../stores/run')

const EVENTS = 1_000_000

describe('opening a recording in the page', () => {
  let bytes: Uint8Array

  beforeAll(async () => {
    bytes = await writeRecording(syntheticRecording(EVENTS), true)
  }, 120_000)

  it('opens a million-event recording whole, saying how far it has got', async () => {
    setActivePinia(createPinia())
    const said: number[] = []
    const recording = await openRecordingBytes(bytes, 'million.interleave.json.gz', (p) => said.push(p))
    expect(recording.record.events).toHaveLength(EVENTS)
    expect(recording.record.threadCpu.length).toBeGreaterThan(0)

    const run = useRunStore()
    expect(run.replayState?.name).toBe('million.interleave.json.gz')
    expect(run.phase).toBe('ended')
    expect(run.trace.eventCount).toBe(EVENTS)
    expect(run.trace.threads.size).toBe(64)
    expect(run.trace.endUs).toBe(recording.record.outcome.wallUs)
    expect(run.currentRecording()).toBe(recording)

    // Progress only goes forward, from 0 to the read's share, and the steps are marked for benchmarks.
    expect(said[0]).toBe(0)
    expect(said.at(-1)).toBe(80)
    expect(said.every((p, i) => i === 0 || p >= said[i - 1])).toBe(true)
    for (const mark of Object.values(OPEN_MARKS)) {
      expect(performance.getEntriesByName(mark, 'mark').length).toBeGreaterThan(0)
    }
  }, 120_000)

  it('refuses a damaged one in words, leaving the store as it was', async () => {
    setActivePinia(createPinia())
    const damaged = new TextEncoder().encode('{"format": "interleave-recording", "version": 1, "record": {}}')
    await expect(openRecordingBytes(damaged, 'damaged.interleave.json')).rejects.toThrow(RecordingError)
    await expect(openRecordingBytes(damaged, 'damaged.interleave.json')).rejects.toThrow(
      /^This recording is damaged: app: Invalid input/,
    )
    expect(useRunStore().replayState).toBeNull()
  })
})
