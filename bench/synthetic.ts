/**
 * A large recording made up, for the page's figures on a million events: what a run of 64 threads
 * taking turns on a few locks would record, simulated rather than run (a real run that long would take
 * minutes and its events would depend on the machine). It is a valid recording, checked by the same
 * schema a file is checked by when opened (tests/benchFigures.test.ts checks a small one), and its
 * events are as a real trace has them: each thread starts, runs, blocks on a lock another thread
 * holds, is let in by that thread's release (a causal link), reads and writes a shared counter,
 * releases, sleeps, and ends; the main thread starts them all and joins them.
 */
import { finalObjects, finalStates, machineInfo } from '../src/engine/run'
import { mulberry32 } from '../tests/support/random'
import { makeRecording, type Recording } from '../src/shared/recording'
import {
  TRACE_VERSION,
  eventId,
  threadKey,
  type CpuSample,
  type ProcessInfo,
  type RunRecord,
  type ThreadCpuSample,
  type ObjectKind,
  type Op,
  type ThreadState,
  type TraceEvent,
} from '../src/shared/trace'

export interface SyntheticSpec {
  /** Threads, MainThread included: one lane each. */
  threads: number
  /** Events to make, at least (each thread stops at its share, at the end of a loop round). */
  events: number
  locks: number
  seed: number
}

export const MILLION_EVENTS: SyntheticSpec = { threads: 64, events: 1_000_000, locks: 4, seed: 8 }

type Step = 'run' | 'acquire' | 'work' | 'release' | 'end'

interface Sim {
  tid: number
  seq: number
  events: number
  /** When its next step happens, µs; Infinity while it waits for a lock. */
  atUs: number
  step: Step
  lock: number
  state: ThreadState | null
  /** The release that let it in, for the acquire's causal link. */
  cause: number | null
}

/** The program's lines the simulated threads stand at, as a model's py.at() would say. */
const LINE = { run: 14, acquire: 15, read: 16, write: 17, release: 18, sleep: 19, start: 24, join: 26 }

export function syntheticRecording(spec: SyntheticSpec = MILLION_EVENTS): Recording {
  const rand = mulberry32(spec.seed)
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rand()
  const events: TraceEvent[] = []
  const pid = 0
  const mainKey = threadKey(pid, 0)
  const lockIds = Array.from({ length: spec.locks }, (_, i) => 1 + i)
  const counterId = spec.locks + 1
  const threadObj = (tid: number): number => counterId + tid
  const owner: (number | null)[] = lockIds.map(() => null)
  const waiters: Sim[][] = lockIds.map(() => [])
  let counter = 0

  const main: Sim = { tid: 0, seq: 0, events: 0, atUs: 0, step: 'run', lock: -1, state: null, cause: null }
  // Events are written as literals with their fields in the decoder's order: one shape for all of a
  // type, as JSON.parse makes them in the page (an object spread here would make slow objects).
  const add = (sim: Sim, e: TraceEvent): number => {
    events.push(e)
    sim.events++
    return eventId(pid, sim.tid, sim.seq++)
  }
  const op = (
    sim: Sim,
    tUs: number,
    obj: number,
    name: Op,
    line: number,
    after: Record<string, number | null>,
    cause: number | null,
    value: string | null,
  ): number =>
    add(sim, {
      tUs,
      pid,
      tid: sim.tid,
      seq: sim.seq,
      type: 'op',
      obj,
      op: name,
      result: 'ok',
      line,
      after,
      cause,
      value,
    })
  const state = (sim: Sim, tUs: number, s: ThreadState, obj: number | null, line: number): void => {
    if (sim.state === s) return
    sim.state = s
    add(sim, { tUs, pid, tid: sim.tid, seq: sim.seq, type: 'state', state: s, obj, line })
  }
  const object = (sim: Sim, tUs: number, obj: number, kind: ObjectKind, name: string): number =>
    add(sim, { tUs, pid, tid: sim.tid, seq: sim.seq, type: 'object', obj, kind, name, size: 0 })
  const start = (sim: Sim, tUs: number, name: string, parent: number | null): number =>
    add(sim, { tUs, pid, tid: sim.tid, seq: sim.seq, type: 'thread-start', name, daemon: false, parent })
  const end = (sim: Sim, tUs: number): number =>
    add(sim, { tUs, pid, tid: sim.tid, seq: sim.seq, type: 'thread-end', reason: 'returned', error: null })
  const lockAfter = (i: number): Record<string, number | null> => ({
    owner: owner[i],
    waiters: waiters[i].length,
  })

  // MainThread: makes the locks and the counter, starts every worker, then joins them in turn.
  start(main, 0, 'MainThread', null)
  state(main, 5, 'running', null, 1)
  lockIds.forEach((id, i) => object(main, 10 + i, id, 'lock', `lock${i}`))
  object(main, 20, counterId, 'variable', 'counter')
  const workers: Sim[] = []
  let t = 30
  for (let tid = 1; tid < spec.threads; tid++) {
    const name = `Thread-${tid} (worker)`
    object(main, t, threadObj(tid), 'thread', name)
    op(main, t + 2, threadObj(tid), 'start', LINE.start, { alive: 1 }, null, name)
    const w: Sim = { tid, seq: 0, events: 0, atUs: t + 40, step: 'run', lock: -1, state: null, cause: null }
    start(w, t + 30, name, mainKey)
    workers.push(w)
    t += 60
  }
  state(main, t, 'blocked', threadObj(1), LINE.join)

  // The workers: a discrete-event simulation, always advancing the thread whose step comes first.
  const share = Math.ceil((spec.events - main.events - 3 * spec.threads) / workers.length)
  let live = workers.length
  let endUs = t
  while (live > 0) {
    let w = workers[0]
    for (const x of workers) if (x.atUs < w.atUs) w = x
    const now = w.atUs
    endUs = Math.max(endUs, now)
    switch (w.step) {
      case 'run':
        if (w.events >= share) {
          end(w, now)
          w.step = 'end'
          w.atUs = Infinity
          live--
          break
        }
        state(w, now, 'running', null, LINE.run)
        w.step = 'acquire'
        w.atUs = now + between(20, 200)
        break
      case 'acquire': {
        const i = Math.floor(rand() * lockIds.length)
        w.lock = i
        if (owner[i] === null) {
          owner[i] = threadKey(pid, w.tid)
          op(w, now, lockIds[i], 'acquire', LINE.acquire, lockAfter(i), null, null)
          w.step = 'work'
          w.atUs = now + between(1, 5)
        } else {
          state(w, now, 'blocked', lockIds[i], LINE.acquire)
          waiters[i].push(w)
          w.atUs = Infinity // until a release hands it the lock
        }
        break
      }
      case 'work': {
        // Let in by a release: its acquire, naming that release, and it runs again.
        if (w.cause !== null) {
          op(w, now, lockIds[w.lock], 'acquire', LINE.acquire, lockAfter(w.lock), w.cause, null)
          w.cause = null
          state(w, now + 1, 'running', null, LINE.acquire)
        }
        const read = counter
        op(w, now + 2, counterId, 'read', LINE.read, {}, null, String(read))
        counter = read + 1
        op(w, now + between(3, 8), counterId, 'write', LINE.write, {}, null, String(counter))
        w.step = 'release'
        w.atUs = now + between(10, 50)
        break
      }
      case 'release': {
        const i = w.lock
        // The lock goes straight to the first waiter, which wakes a little later.
        const next = waiters[i].shift()
        owner[i] = next ? threadKey(pid, next.tid) : null
        const release = op(w, now, lockIds[i], 'release', LINE.release, lockAfter(i), null, null)
        if (next) {
          next.cause = release
          next.step = 'work'
          next.atUs = now + between(10, 40)
        }
        state(w, now + 1, 'sleeping', null, LINE.sleep)
        w.step = 'run'
        w.atUs = now + between(200, 2000)
        break
      }
      case 'end':
        break
    }
  }

  // MainThread's joins, each when that worker ended, then its own end.
  const ends = new Map(events.flatMap((e) => (e.type === 'thread-end' ? [[e.tid, e.tUs]] : [])))
  let joinUs = t
  for (const w of workers) {
    joinUs = Math.max(joinUs, (ends.get(w.tid) ?? joinUs) + 5)
    op(main, joinUs, threadObj(w.tid), 'join', LINE.join, { alive: 0 }, eventId(pid, w.tid, w.seq - 1), null)
  }
  state(main, joinUs + 5, 'running', null, LINE.join + 1)
  end(main, joinUs + 10)
  const wallUs = joinUs + 100
  endUs = Math.max(endUs, wallUs)

  events.sort((a, b) => a.tUs - b.tUs)
  const cores = 2
  const cpu: CpuSample[] = []
  for (let s = 80_000; s <= wallUs; s += 80_000)
    cpu.push({ tUs: s, corePct: Array.from({ length: cores }, () => Math.round(between(60, 100))) })
  const threadCpu: ThreadCpuSample[] = []
  for (let s = 160_000; s <= wallUs; s += 160_000)
    for (const w of workers)
      threadCpu.push({ tUs: s, pid, tid: w.tid, cpuUs: Math.round(s * 0.03), core: w.tid % cores })
  const processes: ProcessInfo[] = [
    {
      pid,
      name: 'MainProcess',
      parent: null,
      startMethod: null,
      osPid: 4242,
      startUs: 0,
      endUs: wallUs,
      exitCode: 0,
      signal: null,
      cpuUs: Math.round(wallUs * 1.6),
    },
  ]
  const record: RunRecord = {
    version: TRACE_VERSION,
    scenario: 'bench-synthetic',
    params: { threads: spec.threads, events: spec.events },
    options: { gil: false, timeoutS: 3600, switchIntervalMs: 5, speed: 1, trace: true },
    program: '# bench-synthetic: a recording made up by bench/synthetic.ts, not run.\n',
    machine: { ...machineInfo(), cores },
    startedAt: new Date(0).toISOString(),
    processes,
    events,
    cpu,
    threadCpu,
    outcome: {
      status: 'finished',
      message: `finished in ${(wallUs / 1e6).toFixed(2)} s`,
      wallUs,
      deadlock: null,
      hang: null,
    },
    final: finalStates(events, threadCpu, processes),
    objects: finalObjects(events),
    result: { counter },
  }
  return makeRecording(record, `${counter} increments, made up for the benchmark.`, {
    name: 'interleave',
    version: 'bench',
    electron: null,
  })
}
