import { describe, expect, it } from 'vitest'
import { expectLinesInProgram } from '../../../tests/support/program'
import { eventId, type RunRecord } from '../../shared/trace'
import { opsOn, printed, runModel } from '../../../tests/support/runModel'

/** At speed 0.25 the 2 s of work are 0.5 s; the race for the condition is as quick as ever. */
const fast = { speed: 0.25, timeoutS: 5 }

/** The Drawer's notify_all found nobody waiting: the lost wake-up. */
function missed(run: RunRecord): boolean {
  return opsOn(run, 'cond').some((e) => e.op === 'notify_all' && e.line === 22 && e.value === 'woke 0')
}

describe('writer-drawer-assembler', () => {
  it('as written: over repeated runs both endings occur; a hung run shows the Assembler waiting and the notify it missed', async () => {
    const runs: RunRecord[] = []
    while (runs.length < 16 && !(runs.some(missed) && runs.some((r) => !missed(r)))) {
      runs.push(await runModel('writer-drawer-assembler', { variant: 'as-written' }, fast))
    }
    const hung = runs.find(missed)
    const woke = runs.find((r) => !missed(r))
    expect(hung, `no run hung in ${runs.length}`).toBeDefined()
    expect(woke, `no run assembled in ${runs.length}`).toBeDefined()

    expect(hung!.outcome.status).toBe('timed-out')
    const assembler = hung!.final.find((t) => t.process === 'Assembler')!
    expect(assembler.state).toBe('waiting')
    expect(assembler.line).toBe(33)
    const cond = opsOn(hung!, 'cond')
    const drawerNotify = cond.find((e) => e.op === 'notify_all' && e.line === 22)!
    // The Assembler began to wait only after the Drawer's notify had gone by.
    const assemblerWait = hung!.events.find(
      (e) => e.type === 'state' && e.state === 'waiting' && e.pid === assembler.pid && e.line === 33,
    )!
    expect(assemblerWait.tUs).toBeGreaterThan(drawerNotify.tUs)
    // Named as a hang once nothing had moved for 2 s, else among those still waiting at the timeout.
    expect(hung!.outcome.message).toMatch(
      /Assembler\/MainThread (waits at line 33 for a notify\(\) on cond|waiting on cond at line 33)/,
    )
    expectLinesInProgram(hung!)
    expectLinesInProgram(woke!)

    // When the Assembler wins, the Drawer's notify_all wakes it: the wait names that notify.
    const wait = opsOn(woke!, 'cond').find((e) => e.op === 'wait' && e.result === 'ok')!
    const notify = opsOn(woke!, 'cond').find((e) => e.op === 'notify_all' && e.line === 22)!
    expect(notify.value).toBe('woke 1')
    expect(wait.cause).toBe(eventId(notify.pid, notify.tid, notify.seq))
    expect(printed(woke!)).toContain('Assembler: done')
  })

  it('fixed: all three finish in order, every time, in about three steps of work', async () => {
    for (let i = 0; i < 3; i++) {
      const run = await runModel('writer-drawer-assembler', { variant: 'fixed' }, { ...fast, timeoutS: 15 })
      expect(run.outcome.status).toBe('finished')
      const done = printed(run).filter((p) => p.endsWith('done'))
      expect(done).toEqual(['Writer: done', 'Drawer: done', 'Assembler: done'])
      const wallS = run.outcome.wallUs / 1e6
      expect(wallS).toBeGreaterThan(1.5) // 3 x 0.5 s of work
      expect(wallS).toBeLessThan(6)
    }
  })
})
