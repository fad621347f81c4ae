import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/trace'
import { opsOn, printed, runModel } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { eventById } from '../../../tests/support/trace'
import { queueResults } from './index'

const FACTORIALS = [1, 2, 6, 24]
/** Starting a process per number is slow on a busy machine: room before the run's timeout. */
const slow = { timeoutS: 60 }

/** Each get took a put made by the child process that computed that number: an arrow between processes. */
function expectArrowsFromChildren(run: RunRecord): void {
  const gets = opsOn(run, 'results').filter((e) => e.op === 'get')
  expect(gets).toHaveLength(Number(run.params.numbers))
  for (const get of gets) {
    expect(get).toMatchObject({ pid: 0, line: 19, result: 'ok' })
    const put = eventById(run, get.cause)
    expect(put).toMatchObject({ type: 'op', op: 'put', obj: get.obj, line: 11 })
    expect(put!.pid).not.toBe(0)
    expect(put!.type === 'op' && put!.value).toBe(get.value)
    // The n in the item is the one this process was started with: Process-n computed n.
    const n = Number(/^\((\d+),/.exec(get.value!)![1])
    expect(run.processes[put!.pid].name).toBe(`Process-${n}`)
  }
}

describe('queue-results', () => {
  it('factorial: every run gets exactly {(n, n!)}, each through an arrow from the process that computed it', async () => {
    const orders: string[] = []
    for (let i = 0; i < 3; i++) {
      const run = await runModel('queue-results', { numbers: 4, work: 'factorial' }, slow)
      if (i === 0) expectLinesInProgram(run)
      expect(run.outcome.status).toBe('finished')
      expect(run.result.results).toEqual(FACTORIALS.map((v, k) => [k + 1, v]))
      expect([...(run.result.order as number[])].sort()).toEqual([1, 2, 3, 4])
      expectArrowsFromChildren(run)
      // The parent joined only after its last get.
      const lastGet = opsOn(run, 'results').at(-1)!
      const firstJoin = run.events.find((e) => e.type === 'op' && e.op === 'join' && e.pid === 0)!
      expect(firstJoin.tUs).toBeGreaterThanOrEqual(lastGet.tUs)
      expect(printed(run)[1]).toBe('results: [(1, 1), (2, 2), (3, 6), (4, 24)]')
      const verdict = queueResults.verdict(run)
      expect(verdict.figures.exact).toBe('yes')
      expect(verdict.figures.order).toBe((run.result.order as number[]).join(' '))
      orders.push(String(verdict.figures.order))
    }
    console.log(`queue-results completion orders: ${orders.join(' | ')}`)
  })

  it('square: the exact set of squares, each from its own process', async () => {
    const run = await runModel('queue-results', { numbers: 3, work: 'square' }, slow)
    expect(run.result.results).toEqual([
      [1, 1],
      [2, 4],
      [3, 9],
    ])
    expectArrowsFromChildren(run)
  })
})
