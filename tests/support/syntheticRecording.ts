/**
 * A valid recording of any size, made up rather than run: for tests and benchmarks that need a
 * million events without running a lesson for minutes. Deterministic (a fixed seed), so two calls
 * with the same arguments give the same recording.
 *
 * Its shape follows a real run's: each thread starts, then takes turns at a few locks and a queue
 * (state changes, acquires and releases with the object's state after them and the release that let
 * each acquire in as its cause, puts and gets, now and then a print), and ends; MainThread creates
 * the objects and starts the threads. About two thirds of the events are state changes, as in a real
 * run. CPU samples come about 12 times a second on 8 cores, and each thread's CPU time with each.
 */
import { makeRecording, type Recording } from '../../src/shared/recording'
import {
  eventId,
  threadKey,
  TRACE_VERSION,
  type CpuSample,
  type FinalObjectState,
  type FinalThreadState,
  type ThreadCpuSample,
  type TraceEvent,
} from '../../src/shared/trace'

const CORES = 8
/** Events a thread records before the next thread's turn, as a batch would carry them. */
const BATCH = 16

/** What to make: `events` exactly, on `threads` threads taking turns at `locks` locks, from `seed`. */
export interface SyntheticSpec {
  events: number
  /** Threads, MainThread included: one lane each. 64 unless given. */
  threads?: number
  /** 8 unless given. */
  locks?: number
  seed?: number
}

/** The benchmark's recording: a million events on 64 thread lanes, four locks. */
export const MILLION_EVENTS = { events: 1_000_000, threads: 64, locks: 4, seed: 8 } as const

/** A small linear congruential generator: the same numbers on every machine. */
function generator(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

interface ThreadCursor {
  tid: number
  seq: number
  tUs: number
  /** Where it is in its loop (0..5), and which lock it takes this time round. */
  step: number
  lock: number
  cpuUs: number
}

/**
 * A recording of exactly `events` events (at least 2 a thread plus MainThread's setup) from `threads`
 * threads of one process (MainThread among them), with CPU samples over the run's length. Events are
 * in the order they would stream: each thread's in order, threads in turns of a batch.
 */
export function syntheticRecording(spec: SyntheticSpec | number, threadCount?: number): Recording {
  const {
    events,
    threads = 64,
    locks = 8,
    seed = 0x1f2e3d4c,
  } = typeof spec === 'number' ? { events: spec, threads: threadCount } : spec
  if (!Number.isInteger(threads) || threads < 1 || threads > 4096) throw new Error('1 to 4096 threads')
  if (!Number.isInteger(locks) || locks < 1 || locks > 1000) throw new Error('1 to 1000 locks')
  /** The objects MainThread makes: locks 0..locks-1, then the queue. */
  const queue = locks
  // MainThread's start, its locks and queue, and a thread object and a start op per other thread.
  const setup = 1 + (locks + 1) + 2 * (threads - 1)
  const minimum = setup + 2 * threads // and every thread's start and end
  if (!Number.isInteger(events) || events < minimum) {
    throw new Error(`a synthetic recording of ${threads} threads has at least ${minimum} events`)
  }
  const random = generator(seed)
  const pid = 0
  const out: TraceEvent[] = []
  /** Moves a thread's clock on by about `us` (times 16: a million events make a run of about 20 s). */
  const advance = (t: ThreadCursor, us: number) => {
    t.tUs += 16 * us * (0.5 + random())
  }
  /** Each lock's owner (a thread key, or null) and the release that freed it last (an event id). */
  const owner: (number | null)[] = new Array(locks).fill(null)
  const lastRelease: (number | null)[] = new Array(locks).fill(null)
  let depth = 0
  let lastPut: number | null = null

  // MainThread: starts, makes the objects, starts the other threads.
  const main: ThreadCursor = { tid: 0, seq: 0, tUs: 1000, step: 0, lock: 0, cpuUs: 0 }
  out.push({
    tUs: main.tUs,
    pid,
    tid: 0,
    seq: main.seq++,
    type: 'thread-start',
    name: 'MainThread',
    daemon: false,
    parent: null,
  })
  for (let i = 0; i < locks; i++) {
    advance(main, 20)
    out.push({
      tUs: main.tUs,
      pid,
      tid: 0,
      seq: main.seq++,
      type: 'object',
      obj: i,
      kind: 'lock',
      name: `lock${i}`,
      size: 0,
    })
  }
  advance(main, 20)
  out.push({
    tUs: main.tUs,
    pid,
    tid: 0,
    seq: main.seq++,
    type: 'object',
    obj: queue,
    kind: 'queue',
    name: 'q',
    size: 0,
  })
  const cursors: ThreadCursor[] = [main]
  for (let tid = 1; tid < threads; tid++) {
    advance(main, 30)
    const name = `Thread-${tid} (worker)`
    out.push({
      tUs: main.tUs,
      pid,
      tid: 0,
      seq: main.seq++,
      type: 'object',
      obj: queue + tid,
      kind: 'thread',
      name,
      size: 0,
    })
    advance(main, 50)
    out.push({
      tUs: main.tUs,
      pid,
      tid: 0,
      seq: main.seq++,
      type: 'op',
      obj: queue + tid,
      op: 'start',
      result: 'ok',
      line: 40,
      after: { alive: 1 },
      cause: null,
      value: name,
    })
    cursors.push({ tid, seq: 0, tUs: main.tUs + 30, step: 0, lock: tid % locks, cpuUs: 0 })
  }

  // Every thread's own events, in batches, each thread in turn; the last two are its end.
  const budget = events - out.length
  const perThread = cursors.map((_, i) => Math.floor(budget / threads) + (i < budget % threads ? 1 : 0))
  const left = [...perThread]
  const started = new Array<boolean>(threads).fill(false)
  started[0] = true
  for (let active = threads; active > 0;) {
    active = 0
    for (let i = 0; i < threads; i++) {
      const t = cursors[i]
      for (let n = 0; n < BATCH && left[i] > 0; n++) {
        if (!started[i]) {
          started[i] = true
          out.push({
            tUs: t.tUs,
            pid,
            tid: t.tid,
            seq: t.seq++,
            type: 'thread-start',
            name: `Thread-${t.tid} (worker)`,
            daemon: false,
            parent: 0,
          })
        } else if (left[i] === 2) {
          advance(t, 40)
          out.push({
            tUs: t.tUs,
            pid,
            tid: t.tid,
            seq: t.seq++,
            type: 'state',
            state: 'finished',
            obj: null,
            line: 0,
          })
        } else if (left[i] === 1) {
          out.push({
            tUs: t.tUs,
            pid,
            tid: t.tid,
            seq: t.seq++,
            type: 'thread-end',
            reason: 'returned',
            error: null,
          })
        } else {
          out.push(nextEvent(t))
        }
        left[i]--
      }
      if (left[i] > 0) active++
    }
  }

  /** The thread's next event in its loop: run, block on a lock, hold it, release it, hand on an item. */
  function nextEvent(t: ThreadCursor): TraceEvent {
    const key = threadKey(pid, t.tid)
    const lock = t.lock
    const line = 10 + t.step
    switch (t.step++ % 6) {
      case 0:
        advance(t, 200)
        t.cpuUs += 16 * 150
        return { tUs: t.tUs, pid, tid: t.tid, seq: t.seq++, type: 'state', state: 'running', obj: null, line }
      case 1:
        advance(t, 30)
        return { tUs: t.tUs, pid, tid: t.tid, seq: t.seq++, type: 'state', state: 'blocked', obj: lock, line }
      case 2: {
        advance(t, 120)
        owner[lock] = key
        return {
          tUs: t.tUs,
          pid,
          tid: t.tid,
          seq: t.seq++,
          type: 'op',
          obj: lock,
          op: 'acquire',
          result: 'ok',
          line,
          after: { owner: key, waiters: Math.floor(random() * 4) },
          cause: lastRelease[lock],
          value: null,
        }
      }
      case 3:
        advance(t, 10)
        return { tUs: t.tUs, pid, tid: t.tid, seq: t.seq++, type: 'state', state: 'running', obj: null, line }
      case 4: {
        advance(t, 80)
        t.cpuUs += 16 * 60
        owner[lock] = null
        const e: TraceEvent = {
          tUs: t.tUs,
          pid,
          tid: t.tid,
          seq: t.seq++,
          type: 'op',
          obj: lock,
          op: 'release',
          result: 'ok',
          line,
          after: { owner: null, waiters: 0 },
          cause: null,
          value: null,
        }
        lastRelease[lock] = eventId(pid, t.tid, e.seq)
        return e
      }
      default: {
        advance(t, 40)
        t.lock = (lock + 1 + Math.floor(random() * (locks - 1))) % locks
        if (t.seq % 97 === 0) {
          return {
            tUs: t.tUs,
            pid,
            tid: t.tid,
            seq: t.seq++,
            type: 'print',
            text: `Thread-${t.tid} (worker) at ${t.seq}`,
            line: 22,
          }
        }
        const put = t.tid % 2 === 1 || depth === 0
        depth += put ? 1 : -1
        const e: TraceEvent = {
          tUs: t.tUs,
          pid,
          tid: t.tid,
          seq: t.seq++,
          type: 'op',
          obj: queue,
          op: put ? 'put' : 'get',
          result: 'ok',
          line,
          after: { depth, unfinished: depth, waiters: 0 },
          cause: put ? null : lastPut,
          value: `'item-${t.seq}'`,
        }
        if (put) lastPut = eventId(pid, t.tid, e.seq)
        return e
      }
    }
  }

  const endUs = Math.max(...cursors.map((t) => t.tUs)) + 500
  const cpu: CpuSample[] = []
  const threadCpu: ThreadCpuSample[] = []
  const SAMPLE_US = 1e6 / 12
  for (let tUs = SAMPLE_US, n = 1; tUs < endUs; tUs += SAMPLE_US, n++) {
    cpu.push({ tUs, corePct: Array.from({ length: CORES }, () => Math.round(random() * 1000) / 10) })
    for (const t of cursors) {
      threadCpu.push({ tUs: tUs + 1.5, pid, tid: t.tid, cpuUs: (t.cpuUs * tUs) / endUs, core: n % CORES })
    }
  }
  const final: FinalThreadState[] = cursors.map((t) => ({
    pid,
    tid: t.tid,
    process: 'MainProcess',
    name: t.tid === 0 ? 'MainThread' : `Thread-${t.tid} (worker)`,
    state: 'finished',
    obj: null,
    line: 0,
    cpuUs: t.cpuUs,
  }))
  const objects: FinalObjectState[] = [
    ...owner.map((o, i) => ({
      obj: i,
      kind: 'lock' as const,
      name: `lock${i}`,
      pid,
      state: { owner: o, waiters: 0 },
      lastValue: null,
    })),
    {
      obj: queue,
      kind: 'queue',
      name: 'q',
      pid,
      state: { depth, unfinished: depth, waiters: 0 },
      lastValue: null,
    },
  ]

  const recording = makeRecording(
    {
      version: TRACE_VERSION,
      scenario: 'synthetic',
      params: { threads, events },
      options: { gil: true, timeoutS: 600, switchIntervalMs: 5, speed: 1, trace: true },
      program: 'import threading\n\n# A made-up run: threads taking turns at locks and a queue.\n',
      machine: { cores: CORES, cpuModel: 'Synthetic CPU', os: 'linux', node: 'v20' },
      startedAt: '2025-01-01T00:00:00.000Z',
      processes: [
        {
          pid,
          name: 'MainProcess',
          parent: null,
          startMethod: null,
          osPid: 4242,
          startUs: 0,
          endUs,
          exitCode: 0,
          signal: null,
          cpuUs: cursors.reduce((sum, t) => sum + t.cpuUs, 0),
        },
      ],
      events: out,
      cpu,
      threadCpu,
      outcome: {
        status: 'finished',
        message: `finished in ${(endUs / 1e6).toFixed(2)} s`,
        wallUs: endUs,
        deadlock: null,
        hang: null,
      },
      final,
      objects,
      result: { events },
    },
    'a made-up run',
    { name: 'Interleave', version: '0.1.0', electron: null },
  )
  recording.savedAt = '2025-01-01T00:01:00.000Z' // not now: the same bytes every time
  return recording
}
