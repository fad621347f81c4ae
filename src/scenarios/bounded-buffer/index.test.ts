import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/trace'
import { printed, runModel, threadName } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf } from '../../../tests/support/trace'
import { blockedAt, boundedBuffer, traffic } from './index'

/** No item lost or taken twice; the depth never above maxsize; every get names the put it took. */
function checkRun(run: RunRecord, maxsize: number): void {
  expect(run.outcome.status).toBe('finished')
  const { put, got, maxDepth, ops } = traffic(run)
  expect(put.length).toBeGreaterThan(3)
  expect(new Set(put).size).toBe(put.length)
  expect([...got].sort()).toEqual([...put].sort())
  expect(maxDepth).toBeLessThanOrEqual(maxsize)
  const putIds = new Map(ops.filter((e) => e.op === 'put').map((e) => [idOf(e), e.value]))
  for (const g of ops.filter((e) => e.op === 'get')) expect(putIds.get(g.cause!)).toBe(g.value)
  // Each consumer's last get is a sentinel, and no real item comes after the first sentinel.
  const gets = ops.filter((e) => e.op === 'get').sort((a, b) => a.tUs - b.tUs)
  const firstNone = gets.findIndex((e) => e.value === 'None')
  expect(gets.slice(firstNone).every((e) => e.value === 'None')).toBe(true)
  expect(run.events.filter((e) => e.type === 'thread-end' && e.reason === 'returned')).toHaveLength(
    1 + Number(run.params.producers) + Number(run.params.consumers),
  )
  // What each thread printed adds up to what went through the queue.
  const count = (re: RegExp): number => printed(run).reduce((s, p) => s + Number(re.exec(p)?.[1] ?? 0), 0)
  expect(count(/\(producer\) made (\d+)$/)).toBe(put.length)
  expect(count(/\(consumer\) used (\d+)$/)).toBe(got.length)
}

describe('bounded-buffer', () => {
  it('at defaults: nothing lost or duplicated, depth within maxsize, and the verdict says so', async () => {
    const run = await runModel('bounded-buffer', {}, { speed: 0.25 })
    checkRun(run, 3)
    expectLinesInProgram(run)
    // Consumers start first and find the queue empty.
    expect(blockedAt(run, 28)).toBeGreaterThan(0)
    expect(boundedBuffer.verdict(run).text).toMatch(
      /^All \d+ items put were got exactly once, and the queue never held more than [0-3] \(maxsize 3\)\. Producers were blocked on a full queue \d+ times, consumers on an empty one \d+ times\.$/,
    )
  })

  it('with a small queue, producers block on full and consumers on empty; the depth reaches maxsize', async () => {
    const runs: RunRecord[] = []
    while (runs.length < 4 && !runs.some((r) => blockedAt(r, 19) > 0 && blockedAt(r, 28) > 0)) {
      const run = await runModel(
        'bounded-buffer',
        { producers: 3, consumers: 2, maxsize: 1 },
        { speed: 0.25 },
      )
      checkRun(run, 1)
      runs.push(run)
    }
    const both = runs.find((r) => blockedAt(r, 19) > 0 && blockedAt(r, 28) > 0)
    expect(both, `no run with both kinds of blocking in ${runs.length}`).toBeDefined()
    expect(traffic(both!).maxDepth).toBe(1)
    // Blocked on full are producers; blocked on empty are consumers.
    const ids = new Set(traffic(both!).ops.map((e) => e.obj))
    for (const e of both!.events) {
      if (e.type !== 'state' || e.state !== 'blocked' || e.obj === null || !ids.has(e.obj)) continue
      if (e.line === 19) expect(threadName(both!, e)).toMatch(/\(producer\)$/)
      if (e.line === 28) expect(threadName(both!, e)).toMatch(/\(consumer\)$/)
    }
  })
})
