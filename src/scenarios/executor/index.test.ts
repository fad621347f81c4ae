import { describe, expect, it } from 'vitest'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { expectLinesInProgram } from '../../../tests/support/program'
import { printed, runModel, threadName } from '../../../tests/support/runModel'
import { eventById } from '../../../tests/support/trace'
import { callsByWorker, executor } from './index'

const fast = { speed: 0.25 }
const powers = (base: number, n: number): number[] => Array.from({ length: n }, (_, k) => base ** k)

/** Every operation on a future, with the future's name. */
function futureOps(run: RunRecord): (OpEvent & { future: string })[] {
  const futures = new Map(
    run.events.flatMap((e) => (e.type === 'object' && e.kind === 'future' ? [[e.obj, e.name] as const] : [])),
  )
  return run.events
    .filter((e): e is OpEvent => e.type === 'op' && futures.has(e.obj))
    .map((e) => ({ ...e, future: futures.get(e.obj)! }))
}

/** What every executor run shows: right values, result() blocked and woken by the set of its future. */
function expectFuturesKept(run: RunRecord, tasks: number): void {
  expect(run.outcome.status).toBe('finished')
  expect(run.result.submitted).toEqual(powers(2, tasks))
  expect(run.result.mapped).toEqual(powers(3, tasks))
  expect(printed(run)).toContain('pow(2, 3) = 8')

  const ops = futureOps(run)
  const names = new Set(ops.map((e) => e.future))
  expect(names.size).toBe(2 * tasks)
  expect(names).toContain('power(2, 3)')
  for (const name of names) {
    const set = ops.filter((e) => e.future === name && e.op === 'set')
    const get = ops.filter((e) => e.future === name && e.op === 'get')
    expect(set, name).toHaveLength(1)
    expect(get, name).toHaveLength(1)
    // result() names the set_result() that gave it its value.
    expect(get[0].cause, name).not.toBeNull()
    expect(eventById(run, get[0].cause)).toMatchObject({ op: 'set', obj: set[0].obj, value: get[0].value })
    expect(get[0]).toMatchObject({ pid: 0, tid: 0, result: 'ok' })
  }
  const f3 = ops.find((e) => e.future === 'power(2, 3)' && e.op === 'get')!
  expect(f3).toMatchObject({ value: '8', line: 20 })

  // MainThread waited in result() on a future, on line 20 (and in map() on line 21).
  const futureIds = new Set(ops.map((e) => e.obj))
  const blocked = run.events.filter(
    (e) => e.type === 'state' && e.pid === 0 && e.tid === 0 && e.state === 'blocked' && futureIds.has(e.obj!),
  )
  expect(blocked.some((e) => e.type === 'state' && e.line === 20)).toBe(true)
  expect(blocked.some((e) => e.type === 'state' && e.line === 21)).toBe(true)
}

describe('executor', () => {
  it('ThreadPoolExecutor: two threads started on demand run all twelve calls; result() blocks until each is set', async () => {
    const run = await runModel('executor', { kind: 'thread' }, fast)
    expectFuturesKept(run, 6)
    expectLinesInProgram(run)

    const workers = run.events.filter((e) => e.type === 'thread-start' && e.tid > 0)
    expect(workers.map((e) => e.type === 'thread-start' && e.name)).toEqual([
      'ThreadPoolExecutor-0_0',
      'ThreadPoolExecutor-0_1',
    ])
    // Reused: each worker thread set several futures, and took its calls off the work queue.
    const setters = new Map<string, number>()
    for (const e of futureOps(run).filter((o) => o.op === 'set')) {
      const name = threadName(run, e)
      setters.set(name, (setters.get(name) ?? 0) + 1)
    }
    expect([...setters.keys()].sort()).toEqual(['ThreadPoolExecutor-0_0', 'ThreadPoolExecutor-0_1'])
    expect([...setters.values()].reduce((a, b) => a + b, 0)).toBe(12)
    expect(callsByWorker(run)).toEqual(setters)
    expect(executor.verdict(run).text).toBe(
      'Every future returned the right value (pow(2, 3) == 8); 12 calls ran on 2 threads (max_workers=2).',
    )
  })

  it('ProcessPoolExecutor: worker processes compute, the manager thread sets the futures', async () => {
    const run = await runModel('executor', { kind: 'process', max_workers: 2, tasks: 4 }, fast)
    expectFuturesKept(run, 4)
    expectLinesInProgram(run)
    expect(run.processes.map((p) => p.name)).toEqual(['MainProcess', 'SpawnProcess-1', 'SpawnProcess-2'])
    expect(run.processes.every((p) => p.exitCode === 0)).toBe(true)

    // Every future is set by the executor manager thread of the parent, from a result a worker put.
    const manager = run.events.find((e) => e.type === 'thread-start' && e.pid === 0 && e.tid > 0)!
    expect(manager.type === 'thread-start' && manager.name).toBe('Thread-1')
    const sets = futureOps(run).filter((e) => e.op === 'set')
    expect(sets.every((e) => e.pid === 0 && e.tid === manager.tid)).toBe(true)

    // The eight calls were computed in those two worker processes, reused from call to call. (Which
    // took how many depends on how soon the second one was up.)
    const byWorker = callsByWorker(run)
    expect(['SpawnProcess-1', 'SpawnProcess-2']).toEqual(expect.arrayContaining([...byWorker.keys()]))
    expect([...byWorker.values()].reduce((a, b) => a + b, 0)).toBe(8)
    expect(executor.verdict(run).text).toMatch(/8 calls ran on [12] process(es)? \(max_workers=2\)\.$/)
  })

  it('with max_workers=1, one worker runs every call, one after the other', async () => {
    for (const kind of ['thread', 'process']) {
      const run = await runModel('executor', { kind, max_workers: 1, tasks: 4 }, fast)
      expectFuturesKept(run, 4)
      const byWorker = callsByWorker(run)
      expect(byWorker.size, kind).toBe(1)
      expect([...byWorker.values()]).toEqual([8])
      // power sleeps 0.2 s (x 0.25): eight calls in a row, 50 ms each, set at least 7 x 50 ms apart.
      const sets = futureOps(run)
        .filter((e) => e.op === 'set')
        .map((e) => e.tUs)
      expect(Math.max(...sets) - Math.min(...sets)).toBeGreaterThan(7 * 45_000)
    }
  })
})
