import { describe, expect, it } from 'vitest'
import { printed, runModel, threadName } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf, opsBy, stateIntervals } from '../../../tests/support/trace'
import { queueJoin } from './index'

describe('queue-join', () => {
  it('every item is got once, in order; join() returns on the last task_done(); the daemon dies blocked in get()', async () => {
    const run = await runModel('queue-join', { items: 5 }, { speed: 0.25 })
    expect(run.outcome.status).toBe('finished')
    expectLinesInProgram(run)

    const consumer = 'Thread-1 (consumer)'
    const puts = opsBy(run, 'q', 'MainThread').filter((e) => e.op === 'put')
    const gets = opsBy(run, 'q', consumer).filter((e) => e.op === 'get')
    expect(puts.map((e) => e.value)).toEqual(['0', '1', '2', '3', '4'])
    expect(gets.map((e) => e.value)).toEqual(['0', '1', '2', '3', '4'])
    // Each get names the put it took: the arrows put -> get.
    for (const [i, g] of gets.entries()) expect(g.cause).toBe(idOf(puts[i]))

    // Main is blocked in join() until the last task_done(), which is what wakes it.
    const done = opsBy(run, 'q', consumer).filter((e) => e.op === 'task_done')
    expect(done).toHaveLength(5)
    expect(done.at(-1)!.after.unfinished).toBe(0)
    const join = opsBy(run, 'q', 'MainThread').find((e) => e.op === 'join')!
    expect(join.cause).toBe(idOf(done.at(-1)!))
    const blockedInJoin = stateIntervals(run, 'MainThread').filter(
      (i) => i.state === 'blocked' && i.obj === join.obj,
    )
    expect(blockedInJoin).toHaveLength(1)
    // Blocked for the whole of the work: 5 x 0.2 s at speed 0.25.
    expect(blockedInJoin[0].endUs - blockedInJoin[0].startUs).toBeGreaterThan(0.2e6)
    expect(blockedInJoin[0].endUs).toBeGreaterThanOrEqual(done.at(-1)!.tUs)

    expect(printed(run).filter((p) => p.startsWith('all'))).toEqual(['all items put', 'all work completed'])
    const lines = printed(run)
    expect(lines.indexOf('all work completed')).toBeGreaterThan(lines.indexOf('finished 4'))

    // The daemon consumer never returned: the program ended with it blocked in get() on line 13.
    const last = run.final.find((t) => t.name === consumer)!
    expect(last.state).toBe('blocked')
    expect(last.line).toBe(13)
    expect(run.events.some((e) => e.type === 'thread-end' && threadName(run, e) === consumer)).toBe(false)
    expect(
      run.events.some((e) => e.type === 'thread-start' && e.daemon && threadName(run, e) === consumer),
    ).toBe(true)
    expect(queueJoin.verdict(run).text).toBe(
      'All 5 items were got once, in order, and marked done; join() returned after the last task_done(), and ' +
        'the daemon consumer ended with the program while blocked in get().',
    )
  })
})
