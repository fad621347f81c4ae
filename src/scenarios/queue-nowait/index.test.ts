import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/trace'
import { opsOn, printed, runModel, threadName } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf } from '../../../tests/support/trace'
import { nowaitGets, queueNowait, raised } from './index'

const tenItems = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

/** Every item the putter put was got exactly once, each get naming its put. */
function everyItemOnce(run: RunRecord): void {
  const puts = opsOn(run, 'q').filter((e) => e.op === 'put')
  const { ok } = nowaitGets(run)
  expect(puts.map((e) => e.value)).toEqual(tenItems)
  expect(ok.map((e) => e.value).sort((a, b) => Number(a) - Number(b))).toEqual(tenItems)
  for (const g of ok) expect(g.cause).toBe(idOf(puts[Number(g.value)]))
  expect(run.result.left).toBe(0)
}

describe('queue-nowait', () => {
  it('check-then-act: a getter checks empty() -> False, another takes the item, and get_nowait() raises', async () => {
    const runs: RunRecord[] = []
    while (runs.length < 4 && !runs.some((r) => raised(r) > 0)) runs.push(await runModel('queue-nowait'))
    const run = runs.find((r) => raised(r) > 0)
    expect(run, `no getter raised in ${runs.length} runs`).toBeDefined()
    expect(run!.outcome.status).toBe('finished')
    expectLinesInProgram(run!)

    const end = run!.events.find((e) => e.type === 'thread-end' && e.reason === 'exception')!
    const victim = threadName(run!, end)
    expect(end.type === 'thread-end' && end.error).toMatch(/line 29, in getter\nqueue\.Empty$/)
    // The gap: its last check said an item was there; its get failed; in between another getter took it.
    const q = opsOn(run!, 'q')
    const failed = q.find((e) => e.op === 'get' && e.result === 'fail' && threadName(run!, e) === victim)!
    expect(failed.line).toBe(29)
    const check = q
      .filter((e) => e.op === 'read' && e.line === 25 && e.tid === failed.tid && e.tUs < failed.tUs)
      .at(-1)!
    expect(check.value).toBe('empty() -> False')
    const thief = q.filter(
      (e) => e.op === 'get' && e.result === 'ok' && e.tUs > check.tUs && e.tUs < failed.tUs,
    )
    expect(thief.length).toBeGreaterThan(0)
    expect(thief.every((e) => e.tid !== failed.tid)).toBe(true)
    // A getter survives to take every item: the one that died lost its turn, not an item.
    everyItemOnce(run!)
    expect(queueNowait.verdict(run!).text).toMatch(/^[12] of 3 getters died of queue\.Empty/)
  })

  it('try/except: no getter dies, every item is got exactly once, empty queues are retried', async () => {
    for (let i = 0; i < 3; i++) {
      const run = await runModel('queue-nowait', { style: 'try-except' })
      expect(run.outcome.status).toBe('finished')
      expect(raised(run)).toBe(0)
      expect(run.events.filter((e) => e.type === 'thread-end' && e.reason === 'returned')).toHaveLength(5)
      everyItemOnce(run)
      expect(printed(run).at(-1)).toBe('0 of 10 items left in the queue')
      const { empty } = nowaitGets(run)
      expect(empty.length).toBeGreaterThan(0)
      expect(empty.every((e) => e.line === 32)).toBe(true)
      expect(queueNowait.verdict(run).text).toMatch(
        /^All 10 items were got exactly once and no getter died; \d+ get_nowait\(\) calls found the queue empty/,
      )
    }
  })
})
