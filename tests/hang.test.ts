/**
 * Hangs that are not cycles, in real runs: every live thread blocked or waiting and nothing moving
 * for the run's hangAfterS is reported while the run goes on, with what each thread waits for.
 */
import { describe, expect, it } from 'vitest'
import { Run, type RunUpdate } from '../src/engine/run'
import { resolveParams } from '../src/shared/scenario'
import { findScenario } from '../src/scenarios/catalog'
import type { HangReport, RunOptions, RunRecord } from '../src/shared/trace'
import type { ScenarioDefinition } from '../src/engine/scenario'
import { hangForever, hangThenMove } from './models/hangs'
import { testLauncher } from './support/runModel'

interface Heard {
  record: RunRecord
  /** Each hang update (a report, or null when withdrawn) with the run time it came at. */
  hangs: { atUs: number; hang: HangReport | null }[]
  deadlocks: number
}

async function runHearing(
  def: ScenarioDefinition,
  params: Record<string, string | number>,
  options: Partial<RunOptions>,
): Promise<Heard> {
  const run = new Run(def, resolveParams(def.params, params), options, await testLauncher())
  const hangs: Heard['hangs'] = []
  let deadlocks = 0
  run.onUpdate((u: RunUpdate) => {
    if (u.hang !== undefined) hangs.push({ atUs: run.nowUs(), hang: u.hang })
    if (u.deadlock) deadlocks++
  })
  const record = await run.start()
  return { record, hangs, deadlocks }
}

function expectNoProcessLeft(run: RunRecord): void {
  for (const p of run.processes) expect(() => process.kill(p.osPid!, 0)).toThrow()
}

const needs = (hang: HangReport | null | undefined): string[] =>
  (hang?.threads ?? []).map((t) => `${t.process}/${t.thread} at ${t.line}: ${t.needs}`).sort()

describe('hangs that are not cycles', () => {
  it('an event nobody sets and a queue nobody fills: reported once nothing has moved for hangAfterS', async () => {
    const { record, hangs } = await runHearing(hangForever, {}, { hangAfterS: 0.5, timeoutS: 3 })
    expect(hangs).toHaveLength(1)
    const [{ atUs, hang }] = hangs
    expect(hang).not.toBeNull()
    // Reported after half a second of stillness, and soon after (checks run every 200 ms).
    expect(atUs - hang!.sinceUs).toBeGreaterThanOrEqual(500_000)
    expect(atUs - hang!.sinceUs).toBeLessThan(1_500_000)
    expect(needs(hang)).toEqual([
      'MainProcess/Getter at 16: a put() on q',
      'MainProcess/MainThread at 8: thread Waiter to end',
      'MainProcess/Waiter at 12: a set() of ready',
    ])
    expect(record.outcome.status).toBe('timed-out')
    expect(record.outcome.hang).toEqual(hang)
    expect(record.outcome.deadlock).toBeNull()
    expect(record.outcome.message).toMatch(/^timed out after 3 s; hung: nothing moved after \d+\.\d\d s; /)
    expect(record.outcome.message).toContain('MainProcess/Waiter waits at line 12 for a set() of ready')
    expectNoProcessLeft(record)
  })

  it('a wait with a timeout looks hung, then moves: the report is withdrawn and the run finishes', async () => {
    const { record, hangs } = await runHearing(hangThenMove, {}, { hangAfterS: 0.5, timeoutS: 10 })
    expect(hangs.map((h) => h.hang === null)).toEqual([false, true])
    expect(needs(hangs[0].hang)).toContain('MainProcess/Waiter at 12: a set() of ready')
    expect(record.outcome.status).toBe('finished')
    expect(record.outcome.hang).toBeNull()
    expect(record.result.set).toBe(false)
  })

  it('across processes: a forked child stuck on a copied lock, its parent joining it', async () => {
    const def = findScenario('fork-held-lock')!
    const { record, hangs } = await runHearing(
      def,
      { start_method: 'fork' },
      { hangAfterS: 0.8, timeoutS: 5 },
    )
    expect(hangs).toHaveLength(1)
    expect(needs(hangs[0].hang)).toEqual([
      'Child/MainThread at 20: a release of lock',
      'MainProcess/MainThread at 31: process Child to end',
    ])
    expect(record.outcome.hang?.threads).toHaveLength(2)
    expectNoProcessLeft(record)
  })

  it('a cycle is a deadlock, not also a hang; hangAfterS 0 never reports one', async () => {
    const def = findScenario('deadlock-two-locks')!
    const cycle = await runHearing(def, { order: 'opposite' }, { hangAfterS: 1, timeoutS: 2.5 })
    expect(cycle.deadlocks).toBe(1)
    expect(cycle.hangs).toEqual([])
    expect(cycle.record.outcome.hang).toBeNull()
    const never = await runHearing(hangForever, {}, { hangAfterS: 0, timeoutS: 1.5 })
    expect(never.hangs).toEqual([])
    expect(never.record.outcome.message).toMatch(/still waiting: /)
  })

  it('refuses a hang time out of bounds', async () => {
    const launcher = await testLauncher()
    expect(() => new Run(hangForever, {}, { hangAfterS: -1 }, launcher)).toThrow(/from 0 to 3600 seconds/)
    expect(() => new Run(hangForever, {}, { hangAfterS: NaN }, launcher)).toThrow(/from 0 to 3600 seconds/)
  })
})
