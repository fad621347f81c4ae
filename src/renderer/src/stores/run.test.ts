/**
 * The run store's events: a live run's held as a table (columns) as they stream, a recording's as
 * the reader left them; either way what is saved again is what came in, event for event.
 */
import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunStreamMessage } from '../../../shared/protocol'
import { backend } from '../../../../tests/support/fakeApi'
import { summarize } from '../../../shared/protocol'
import { eventTableOf } from '../../../shared/eventTable'
import { parseRecording, recordingText } from '../../../shared/recording'
import { syntheticRecording } from '../../../../tests/support/syntheticRecording'

vi.mock('../api', () => import('../../../../tests/support/fakeApi').then((m) => m.fakeApiModule))

const { useRunStore } = await import('./run')

/** A made-up run with every kind of event a lesson makes, and causal links. */
const made = syntheticRecording({ events: 4000, threads: 6, locks: 2, seed: 11 })

describe('the run store’s events', () => {
  beforeEach(() => {
    vi.stubGlobal('cancelAnimationFrame', () => {})
    vi.stubGlobal('requestAnimationFrame', () => 0)
    setActivePinia(createPinia())
  })

  it('holds a live run’s events as they stream, and its record gives them all back', async () => {
    const run = useRunStore()
    await run.start('synthetic')
    const runId = run.runId as string
    const send = backend.listener as (message: RunStreamMessage) => void
    const { record } = made
    send({
      type: 'run:started',
      runId,
      scenario: 'synthetic',
      params: {},
      options: record.options,
      program: '',
      cores: 8,
    })
    const events = record.events
    for (let i = 0; i < events.length; i += 700) {
      send({ type: 'run:events', runId, events: events.slice(i, i + 700), cpu: [], threadCpu: [] })
    }
    expect(run.events.length).toBe(events.length)
    expect(run.events.slice(10, 20)).toEqual(events.slice(10, 20))
    expect(run.trace.eventCount).toBe(events.length)
    send({
      type: 'run:end',
      runId,
      summary: summarize({ ...record, cpu: [], threadCpu: [] }),
      verdict: 'made up',
    })
    await nextTick()
    const end = run.ended!
    expect(end.missed).toBeNull()
    expect(eventTableOf(end.record)).toBe(run.events)
    expect(end.record.events).toEqual(events)
    // Saved (version 2, from the table) and read back: the same events.
    const saved = parseRecording(JSON.parse(recordingText(run.currentRecording()!)))
    expect(saved.record.events).toEqual(events)
  })

  it('shows a recording read compactly, whole, and saves the same events again', async () => {
    const run = useRunStore()
    const read = parseRecording(JSON.parse(recordingText(made)), { compact: true })
    expect(eventTableOf(read.record)).not.toBeNull()
    await run.openRecording(read, 'made.interleave.json.gz')
    expect(run.trace.eventCount).toBe(made.record.events.length)
    expect(run.phase).toBe('ended')
    // Back to the start and forward again: a new trace, built the same.
    run.seekReplay(0)
    expect(run.trace.eventCount).toBeLessThan(made.record.events.length)
    run.seekReplay(Infinity)
    expect(run.trace.eventCount).toBe(made.record.events.length)
    const again = parseRecording(JSON.parse(recordingText(run.currentRecording()!)))
    expect(again.record).toEqual(made.record)
  })
})
