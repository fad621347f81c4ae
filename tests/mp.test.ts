/**
 * multiprocessing for real: every Process is an OS process, every mp object lives in the broker
 * of the orchestrator, and threads reach it through proxies. Each run also checks that none of its
 * OS processes outlives it.
 */
import { forkOwnRLock } from './models/fork'
import { describe, expect, it } from 'vitest'
import { resolveParams } from '../src/shared/scenario'
import { eventId, threadKey, type OpEvent, type RunRecord, type TraceEvent } from '../src/shared/trace'
import { Run } from '../src/engine/run'
import {
  mpDaemon,
  mpEventCondition,
  mpForkCopies,
  mpKilled,
  mpLockExclusion,
  mpManager,
  mpPipe,
  mpProcessBasics,
  mpQueues,
  mpSpawnCopies,
  mpValues,
} from './models/mp'
import { opsOn, runModel, testLauncher } from './support/runModel'

/** Runs a model and checks what every run must leave behind: a finished run and no process. */
async function run(def: Parameters<typeof runModel>[0]): Promise<RunRecord> {
  const record = await runModel(def)
  expectNoProcessLeft(record)
  expectOpsOnKnownObjects(record)
  return record
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Every operation names an object the trace announced (else the UI cannot name or place it). */
function expectOpsOnKnownObjects(record: RunRecord): void {
  const known = new Set(record.events.flatMap((e) => (e.type === 'object' ? [e.obj] : [])))
  const unknown = record.events.filter((e) => e.type === 'op' && !known.has(e.obj))
  expect(unknown, 'ops on objects the trace never announced').toEqual([])
}

function expectNoProcessLeft(record: RunRecord): void {
  expect(record.processes.length).toBeGreaterThan(0)
  for (const p of record.processes) {
    expect(p.osPid, `${p.name} has an OS pid`).toBeTypeOf('number')
    expect(isGone(p.osPid!), `${p.name} (OS pid ${p.osPid}) is gone`).toBe(true)
    expect(p.endUs, `${p.name} has ended`).not.toBeNull()
  }
}

const idOf = (e: Pick<TraceEvent, 'pid' | 'tid' | 'seq'>): number => eventId(e.pid, e.tid, e.seq)

function pidOf(record: RunRecord, name: string): number {
  const p = record.processes.find((x) => x.name === name)
  if (!p) throw new Error(`no process ${name}`)
  return p.pid
}

/** The op events in the run, by their event id. */
function eventsById(record: RunRecord): Map<number, TraceEvent> {
  return new Map(record.events.map((e) => [idOf(e), e]))
}

function mainThreadEnd(record: RunRecord, pid: number) {
  return record.events.find((e) => e.type === 'thread-end' && e.pid === pid && e.tid === 0)
}

describe('multiprocessing.Process', () => {
  it('starts, joins (with and without timeout), reports is_alive and exitcode, and survives a child that raises', async () => {
    const r = await run(mpProcessBasics)
    expect(r.outcome.status).toBe('finished')
    expect(r.result).toMatchObject({
      aliveBeforeStart: false,
      exitcodeBeforeStart: null,
      aliveAfterStart: true,
      aliveAfterShortJoin: true,
      exitcodeWhileRunning: null,
      aliveAfterJoin: false,
      exitcode: 0,
      raiserExitcode: 1,
      forkedExitcode: 0,
      mainName: 'MainProcess',
      continued: true,
      'childName.a': 'Worker-A',
      'childName.f': 'Forked',
    })

    // The short join timed out; the long one ended when the child did.
    const joins = opsOn(r, 'Worker-A').filter((e) => e.op === 'join')
    expect(joins.map((e) => [e.line, e.result])).toEqual([
      [1, 'timeout'],
      [2, 'ok'],
    ])

    // The child that raised: its MainThread ended with the exception, its process with code 1.
    const raiser = pidOf(r, 'Raiser')
    const end = mainThreadEnd(r, raiser)
    expect(end).toMatchObject({ type: 'thread-end', reason: 'exception' })
    expect(end?.type === 'thread-end' && end.error).toContain('ValueError: boom')
    expect(r.processes[raiser].exitCode).toBe(1)
    expect(mainThreadEnd(r, 0)).toMatchObject({ reason: 'returned' })

    // Every process, its parent and how it started, with a real OS pid of its own.
    expect(r.processes.map((p) => [p.pid, p.name, p.parent, p.startMethod])).toEqual([
      [0, 'MainProcess', null, null],
      [1, 'Worker-A', 0, 'spawn'],
      [2, 'Raiser', 0, 'spawn'],
      [3, 'Forked', 0, 'fork'],
    ])
    const osPids = r.processes.map((p) => p.osPid)
    expect(new Set(osPids).size).toBe(4)
    for (const pid of osPids) {
      expect(pid).toBeGreaterThan(0)
      expect(pid).not.toBe(process.pid)
    }
    expect(r.processes.map((p) => p.exitCode)).toEqual([0, 0, 1, 0])
    // Each child ran within its parent's lifetime.
    for (const p of r.processes.slice(1)) {
      expect(p.startUs).toBeGreaterThanOrEqual(r.processes[0].startUs)
      expect(p.endUs!).toBeLessThanOrEqual(r.processes[0].endUs!)
    }
  })
})

describe('fork and spawn', () => {
  it('fork copies a lock held by another thread: held in the child, by an owner that does not exist there', async () => {
    const r = await run(mpForkCopies)
    expect(r.outcome.status).toBe('finished')
    const child = pidOf(r, 'Child')
    expect(r.processes[child].startMethod).toBe('fork')
    expect(r.result.childAcquired).toBe(false)
    expect(Number(r.result.childWaitedS)).toBeGreaterThan(0.4)
    expect(r.result.childExitcode).toBe(0)
    expect(r.result.parentAcquired).toBe(true)

    const holder = r.events.find((e) => e.type === 'thread-start' && e.name === 'Holder')!
    expect(holder.pid).toBe(0)
    const acquire = opsOn(r, 'tlock').find((e) => e.pid === child && e.op === 'acquire')!
    expect(acquire).toMatchObject({ line: 30, result: 'timeout' })
    expect(acquire.after.owner).toBe(threadKey(0, holder.tid))
    // That owner is a thread of the parent: the child never had a thread with that key.
    expect(r.events.some((e) => e.type === 'thread-start' && e.pid === child && e.tid === holder.tid)).toBe(
      false,
    )

    // The global the parent changed before the fork has the changed value in the child.
    expect(r.result.childCounter).toBe(42)
  })

  it('spawn gives the child a fresh, unlocked lock and the initial value of a global', async () => {
    const r = await run(mpSpawnCopies)
    expect(r.outcome.status).toBe('finished')
    const child = pidOf(r, 'Child')
    expect(r.processes[child].startMethod).toBe('spawn')
    expect(r.result.childAcquired).toBe(true)
    expect(Number(r.result.childWaitedS)).toBeLessThan(0.4)
    const acquire = opsOn(r, 'tlock').find((e) => e.pid === child && e.op === 'acquire')!
    expect(acquire).toMatchObject({ line: 30, result: 'ok' })
    expect(acquire.after.owner).toBe(threadKey(child, 0))
    expect(r.result.childCounter).toBe(1)
    expect(r.result.parentAcquired).toBe(true)
  })
})

describe('multiprocessing.Lock', () => {
  it('excludes across processes and links each hand-over release to the acquire it let in', async () => {
    const r = await run(mpLockExclusion)
    expect(r.outcome.status).toBe('finished')
    expect(r.result.exitcodes).toEqual([0, 0])
    expect(r.result['overlaps.Locker-A']).toBe(0)
    expect(r.result['overlaps.Locker-B']).toBe(0)

    const ops = opsOn(r, 'mplock')
    const acquires = ops.filter((e) => e.op === 'acquire')
    const releases = ops.filter((e) => e.op === 'release')
    expect(acquires).toHaveLength(12)
    expect(releases).toHaveLength(12)
    for (const a of acquires) {
      expect(a.result).toBe('ok')
      // The broker reports the lock as the acquirer's.
      expect(a.after.owner).toBe(threadKey(a.pid, a.tid))
    }
    // Every cause points at a release of this lock; at least one crosses processes.
    const byId = eventsById(r)
    const caused = acquires.filter((a) => a.cause !== null)
    expect(caused.length).toBeGreaterThan(0)
    for (const a of caused) {
      const cause = byId.get(a.cause!) as OpEvent | undefined
      expect(cause).toMatchObject({ type: 'op', op: 'release', obj: a.obj, line: 42 })
      // A hand-over release names the new owner.
      expect(cause!.after.owner).toBe(threadKey(a.pid, a.tid))
    }
    expect(caused.some((a) => byId.get(a.cause!)!.pid !== a.pid)).toBe(true)
  })
})

describe('multiprocessing.Queue and JoinableQueue', () => {
  it('carries items in order between processes, links put to get, raises queue.Empty, and joins on task_done', async () => {
    const r = await run(mpQueues)
    expect(r.outcome.status).toBe('finished')
    expect(r.result.empty).toBe('queue.Empty')
    expect(Number(r.result.emptyAfterS)).toBeGreaterThan(0.15)
    expect(r.result.got).toEqual([0, 1, 2, 3, 4, 5])
    expect(r.result.done).toEqual([1, 2, 3])
    expect(r.result.joined).toBe(true)

    const producer = pidOf(r, 'Producer')
    const ops = opsOn(r, 'q')
    const empty = ops.find((e) => e.line === 50)!
    expect(empty).toMatchObject({ op: 'get', result: 'timeout', pid: 0 })
    const puts = ops.filter((e) => e.op === 'put')
    const gets = ops.filter((e) => e.op === 'get' && e.line === 51)
    expect(puts.map((e) => e.pid)).toEqual(Array(7).fill(producer))
    expect(gets.map((e) => e.value)).toEqual(['0', '1', '2', '3', '4', '5', 'None'])
    // The i-th get took the i-th put.
    expect(gets.map((e) => e.cause)).toEqual(puts.map(idOf))

    // join() returned because of the child's last task_done.
    const jops = opsOn(r, 'jq')
    const join = jops.find((e) => e.op === 'join')!
    const taskDones = jops.filter((e) => e.op === 'task_done')
    expect(taskDones).toHaveLength(4)
    expect(taskDones.every((e) => e.pid === producer)).toBe(true)
    expect(join).toMatchObject({ pid: 0, line: 53, result: 'ok' })
    expect(join.cause).toBe(idOf(taskDones[3]))
    expect(join.after.unfinished).toBe(0)
    // The parent was shown blocked on the queue while the child worked.
    expect(
      r.events.some((e) => e.type === 'state' && e.pid === 0 && e.state === 'blocked' && e.obj === join.obj),
    ).toBe(true)
  })
})

describe('multiprocessing.Pipe', () => {
  it('Pipe(duplex=False) delivers 0..n-1 then None in order, links send to recv, and refuses to send on the read end', async () => {
    const r = await run(mpPipe)
    expect(r.outcome.status).toBe('finished')
    expect(r.result.sendOnReadEnd).toMatch(/^OSError: /)
    expect(r.result.got).toEqual([0, 1, 2, 3, 4, 5, null])

    const sender = pidOf(r, 'Sender')
    const ops = opsOn(r, 'pipe')
    const refused = ops.find((e) => e.line === 70)!
    expect(refused).toMatchObject({ op: 'send', result: 'error' })
    const sends = ops.filter((e) => e.op === 'send' && e.result === 'ok')
    const recvs = ops.filter((e) => e.op === 'recv')
    expect(sends.every((e) => e.pid === sender)).toBe(true)
    expect(recvs.every((e) => e.pid === 0 && e.result === 'ok')).toBe(true)
    expect(sends.map((e) => e.value)).toEqual(['0', '1', '2', '3', '4', '5', 'None'])
    expect(recvs.map((e) => e.value)).toEqual(['0', '1', '2', '3', '4', '5', 'None'])
    expect(recvs.map((e) => e.cause)).toEqual(sends.map(idOf))
  })
})

describe('multiprocessing.Value and Array', () => {
  it('counts exactly under get_lock(), and reads and writes an Array', async () => {
    const r = await run(mpValues)
    expect(r.outcome.status).toBe('finished')
    const n = Number(r.result.n)
    expect(r.result.safe).toBe(2 * n)
    // Without the lock, updates may be lost (or not): only the bounds are certain.
    expect(Number(r.result.racy)).toBeGreaterThan(0)
    expect(Number(r.result.racy)).toBeLessThanOrEqual(2 * n)
    expect(r.result.arr).toEqual([10, 20, 11, 21])
    expect(r.result.arrLast).toBe(7)
    expect(r.result.arrOutOfRange).toBe('IndexError: invalid index')
    expect(r.result.racyHasNoLock).toBe(true)
    // Both processes used the value's own lock.
    const lockOps = opsOn(r, 'safe.lock').filter((e) => e.op === 'acquire')
    expect(lockOps).toHaveLength(2 * n)
    expect(new Set(lockOps.map((e) => e.pid)).size).toBe(2)
  })
})

describe('multiprocessing.Event and Condition', () => {
  it('wakes a waiter in another process, naming the set and the notify as causes', async () => {
    const r = await run(mpEventCondition)
    expect(r.outcome.status).toBe('finished')
    expect(r.result).toMatchObject({ startedWait: true, woken: true, neverWait: false, exitcode: 0 })
    const waiter = pidOf(r, 'Waiter')

    const set = opsOn(r, 'started').find((e) => e.op === 'set')!
    const wait = opsOn(r, 'started').find((e) => e.op === 'wait')!
    expect(set).toMatchObject({ pid: waiter, line: 101 })
    expect(wait).toMatchObject({ pid: 0, line: 90, result: 'ok' })
    // The parent waited (the child takes a while to start), and the child's set woke it.
    expect(wait.cause).toBe(idOf(set))
    expect(wait.tUs).toBeGreaterThanOrEqual(set.tUs - 50_000)

    const cops = opsOn(r, 'cond')
    const notify = cops.find((e) => e.op === 'notify')!
    const cwait = cops.find((e) => e.op === 'wait')!
    expect(notify).toMatchObject({ pid: 0, line: 92, result: 'ok', value: 'woke 1' })
    expect(cwait).toMatchObject({ pid: waiter, line: 102, result: 'ok' })
    expect(cwait.cause).toBe(idOf(notify))
    // wait() returned holding the lock again.
    expect(cwait.after.owner).toBe(threadKey(waiter, 0))

    const never = opsOn(r, 'never').find((e) => e.op === 'wait')!
    expect(never).toMatchObject({ pid: waiter, line: 104, result: 'timeout' })
  })
})

describe('multiprocessing.Manager', () => {
  it('shows the parent every key and item that two children wrote', async () => {
    const r = await run(mpManager)
    expect(r.outcome.status).toBe('finished')
    expect(r.result.keys).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2'])
    expect(r.result.list).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2'])
    expect(r.result.len).toBe(6)
    expect(new Map(r.result.items as [string, number][])).toEqual(
      new Map([
        ['a0', 0],
        ['a1', 1],
        ['a2', 2],
        ['b0', 0],
        ['b1', 1],
        ['b2', 2],
      ]),
    )
    const writers = new Set(
      opsOn(r, 'd')
        .filter((e) => e.op === 'call')
        .map((e) => e.pid),
    )
    expect(writers.size).toBe(3)
  })
})

describe('a process killed from outside', () => {
  it('ends with SIGKILL, the parent join returns with exitcode -9, and the run finishes', async () => {
    const def = mpKilled
    const live = new Run(def, resolveParams(def.params, {}), { timeoutS: 20 }, await testLauncher())
    let killed: number | null = null
    live.onUpdate((u) => {
      for (const e of u.events) {
        if (e.type === 'result' && e.key === 'sleeperOsPid' && killed === null) {
          killed = Number(e.value)
          process.kill(killed, 'SIGKILL')
        }
      }
    })
    const t0 = performance.now()
    const r = await live.start()
    expectNoProcessLeft(r)
    expectOpsOnKnownObjects(r)
    expect(killed).not.toBeNull()
    expect(r.outcome.status).toBe('finished')
    // It did not sleep out its 15 s.
    expect(performance.now() - t0).toBeLessThan(10_000)
    const sleeper = pidOf(r, 'Sleeper')
    expect(r.processes[sleeper].osPid).toBe(killed)
    expect(r.processes[sleeper].signal).toBe('SIGKILL')
    expect(r.result.exitcode).toBe(-9)
    expect(r.result.alive).toBe(false)
    const join = opsOn(r, 'Sleeper').find((e) => e.op === 'join')!
    expect(join).toMatchObject({ pid: 0, line: 110, result: 'ok' })
    expect(r.processes[0].exitCode).toBe(0)
    // Neither child ended its MainThread: they were killed in their sleep.
    expect(mainThreadEnd(r, sleeper)).toBeUndefined()

    // Process.terminate(): Python sees the SIGTERM it sent.
    const terminated = pidOf(r, 'Terminated')
    expect(r.result.terminatedExitcode).toBe(-15)
    expect(r.processes[terminated].signal).not.toBeNull()
    expect(opsOn(r, 'Terminated').find((e) => e.op === 'join')).toMatchObject({
      pid: 0,
      line: 111,
      result: 'ok',
    })
  })
})

describe('the end of MainProcess', () => {
  it('like multiprocessing at exit: terminates daemonic children, then joins the others', async () => {
    const t0 = performance.now()
    const r = await run(mpDaemon)
    expect(r.outcome.status).toBe('finished')
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(r.result).toMatchObject({ mainDone: true, childDone: true })
    expect(r.result.daemonDone).toBeUndefined()
    const daemon = r.processes[pidOf(r, 'Daemon')]
    const child = r.processes[pidOf(r, 'NonDaemon')]
    expect(child.exitCode).toBe(0)
    expect(child.signal).toBeNull()
    expect(daemon.signal).toBe('SIGTERM')
    // Python's _exit_function terminates daemonic children first, then joins the rest;
    // the main process itself ends only after that.
    expect(daemon.endUs!).toBeLessThanOrEqual(child.endUs!)
    expect(r.processes[0].endUs!).toBeGreaterThanOrEqual(child.endUs!)
  })
})

describe('fork and the forking thread', () => {
  it("keeps the forking thread's RLock owned by the child's MainThread, which may release it", async () => {
    const r = await run(forkOwnRLock)
    expect(r.outcome.status).toBe('finished')
    expect(r.result).toMatchObject({ released: true, childExit: 0 })
    const child = r.processes.find((p) => p.name === 'Child')!
    const acquire = opsOn(r, 'rlock').find((e) => e.pid === child.pid && e.op === 'acquire')!
    expect(acquire.after).toMatchObject({ owner: threadKey(child.pid, 0), count: 2 })
  })
})
