import { describe, expect, it } from 'vitest'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { opsOn, printed, runModel, threadName } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { claimsByItem, seenSet } from './index'

const members = (value: string | null): number[] => (value?.match(/\d+/g) ?? []).map(Number)

function doubled(run: RunRecord): [number, string[]][] {
  return [...claimsByItem(run)].filter(([, who]) => who.length > 1)
}

/** The check (line 14) with which `thread` found `item` missing: its last read of seen before claiming it. */
function check(run: RunRecord, thread: string, item: number): OpEvent {
  const claimAt = run.events.find((e) => e.type === 'print' && e.text === `${thread} claimed ${item}`)!.tUs
  const reads = opsOn(run, 'seen').filter(
    (e) => e.op === 'read' && e.line === 14 && e.tUs < claimAt && threadName(run, e) === thread,
  )
  return reads.at(-1)!
}

describe('seen-set', () => {
  it('without the lock, across runs, some items are claimed twice and some runs claim each once', async () => {
    const runs: RunRecord[] = []
    while (
      runs.length < 14 &&
      !(runs.some((r) => doubled(r).length > 0) && runs.some((r) => doubled(r).length === 0))
    ) {
      runs.push(await runModel('seen-set', { items: 5 }))
    }
    const racy = runs.find((r) => doubled(r).length > 0)
    const clean = runs.find((r) => doubled(r).length === 0)
    expect(racy, `no double claim in ${runs.length} runs`).toBeDefined()
    expect(clean, `every one of ${runs.length} runs had a double claim`).toBeDefined()
    expectLinesInProgram(racy!)

    // A double claim: both threads checked (and found the item missing) before either added it.
    const [item, who] = doubled(racy!)[0]
    const firstAdd = opsOn(racy!, 'seen').find((e) => e.op === 'write' && members(e.value).includes(item))!
    for (const thread of who) {
      const c = check(racy!, thread, item)
      expect(members(c.value)).not.toContain(item)
      expect(c.tUs).toBeLessThan(firstAdd.tUs)
    }
    expect(seenSet.verdict(racy!).text).toMatch(
      /items? claimed more than once \(\d+ by Thread-\d \(worker\) and Thread-\d/,
    )
    // The set itself holds every item once.
    expect(racy!.result.seen).toEqual([0, 1, 2, 3, 4])
    expect(clean!.result.seen).toEqual([0, 1, 2, 3, 4])
  })

  it('with the lock, each item is claimed exactly once, and the verdict names the winners', async () => {
    let blockedRuns = 0
    // At least three runs, and on until one shows a thread blocked on the lock (capped).
    for (let i = 0; i < 12 && (i < 3 || blockedRuns === 0); i++) {
      const run = await runModel('seen-set', { lock: 'on', threads: 3, items: 10 })
      expect(run.outcome.status).toBe('finished')
      const claims = claimsByItem(run)
      expect([...claims.keys()].sort((a, b) => a - b)).toEqual([...Array(10).keys()])
      for (const who of claims.values()) expect(who).toHaveLength(1)
      expect(printed(run).at(-1)).toBe('seen = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]')
      // Only the lock's owner touches the set: no check of one thread falls between another's check and act.
      const lockOps = opsOn(run, 'lock')
      expect(lockOps.filter((e) => e.op === 'acquire')).toHaveLength(30)
      const both = [...lockOps, ...opsOn(run, 'seen')].sort((a, b) => a.tUs - b.tUs)
      let owner: number | null = null
      for (const e of both) {
        if (e.op === 'acquire') owner = e.tid
        else if (e.op === 'release') owner = null
        else if (e.line !== 35) expect(e.tid).toBe(owner)
      }
      const lockId = lockOps[0].obj
      if (run.events.some((e) => e.type === 'state' && e.state === 'blocked' && e.obj === lockId))
        blockedRuns++
      const text = seenSet.verdict(run).text
      expect(text).toMatch(/^Each of the 10 items was claimed exactly once: Thread-\d \(worker\) won \d/)
      for (const [item, [name]] of claims)
        expect(text).toMatch(new RegExp(`${name.replace(/[()]/g, '\\$&')} won [\\d, ]*\\b${item}\\b`))
    }
    // Meanwhile the other threads were blocked on the lock (in some runs: a thread may finish before the next starts).
    expect(blockedRuns).toBeGreaterThan(0)
  })
})
