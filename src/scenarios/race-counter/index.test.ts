import { describe, expect, it } from 'vitest'
import { expectLinesInProgram } from '../../../tests/support/program'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { opsOn, runModel } from '../../../tests/support/runModel'

/** Read-yield-write windows of one thread that another thread's read fell into. */
function overlappingWindows(run: RunRecord): number {
  const ops = opsOn(run, 'counter')
  const byThread = new Map<number, OpEvent[]>()
  for (const e of ops) byThread.set(e.tid, [...(byThread.get(e.tid) ?? []), e])
  let overlaps = 0
  for (const [tid, list] of byThread) {
    for (let i = 0; i + 1 < list.length; i++) {
      if (list[i].op !== 'read' || list[i + 1].op !== 'write') continue
      const [from, to] = [list[i].tUs, list[i + 1].tUs]
      if (ops.some((o) => o.tid !== tid && o.op === 'read' && o.tUs > from && o.tUs < to)) overlaps++
    }
  }
  return overlaps
}

describe('race-counter', () => {
  it('without the lock, 2 threads x 1000 lose updates in most runs, with overlapping windows in the trace', async () => {
    const runs: RunRecord[] = []
    for (let i = 0; i < 5; i++) runs.push(await runModel('race-counter', { lock: 'off' }))
    const lossy = runs.filter((r) => Number(r.result.counter) < 2000)
    expect(lossy.length).toBeGreaterThanOrEqual(3)
    for (const r of lossy) {
      expect(r.outcome.status).toBe('finished')
      expect(overlappingWindows(r)).toBeGreaterThan(0)
      expectLinesInProgram(r)
    }
  })

  it('with the lock, never loses an update, and the lock shows an owner and blocked waiters', async () => {
    for (let i = 0; i < 3; i++) {
      const run = await runModel('race-counter', { lock: 'on' })
      expect(run.result.counter).toBe(2000)
      expect(overlappingWindows(run)).toBe(0)
      const acquires = opsOn(run, 'lock').filter((e) => e.op === 'acquire')
      expect(acquires).toHaveLength(2000)
      expect(acquires.every((e) => e.after.owner !== null)).toBe(true)
      const blocked = run.events.filter((e) => e.type === 'state' && e.state === 'blocked' && e.tid > 0)
      expect(blocked.length).toBeGreaterThan(0)
    }
  })

  it('states the lesson in its verdict', async () => {
    const run = await runModel('race-counter', { lock: 'on', iterations: 50, threads: 3 })
    const { raceCounter } = await import('./index')
    expect(raceCounter.verdict(run).text).toBe(
      'All 150 increments counted: the lock made read-yield-write one step.',
    )
  })
})
