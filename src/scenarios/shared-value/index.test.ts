import { describe, expect, it } from 'vitest'
import { threadKey, type RunRecord } from '../../shared/trace'
import { opsOn, runModel } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { eventById } from '../../../tests/support/trace'
import { sharedValue } from './index'

/** Read-then-write windows on the counter into which another process wrote: each one loses an update. */
function clobberedWindows(run: RunRecord): number {
  const ops = opsOn(run, 'counter').filter((e) => e.pid > 0)
  let n = 0
  for (let i = 0; i < ops.length; i++) {
    if (ops[i].op !== 'read') continue
    const write = ops.slice(i + 1).find((e) => e.pid === ops[i].pid)
    if (!write || write.op !== 'write') continue
    if (ops.some((o) => o.pid !== ops[i].pid && o.op === 'write' && o.tUs > ops[i].tUs && o.tUs < write.tUs))
      n++
  }
  return n
}

describe('shared-value', () => {
  it('without the lock, updates are lost in some runs, where another process wrote between a read and its write', async () => {
    const runs: RunRecord[] = []
    while (runs.length < 5 && !runs.some((r) => Number(r.result.counter) < Number(r.result.expected))) {
      runs.push(await runModel('shared-value', { increments: 300, lock: 'off' }, { timeoutS: 60 }))
    }
    expectLinesInProgram(runs[0])
    const lossy = runs.find((r) => Number(r.result.counter) < Number(r.result.expected))
    expect(lossy, `no update lost in ${runs.length} runs`).toBeDefined()
    expect(lossy!.outcome.status).toBe('finished')
    expect(Number(lossy!.result.counter)).toBeGreaterThanOrEqual(300)
    expect(clobberedWindows(lossy!)).toBeGreaterThan(0)
    // No lock was involved: nobody acquired the value's lock.
    expect(opsOn(lossy!, 'counter.lock')).toEqual([])
    expect(sharedValue.verdict(lossy!).text).toMatch(
      /^\d+ of 600 increments lost: processes read the same value/,
    )
  })

  it("with get_lock(), exact every time; the lock's owner moves between processes, and the others wait", async () => {
    for (let i = 0; i < 2; i++) {
      const run = await runModel(
        'shared-value',
        { processes: 3, increments: 100, lock: 'on' },
        { timeoutS: 60 },
      )
      if (i === 0) expectLinesInProgram(run)
      expect(run.outcome.status).toBe('finished')
      expect(run.result.counter).toBe(300)
      expect(clobberedWindows(run)).toBe(0)

      const workers = run.processes.filter((p) => p.pid > 0).map((p) => p.pid)
      const lock = opsOn(run, 'counter.lock')
      const acquires = lock.filter((e) => e.op === 'acquire')
      expect(acquires).toHaveLength(300)
      expect(new Set(acquires.map((e) => e.pid))).toEqual(new Set(workers))
      for (const a of acquires) {
        expect(a).toMatchObject({ line: 12, result: 'ok' })
        expect(a.after.owner).toBe(threadKey(a.pid, 0))
      }
      // Some acquires were let in by another process's release: the lock handed across processes.
      const handed = acquires.filter((a) => {
        const cause = eventById(run, a.cause)
        return cause?.type === 'op' && cause.op === 'release' && cause.pid !== a.pid
      })
      expect(handed.length).toBeGreaterThan(0)
      // While one process held it, others were blocked on it.
      expect(
        run.events.some(
          (e) => e.type === 'state' && e.state === 'blocked' && e.pid > 0 && e.obj === acquires[0].obj,
        ),
      ).toBe(true)
      const verdict = sharedValue.verdict(run)
      expect(verdict.text).toBe('All 300 increments counted: get_lock() made each read and write one step.')
      expect(verdict.figures.processesThatHeldTheLock).toBe(3)
    }
  })
})
