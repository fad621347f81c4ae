import { describe, expect, it } from 'vitest'
import { eventId } from '../../shared/trace'
import { lockHandOff } from '../../../tests/models/primitives'
import { opsOn, runModel } from '../../../tests/support/runModel'

describe('threading.Lock', () => {
  it('blocks a second thread until released, links release to acquire, and refuses an unheld release', async () => {
    const run = await runModel(lockHandOff)
    expect(run.outcome.status).toBe('finished')
    expect(Number(run.result.waitedS)).toBeGreaterThan(0.15)
    expect(run.result.error).toBe('RuntimeError: release unlocked lock')
    const ops = opsOn(run, 'lock')
    const release = ops.find((e) => e.op === 'release' && e.line === 2)!
    const acquire = ops.find((e) => e.op === 'acquire' && e.line === 10)!
    // The acquire names the release that let it in.
    expect(acquire.cause).toBe(eventId(release.pid, release.tid, release.seq))
    expect(acquire.tUs).toBeGreaterThanOrEqual(release.tUs)
    const taker = run.events.find((e) => e.type === 'state' && e.state === 'blocked' && e.tid === acquire.tid)
    expect(taker).toBeDefined()
  })
})
