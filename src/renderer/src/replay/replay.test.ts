import { describe, expect, it } from 'vitest'
import type { RunRecord, TraceEvent } from '../../../shared/trace'
import { eventsByTime, Replay } from './replay'

const ev = (pid: number, tid: number, seq: number, tUs: number, rest: Record<string, unknown>): TraceEvent =>
  ({ pid, tid, seq, tUs, ...rest }) as TraceEvent

/** MainThread starts a worker in process 0 and prints; a child process runs from 300 to 800 µs. */
function record(): RunRecord {
  const events: TraceEvent[] = [
    ev(0, 0, 0, 10, { type: 'thread-start', name: 'MainThread', daemon: false, parent: null }),
    ev(0, 0, 1, 20, { type: 'state', state: 'running', obj: null, line: 3 }),
    ev(0, 0, 2, 400, { type: 'print', text: 'early', line: 4 }),
    ev(0, 0, 3, 900, { type: 'print', text: 'late', line: 5 }),
    ev(0, 0, 4, 1000, { type: 'thread-end', reason: 'returned', error: null }),
    // A worker whose second event carries an earlier time than its first (stamped elsewhere).
    ev(0, 1, 0, 100, { type: 'thread-start', name: 'Thread-1', daemon: false, parent: 0 }),
    ev(0, 1, 1, 500, { type: 'state', state: 'sleeping', obj: null, line: 8 }),
    ev(0, 1, 2, 450, { type: 'state', state: 'running', obj: null, line: 9 }),
    ev(1, 0, 0, 300, { type: 'thread-start', name: 'MainThread', daemon: false, parent: 0 }),
    ev(1, 0, 1, 800, { type: 'thread-end', reason: 'returned', error: null }),
  ]
  return {
    processes: [
      {
        pid: 0,
        name: 'MainProcess',
        parent: null,
        startMethod: null,
        osPid: 10,
        startUs: 0,
        endUs: 1000,
        exitCode: 0,
        signal: null,
        cpuUs: 900,
      },
      {
        pid: 1,
        name: 'Process-1',
        parent: 0,
        startMethod: 'spawn',
        osPid: 11,
        startUs: 250,
        endUs: 800,
        exitCode: 0,
        signal: null,
        cpuUs: 400,
      },
    ],
    events,
    cpu: [200, 600, 1000].map((tUs) => ({ tUs, corePct: [50, 10] })),
    threadCpu: [],
    outcome: { status: 'finished', message: 'finished', wallUs: 1000, deadlock: null },
  } as unknown as RunRecord
}

describe('Replay', () => {
  it('shows the run as it stood at the playhead: events, prints, processes, CPU', () => {
    const replay = new Replay(record())
    expect(replay.durationUs).toBe(1000)
    expect(replay.firstUs).toBe(10)
    const t = replay.seek(450)
    expect(t.prints.map((p) => p.text)).toEqual(['early'])
    expect(t.cpu).toHaveLength(1)
    expect([...t.threads.values()].map((th) => th.name).sort()).toEqual([
      'MainThread',
      'MainThread',
      'Thread-1',
    ])
    // The child process had started but not ended yet.
    expect(t.processes.get(1)?.endUs).toBeNull()
    expect(t.endUs).toBeNull()
    expect(t.nowUs).toBe(450)
    expect(replay.atEnd).toBe(false)
  })

  it('keeps a thread’s events in recorded order even when a later one carries an earlier time', () => {
    const replay = new Replay(record())
    const t = replay.seek(1000)
    const worker = [...t.threads.values()].find((th) => th.name === 'Thread-1')
    expect(worker?.slices.toArray().map((s) => s.state)).toEqual(['sleeping', 'running'])
  })

  it('moves forward on the same trace, and back on a new one', () => {
    const replay = new Replay(record())
    const a = replay.seek(300)
    const b = replay.seek(950)
    expect(b).toBe(a)
    expect(b.prints).toHaveLength(2)
    const c = replay.seek(100)
    expect(c).not.toBe(a)
    expect(c.prints).toHaveLength(0)
    // Only what had happened by 100 µs: MainThread's start and state, and the worker's start.
    expect(c.eventCount).toBe(3)
    expect([...c.threads.values()].map((t) => t.name).sort()).toEqual(['MainThread', 'Thread-1'])
  })

  it('ends the trace at the run’s end, with every process as it ended', () => {
    const replay = new Replay(record())
    const t = replay.seek(5000)
    expect(replay.atEnd).toBe(true)
    expect(replay.playheadUs).toBe(1000)
    expect(t.endUs).toBe(1000)
    expect(t.processes.get(1)?.endUs).toBe(800)
    expect(t.eventCount).toBe(10)
  })

  it('orders events as a stable sort by time would, each thread no earlier than its last event', () => {
    // The plain way it used to be done: the merge must give exactly this order.
    const reference = (events: TraceEvent[]): TraceEvent[] => {
      const latest = new Map<string, number>()
      return events
        .map((e, i) => {
          const thread = `${e.pid}:${e.tid}`
          const t = Math.max(latest.get(thread) ?? 0, e.tUs)
          latest.set(thread, t)
          return { e, t, i }
        })
        .sort((a, b) => a.t - b.t || a.i - b.i)
        .map(({ e }) => e)
    }
    let seed = 99
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
      return Math.floor((seed / 2 ** 32) * n)
    }
    for (let round = 0; round < 200; round++) {
      const threads = 1 + random(12)
      const clocks = new Array<number>(threads).fill(0)
      const seqs = new Array<number>(threads).fill(0)
      const events: TraceEvent[] = []
      const n = random(400)
      for (let i = 0; i < n; i++) {
        const th = random(threads)
        // Mostly forward in coarse steps (so that times tie across threads), sometimes back.
        clocks[th] = Math.max(0, clocks[th] + random(5) - (random(6) === 0 ? 8 : 0))
        events.push(ev(th % 3, th, seqs[th]++, clocks[th], { type: 'print', text: `${i}`, line: 1 }))
      }
      expect(eventsByTime(events)).toEqual(reference(events))
    }
    expect(eventsByTime([])).toEqual([])
  })
})
