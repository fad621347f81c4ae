import { describe, expect, it } from 'vitest'
import { runModel, testLauncher } from '../../../tests/support/runModel'
import { resolveParams } from '../../shared/scenario'
import type { DeadlockReport } from '../../shared/trace'
import { Run } from '../../engine/run'
import { expectLinesInProgram } from '../../../tests/support/program'
import { deadlockTwoLocks } from './index'

describe('deadlock-two-locks', () => {
  it('opposite: ends by the timeout with the cycle named: two threads, two locks, the lines where each waits', async () => {
    const run = await runModel('deadlock-two-locks', { order: 'opposite' }, { timeoutS: 2 })
    expect(run.outcome.status).toBe('timed-out')
    const cycle = run.outcome.deadlock!.cycle
    const byThread = Object.fromEntries(cycle.map((c) => [c.thread, c]))
    expect(byThread.T1).toMatchObject({ objName: 'lock_b', line: 16 })
    expect(byThread.T2).toMatchObject({ objName: 'lock_a', line: 16 })
    expect(run.outcome.message).toMatch(/deadlock: MainProcess\/T\d waits for lock_\w at line 16/)
    expect(deadlockTwoLocks.verdict(run).text).toMatch(
      /^Deadlock: T\d waits for lock_\w at line 16 and T\d waits/,
    )
    // Each lock's final owner is the thread the other one waits for.
    const owners = Object.fromEntries(run.objects.map((o) => [o.name, o.state.owner]))
    const t1 = run.final.find((t) => t.name === 'T1')!
    const t2 = run.final.find((t) => t.name === 'T2')!
    expect(owners.lock_a).toBe(t1.pid * 4096 + t1.tid)
    expect(owners.lock_b).toBe(t2.pid * 4096 + t2.tid)
    expectLinesInProgram(run)
  })

  it('opposite: reports the deadlock while the run goes on, within a second of its forming', async () => {
    const params = resolveParams(deadlockTwoLocks.params, { order: 'opposite' })
    const run = new Run(deadlockTwoLocks, params, { timeoutS: 30 }, await testLauncher())
    let report: { deadlock: DeadlockReport; atUs: number } | null = null
    run.onUpdate((u) => {
      if (u.deadlock && !report) {
        report = { deadlock: u.deadlock, atUs: run.nowUs() }
        run.stop()
      }
    })
    const record = await run.start()
    expect(report).not.toBeNull()
    const { deadlock, atUs } = report!
    const byThread = Object.fromEntries(deadlock.cycle.map((c) => [c.thread, c]))
    expect(byThread.T1).toMatchObject({ objName: 'lock_b', line: 16 })
    expect(byThread.T2).toMatchObject({ objName: 'lock_a', line: 16 })
    // It formed when the second of the two blocked; it was said well before the 30 s timeout.
    const blockedAt = deadlock.cycle.map((c) => {
      const blocked = record.events.filter(
        (e) => e.type === 'state' && e.pid === c.pid && e.tid === c.tid && e.state === 'blocked',
      )
      return blocked[blocked.length - 1].tUs
    })
    expect(atUs - Math.max(...blockedAt)).toBeLessThan(1_000_000)
    // Stopped at once: the outcome still names the deadlock.
    expect(record.outcome.status).toBe('stopped')
    expect(record.outcome.deadlock).toEqual(deadlock)
  })

  it('same order: both finish, every time', async () => {
    for (let i = 0; i < 3; i++) {
      const run = await runModel('deadlock-two-locks', { order: 'same' })
      expect(run.outcome.status).toBe('finished')
      expect(run.outcome.deadlock).toBeNull()
      expect(deadlockTwoLocks.verdict(run).text).toMatch(/^Both threads finished/)
      const blocked = run.events.filter((e) => e.type === 'state' && e.state === 'blocked' && e.tid > 0)
      expect(blocked.length).toBeGreaterThan(0) // T2 waited for lock_a while T1 had it
    }
  })
})
