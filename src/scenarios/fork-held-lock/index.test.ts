import { describe, expect, it } from 'vitest'
import { threadKey } from '../../shared/trace'
import { opsOn, printed, runModel } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { threadNamed } from '../../../tests/support/trace'
import { forkHeldLock } from './index'

describe('fork-held-lock', () => {
  it('fork: the Child blocks for good on a copy of the lock held by Holder, a thread of the parent; the run ends by its timeout', async () => {
    const run = await runModel('fork-held-lock', { start_method: 'fork' }, { speed: 0.25, timeoutS: 2 })
    expectLinesInProgram(run)
    expect(run.outcome.status).toBe('timed-out')
    const child = run.processes.find((p) => p.name === 'Child')!
    expect(child.startMethod).toBe('fork')

    // The Child's copy is held by Holder, a thread of MainProcess that the Child never had.
    const holder = threadNamed(run, 'Holder')
    expect(holder.pid).toBe(0)
    expect(run.result.ownerInChild).toBe(threadKey(0, holder.tid))
    expect(
      run.events.some((e) => e.type === 'thread-start' && e.pid === child.pid && e.tid === holder.tid),
    ).toBe(false)

    // At the end: the Child blocked on the lock at its `with lock:`, the parent blocked in join().
    const childMain = run.final.find((t) => t.pid === child.pid && t.tid === 0)!
    const lockId = opsOn(run, 'lock')[0].obj
    expect(childMain).toMatchObject({ state: 'blocked', obj: lockId, line: 20 })
    const parentMain = run.final.find((t) => t.pid === 0 && t.tid === 0)!
    expect(parentMain).toMatchObject({ state: 'blocked', line: 31 })
    expect(run.outcome.message).toMatch(/Child\/MainThread blocked on lock at line 20/)
    expect(run.outcome.message).toMatch(/MainProcess\/MainThread blocked on Child at line 31/)

    // Holder did release the parent's lock, long before the end; the Child never acquired its copy.
    const ops = opsOn(run, 'lock')
    const release = ops.find((e) => e.op === 'release' && e.pid === 0)!
    expect(release.after.owner).toBeNull()
    expect(release.tUs).toBeLessThan(run.outcome.wallUs - 300_000)
    expect(ops.some((e) => e.pid === child.pid)).toBe(false)
    expect(printed(run)).toEqual(['child: taking the lock'])

    expect(forkHeldLock.verdict(run).text).toBe(
      'The Child blocked forever on its copy of the lock, held by MainProcess/Holder, a thread of the parent ' +
        "that does not exist in the Child; the parent's join() waited too, until the 2 s timeout ended the run.",
    )
  })

  it('spawn: the Child gets a fresh lock, takes it at once and finishes', async () => {
    const run = await runModel('fork-held-lock', { start_method: 'spawn' }, { timeoutS: 10 })
    expect(run.outcome.status).toBe('finished')
    const child = run.processes.find((p) => p.name === 'Child')!
    expect(child.startMethod).toBe('spawn')
    expect(child.exitCode).toBe(0)
    expect(run.result.ownerInChild).toBeNull()

    const acquire = opsOn(run, 'lock').find((e) => e.pid === child.pid && e.op === 'acquire')!
    expect(acquire).toMatchObject({ line: 20, result: 'ok' })
    expect(acquire.after.owner).toBe(threadKey(child.pid, 0))
    // It did not wait for Holder, which held the parent's lock for 1 s more.
    const release = opsOn(run, 'lock').find((e) => e.pid === 0 && e.op === 'release')!
    expect(acquire.tUs).toBeLessThan(release.tUs)
    expect(printed(run)).toEqual(['child: taking the lock', 'child: got the lock', 'main: done'])
    expect(forkHeldLock.verdict(run).text).toMatch(/^The Child got a fresh, unlocked lock/)
  })
})
