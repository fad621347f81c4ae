import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/trace'
import { opsOn, printed, runModel, threadName } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf } from '../../../tests/support/trace'
import { barrierSteps, firstArrivals } from './index'

function checkRun(run: RunRecord, steps: number): void {
  expect(run.outcome.status).toBe('finished')
  expect(run.result.counters).toEqual([steps, steps])
  expect(printed(run).at(-1)).toBe(`counters = [${steps}, ${steps}]`)
  for (const name of ['Thread-1 (worker)', 'Thread-2 (worker)']) {
    const mine = printed(run).filter((p) => p.startsWith(`${name}:`))
    expect(mine).toEqual([...Array(steps).keys()].map((k) => `${name}: step ${k}, the other was at ${k}`))
  }
  // Two meetings a step; at each, one thread arrives first (index 0) and waits, the other arrives and releases both.
  const ops = opsOn(run, 'barrier')
  const arrivals = ops.filter((e) => e.op === 'arrive')
  expect(arrivals).toHaveLength(4 * steps)
  for (let m = 0; m < 2 * steps; m++) {
    const [first, second] = arrivals.slice(2 * m, 2 * m + 2)
    expect(first.value).toBe('index 0')
    expect(second.value).toBe('index 1')
    expect(threadName(run, first)).not.toBe(threadName(run, second))
    // The first one's wait ends because of the second one's arrival.
    const wait = ops.find((e) => e.op === 'wait' && e.tid === first.tid && e.tUs > first.tUs)!
    expect(wait.cause).toBe(idOf(second))
    expect(wait.tUs).toBeGreaterThanOrEqual(second.tUs)
    expect(
      run.events.some(
        (e) =>
          e.type === 'state' &&
          e.state === 'waiting' &&
          e.obj === first.obj &&
          e.tid === first.tid &&
          e.tUs >= first.tUs &&
          e.tUs <= wait.tUs,
      ),
    ).toBe(true)
  }
}

describe('barrier-steps', () => {
  it('both counters equal steps; each barrier releases both threads only when the second arrives', async () => {
    const run = await runModel('barrier-steps', { steps: 4 }, { speed: 0.25 })
    checkRun(run, 4)
    expectLinesInProgram(run)
    expect(barrierSteps.verdict(run).text).toMatch(
      /^Both counters reached 4, and at every step each thread saw the other at the same step \(8 of 8 lines\)\. First to arrive at the first barrier of each step: (Thread-[12], ){3}Thread-[12]\.$/,
    )
  })

  it('the arrival order changes with the random work', async () => {
    const seen = new Set<string>()
    for (let i = 0; i < 3 && seen.size < 2; i++) {
      const run = await runModel('barrier-steps', { steps: 5 }, { speed: 0.25 })
      checkRun(run, 5)
      for (const name of firstArrivals(run)) seen.add(name)
    }
    expect([...seen].sort()).toEqual(['Thread-1 (worker)', 'Thread-2 (worker)'])
  })
})
