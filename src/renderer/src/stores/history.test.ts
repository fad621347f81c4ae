import { nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunStreamMessage } from '../../../shared/protocol'
import { backend } from '../../../../tests/support/fakeApi'
import { summarize } from '../../../shared/protocol'
import { makeRecording } from '../../../shared/recording'
import { TRACE_VERSION, type RunRecord, type TraceEvent } from '../../../shared/trace'
import { HISTORY_LIMIT } from '../compare/compare'

vi.mock('../api', () => import('../../../../tests/support/fakeApi').then((m) => m.fakeApiModule))

const { useRunStore } = await import('./run')
const { useHistoryStore } = await import('./history')

function record(mode: string, wallUs: number): RunRecord {
  const events: TraceEvent[] = [
    {
      type: 'thread-start',
      tUs: 1000,
      pid: 0,
      tid: 0,
      seq: 0,
      name: 'MainThread',
      daemon: false,
      parent: null,
    },
    { type: 'state', tUs: 1000, pid: 0, tid: 0, seq: 1, state: 'running', obj: null, line: 1 },
    { type: 'thread-end', tUs: wallUs - 1000, pid: 0, tid: 0, seq: 2, reason: 'returned', error: null },
  ]
  return {
    version: TRACE_VERSION,
    scenario: 'countdown-gil',
    params: { workers: 2, count: 20_000_000, mode },
    options: { gil: true, timeoutS: 30, switchIntervalMs: 5, speed: 1, trace: true },
    program: 'print(1)\n',
    machine: { cores: 2, cpuModel: 'test', os: 'linux', node: '20' },
    startedAt: '2026-12-01T10:00:00.000Z',
    processes: [],
    events,
    cpu: [{ tUs: wallUs, corePct: [100, 100] }],
    threadCpu: [],
    outcome: { status: 'finished', message: 'finished', wallUs, deadlock: null },
    final: [
      {
        pid: 0,
        tid: 0,
        process: 'MainProcess',
        name: 'MainThread',
        state: 'finished',
        obj: null,
        line: 0,
        cpuUs: wallUs / 2,
      },
    ],
    objects: [],
    result: {},
  }
}

/** A live run of the lesson, streamed to its end through the store. */
async function liveRun(mode: string, wallUs: number): Promise<void> {
  const run = useRunStore()
  await run.start('countdown-gil')
  const runId = run.runId as string
  const r = record(mode, wallUs)
  const send = backend.listener as (message: RunStreamMessage) => void
  send({
    type: 'run:started',
    runId,
    scenario: r.scenario,
    params: r.params,
    options: r.options,
    program: r.program,
    cores: 2,
  })
  send({ type: 'run:events', runId, events: r.events, cpu: r.cpu, threadCpu: [] })
  send({ type: 'run:end', runId, summary: summarize(r), verdict: `${mode} verdict` })
  await nextTick()
}

describe('the runs the page keeps for Compare', () => {
  beforeEach(() => {
    vi.stubGlobal('cancelAnimationFrame', () => {})
    setActivePinia(createPinia())
  })

  it('keeps each live run that ends, with its own wall time and verdict', async () => {
    const history = useHistoryStore()
    await liveRun('threads', 3_200_000)
    await liveRun('processes', 1_600_000)
    expect(history.entries.map((e) => e.label)).toEqual([
      '#1 · countdown-gil · mode=threads workers=2 count=20M · 3.20 s',
      '#2 · countdown-gil · mode=processes workers=2 count=20M · 1.60 s',
    ])
    expect(history.entries[1].facts.wallUs).toBe(1_600_000)
    expect(history.entries[1].facts.cpuUs).toBe(800_000)
    expect(history.entries[1].recording.verdict).toBe('processes verdict')
    // The record kept is the whole run, events and all.
    expect(history.entries[0].recording.record.events).toHaveLength(3)
  })

  it('keeps an opened recording once, however often it is played to its end', async () => {
    const history = useHistoryStore()
    const run = useRunStore()
    const recording = makeRecording(record('threads', 2_000_000), 'kept', {
      name: 'Interleave',
      version: '0',
      electron: null,
    })
    await run.openRecording(recording, 'lesson.interleave.json.gz')
    await nextTick()
    run.seekReplay(0)
    await nextTick()
    run.seekReplay(2_000_000)
    await nextTick()
    expect(history.entries).toHaveLength(1)
    expect(history.entries[0].file).toBe('lesson.interleave.json.gz')
    expect(history.entries[0].label).toMatch(/ · lesson\.interleave\.json\.gz$/)
    expect(history.entries[0].recording).toBe(recording)
  })

  it(`keeps only the newest ${HISTORY_LIMIT}`, async () => {
    const history = useHistoryStore()
    for (let i = 1; i <= HISTORY_LIMIT + 2; i++) await liveRun('threads', i * 100_000)
    expect(history.entries).toHaveLength(HISTORY_LIMIT)
    expect(history.entries.map((e) => e.id)).toEqual(Array.from({ length: HISTORY_LIMIT }, (_, i) => i + 3))
  })
})
