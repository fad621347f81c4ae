import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/trace'
import { expectLinesInProgram } from '../../../tests/support/program'
import { opsOn, printed, runModel } from '../../../tests/support/runModel'
import { eventById } from '../../../tests/support/trace'
import { chunksTaken, poolMap } from './index'

const squares = (n: number): number[] => Array.from({ length: n }, (_, x) => x * x)

/** The tasks map() put on the task queue (the None sentinels of close() left out). */
function tasksPut(run: RunRecord) {
  return opsOn(run, 'pool._inqueue').filter((e) => e.op === 'put' && e.value !== 'None')
}

describe('pool-map', () => {
  it('at defaults: the squares in order, each chunk taken by one worker from the put that carried it, the parent blocked in map()', async () => {
    const run = await runModel('pool-map', {}, { speed: 1 })
    expect(run.outcome.status).toBe('finished')
    expect(run.result.results).toEqual(squares(10))
    expect(printed(run)).toEqual([JSON.stringify(squares(10)).replace(/,/g, ', ')])
    expectLinesInProgram(run)

    const workers = run.processes.filter((p) => p.pid > 0).map((p) => p.name)
    expect(workers).toEqual([
      'SpawnPoolWorker-1',
      'SpawnPoolWorker-2',
      'SpawnPoolWorker-3',
      'SpawnPoolWorker-4',
    ])

    // divmod(10, 4 * 4) rounded up: chunks of 1, ten tasks, each got once by a worker process.
    const puts = tasksPut(run)
    expect(puts.map((e) => e.value)).toEqual(squares(10).map((_, i) => `(${i}, 'square', (${i},))`))
    expect(puts.every((e) => e.pid === 0 && e.line === 17)).toBe(true)
    const taken = chunksTaken(run)
    expect(taken).toHaveLength(10)
    for (const { get } of taken) {
      expect(get.pid).toBeGreaterThan(0)
      const put = eventById(run, get.cause)
      expect(put, `the put behind ${get.value}`).toMatchObject({
        type: 'op',
        op: 'put',
        pid: 0,
        value: get.value,
      })
    }
    expect(new Set(taken.map((t) => t.process)).size).toBeGreaterThanOrEqual(2)

    // Each chunk's results come back on the result queue, from the worker that took the chunk.
    const results = opsOn(run, 'pool._outqueue').filter((e) => e.op === 'get')
    expect(results).toHaveLength(10)
    for (const get of results) {
      expect(get).toMatchObject({ pid: 0, line: 17 })
      const put = eventById(run, get.cause)
      const chunk = Number(/^\((\d+),/.exec(get.value ?? '')![1])
      const taker = taken.find((t) => t.get.value?.startsWith(`(${chunk},`))!
      expect(put).toMatchObject({ type: 'op', op: 'put', pid: taker.get.pid })
    }

    // MainThread waited in map() for the results.
    const outqueue = run.events.find((e) => e.type === 'object' && e.name === 'pool._outqueue')!
    const blocked = run.events.filter(
      (e) => e.type === 'state' && e.pid === 0 && e.state === 'blocked' && e.line === 17,
    )
    expect(blocked.some((e) => e.type === 'state' && e.obj === (outqueue as { obj: number }).obj)).toBe(true)

    // close() sent one None per worker; each worker ended on it and join() returned.
    const sentinels = opsOn(run, 'pool._inqueue').filter((e) => e.op === 'put' && e.value === 'None')
    expect(sentinels).toHaveLength(4)
    expect(sentinels.every((e) => e.line === 18)).toBe(true)
    expect(run.processes.every((p) => p.exitCode === 0)).toBe(true)
    expect(poolMap.verdict(run).text).toMatch(/^map\(\) returned all 10 squares in order; 10 chunks went to/)
  })

  it("cuts the items into chunks of the given size, or of CPython's default size, and keeps their order", async () => {
    const given = await runModel('pool-map', { processes: 2, items: 7, chunksize: 3 }, { speed: 0.25 })
    expect(given.result.results).toEqual(squares(7))
    expect(tasksPut(given).map((e) => e.value)).toEqual([
      "(0, 'square', (0, 1, 2))",
      "(1, 'square', (3, 4, 5))",
      "(2, 'square', (6,))",
    ])

    // divmod(20, 2 * 4) = (2, 4): rounded up to 3 a chunk, so 7 tasks.
    const dflt = await runModel('pool-map', { processes: 2, items: 20 }, { speed: 0.25 })
    expect(dflt.result.results).toEqual(squares(20))
    expect(tasksPut(dflt)).toHaveLength(7)
    expect(tasksPut(dflt).at(-1)!.value).toBe("(6, 'square', (18, 19))")
  })

  it('with one process, that worker computes every chunk', async () => {
    const run = await runModel('pool-map', { processes: 1, items: 6 }, { speed: 0.25 })
    expect(run.result.results).toEqual(squares(6))
    const takers = new Set(chunksTaken(run).map((t) => t.process))
    expect([...takers]).toEqual(['SpawnPoolWorker-1'])
    // divmod(6, 1 * 4) rounded up: chunks of 2.
    expect(chunksTaken(run).map((t) => t.get.value)).toEqual([
      "(0, 'square', (0, 1))",
      "(1, 'square', (2, 3))",
      "(2, 'square', (4, 5))",
    ])
  })

  it('with no items, map() returns [] without a task', async () => {
    const run = await runModel('pool-map', { items: 0, processes: 2 }, { speed: 0.25 })
    expect(run.result.results).toEqual([])
    expect(tasksPut(run)).toHaveLength(0)
    expect(run.outcome.status).toBe('finished')
  })
})
