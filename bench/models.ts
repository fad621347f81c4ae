/**
 * The benchmark's own models: lessons no student needs, written to stress one path of the engine.
 * Like the catalogue's scenarios they run for real (threads, processes, the broker); a worker finds
 * them through bench/threadEntry.ts, the orchestrator through `benchModels` (bench/launcher.ts).
 *
 * - bench-flood: threads that record as fast as they can (race-counter's read and write, without
 *   the sleep(0) between them), for the event-rate figures.
 * - bench-wake-*: two threads that hand a lock or a condition back and forth, each handover a real
 *   wake of a blocked thread, for the wake-latency figures. Just before each call that wakes the
 *   other thread, the waker reads a variable named `mark`: a traced event on the waker's own clock.
 *   A brokered operation's event carries the broker's time, not the caller's, so only the mark says
 *   when the waker called release() or notify(); the in-process models mark the same way, so that
 *   every wake is measured alike (bench/latency.ts reads them).
 */
import type { ScenarioDefinition, ThreadFunction } from '../src/engine/scenario'
import type { Condition, Lock, Variable } from '../src/engine/thread/primitives'
import type { MpCondition, MpLock } from '../src/engine/thread/mp'
import type { Py } from '../src/engine/thread/py'
import type { ParamSpec } from '../src/shared/scenario'

/** The name of the variable a waker reads just before it wakes the other thread. */
export const MARK = 'mark'

function benchModel(
  id: string,
  title: string,
  params: ParamSpec[],
  functions: Record<string, ThreadFunction>,
  hints: { threads?: ScenarioDefinition['threadsHint']; processes?: ScenarioDefinition['processesHint'] },
): ScenarioDefinition {
  return {
    id,
    title,
    concept: 'Benchmarks',
    explanation: `${title} (a model of npm run bench, not a lesson).`,
    lookFor: '',
    tags: ['threads'],
    params,
    program: `# ${id}: a model of the benchmark suite (bench/models.ts); no Python program stands behind it.\n`,
    functions,
    ...(hints.threads ? { threadsHint: hints.threads } : {}),
    ...(hints.processes ? { processesHint: hints.processes } : {}),
    verdict: (run) => ({ text: `${run.events.length} events recorded.`, figures: {} }),
  }
}

// --- flood --------------------------------------------------------------------------------------

function floodMain(py: Py): void {
  const threads = py.int('threads')
  const ops = py.int('ops')
  py.at(1)
  const counter = py.shared('counter', 0)
  const workers = Array.from({ length: threads }, () => py.Thread({ target: 'flood', args: [counter, ops] }))
  for (const w of workers) w.start()
  for (const w of workers) w.join()
}

/** `ops` traced operations: a read and a write of a shared counter, in turn, with nothing between. */
function flood(py: Py, counter: Variable<number>, ops: number): void {
  for (let i = 0; i < ops; i += 2) {
    py.at(2)
    const x = counter.get()
    py.at(3)
    counter.set(x + 1)
  }
}

export const floodModel = benchModel(
  'bench-flood',
  'Flood: threads that record as fast as they can',
  [
    { name: 'threads', kind: 'int', default: 1, min: 1, max: 16, help: 'threads that record' },
    {
      name: 'ops',
      kind: 'int',
      default: 400_000,
      min: 2,
      max: 2_000_000,
      help: 'operations each thread records',
    },
  ],
  { main: floodMain, flood },
  { threads: (p) => Number(p.threads) },
)

// --- wakes between threads of one process --------------------------------------------------------

const roundsParam: ParamSpec = {
  name: 'rounds',
  kind: 'int',
  default: 1000,
  min: 1,
  max: 100_000,
  help: 'handovers each way',
}

/**
 * Two locks used as binary semaphores, both held at first (threading.Lock may be released by any
 * thread): `pinger` releases ping and blocks on pong; `ponger` blocks on ping, then releases pong.
 * Each release finds the other thread blocked on the lock, so each is a wake.
 */
function lockMain(py: Py): void {
  const rounds = py.int('rounds')
  const ping = py.Lock('ping')
  const pong = py.Lock('pong')
  ping.acquire()
  pong.acquire()
  const a = py.Thread({ target: 'pinger', args: [ping, pong, rounds], name: 'Pinger' })
  const b = py.Thread({ target: 'ponger', args: [ping, pong, rounds], name: 'Ponger' })
  a.start()
  b.start()
  a.join()
  b.join()
}

function pinger(py: Py, ping: Lock, pong: Lock, rounds: number): void {
  const mark = py.shared(MARK, 0)
  for (let i = 0; i < rounds; i++) {
    mark.get()
    ping.release()
    pong.acquire()
  }
}

function ponger(py: Py, ping: Lock, pong: Lock, rounds: number): void {
  const mark = py.shared(MARK, 0)
  for (let i = 0; i < rounds; i++) {
    ping.acquire()
    mark.get()
    pong.release()
  }
}

export const wakeLockModel = benchModel(
  'bench-wake-lock',
  'Wake: a threading.Lock handed between two threads',
  [roundsParam],
  { main: lockMain, pinger, ponger },
  { threads: () => 2 },
)

/**
 * One condition, two threads, each in turn: notify() the other, then wait() (which lets go of the
 * lock, so the woken thread can take it and run). The last notify wakes the other for good.
 */
function conditionMain(py: Py): void {
  const rounds = py.int('rounds')
  const cond = py.Condition('cond')
  const a = py.Thread({ target: 'turns', args: [cond, rounds], name: 'A' })
  const b = py.Thread({ target: 'turns', args: [cond, rounds], name: 'B' })
  a.start()
  b.start()
  a.join()
  b.join()
}

/** The turn-taking both threads (or processes) run: threading's Condition or multiprocessing's. */
function takeTurns(py: Py, cond: Condition | MpCondition, rounds: number): void {
  const mark = py.shared(MARK, 0)
  cond.acquire()
  for (let i = 0; i < rounds; i++) {
    mark.get()
    cond.notify()
    cond.wait()
  }
  mark.get()
  cond.notify()
  cond.release()
}

export const wakeConditionModel = benchModel(
  'bench-wake-condition',
  'Wake: a threading.Condition notified back and forth between two threads',
  [roundsParam],
  { main: conditionMain, turns: takeTurns },
  { threads: () => 2 },
)

// --- wakes across processes (brokered) -----------------------------------------------------------

/** As bench-wake-lock, with multiprocessing.Lock: MainThread pings, a child process pongs. */
function mpLockMain(py: Py): void {
  const rounds = py.int('rounds')
  const ping = py.mp.Lock('ping')
  const pong = py.mp.Lock('pong')
  ping.acquire()
  pong.acquire()
  const child = py.mp.Process({ target: 'ponger', args: [ping, pong, rounds], name: 'Ponger' })
  child.start()
  mpPinger(py, ping, pong, rounds)
  child.join()
}

function mpPinger(py: Py, ping: MpLock, pong: MpLock, rounds: number): void {
  const mark = py.shared(MARK, 0)
  for (let i = 0; i < rounds; i++) {
    mark.get()
    ping.release()
    pong.acquire()
  }
}

function mpPonger(py: Py, ping: MpLock, pong: MpLock, rounds: number): void {
  const mark = py.shared(MARK, 0)
  for (let i = 0; i < rounds; i++) {
    ping.acquire()
    mark.get()
    pong.release()
  }
}

export const wakeMpLockModel = benchModel(
  'bench-wake-mp-lock',
  'Wake: a multiprocessing.Lock handed between two processes',
  [roundsParam],
  { main: mpLockMain, ponger: mpPonger },
  { processes: () => 1, threads: () => 1 },
)

/** As bench-wake-condition, with multiprocessing.Condition: MainThread and a child process take turns. */
function mpConditionMain(py: Py): void {
  const rounds = py.int('rounds')
  const cond = py.mp.Condition('cond')
  const child = py.mp.Process({ target: 'turns', args: [cond, rounds], name: 'Other' })
  child.start()
  takeTurns(py, cond, rounds)
  child.join()
}

export const wakeMpConditionModel = benchModel(
  'bench-wake-mp-condition',
  'Wake: a multiprocessing.Condition notified back and forth between two processes',
  [roundsParam],
  { main: mpConditionMain, turns: takeTurns },
  { processes: () => 1, threads: () => 1 },
)

export const benchModels: ScenarioDefinition[] = [
  floodModel,
  wakeLockModel,
  wakeConditionModel,
  wakeMpLockModel,
  wakeMpConditionModel,
]

export function findBenchModel(id: string): ScenarioDefinition | undefined {
  return benchModels.find((m) => m.id === id)
}
