import { describe, expect, it } from 'vitest'
import { Run } from '../src/engine/run'
import { resolveParams } from '../src/shared/scenario'
import { findScenario } from '../src/scenarios/catalog'
import { deadlock, killedChild, longSleep, mainRaises, terminatedChild, threadRaises } from './models/bad'
import { eventId } from '../src/shared/trace'
import { printed, runModel, testLauncher } from './support/runModel'
import type { RunRecord } from '../src/shared/trace'

/** Every OS process of the run is gone. */
function expectNoProcessLeft(run: RunRecord): void {
  for (const p of run.processes) {
    expect(p.osPid).toBeGreaterThan(0)
    expect(() => process.kill(p.osPid!, 0), `process ${p.name} (${p.osPid}) is still running`).toThrow()
  }
}

describe('bad input at run time', () => {
  it('stops a run that would hold more events than its cap, with a message, and leaves no process', async () => {
    const def = findScenario('race-counter')!
    const params = resolveParams(def.params, { threads: 4, iterations: 10_000 })
    const run = new Run(def, params, { timeoutS: 60 }, await testLauncher(), 2000)
    const record = await run.start()
    expect(record.outcome.status).toBe('stopped')
    expect(record.outcome.message).toMatch(/^stopped after \d+ events: a run keeps at most 2000/)
    // What arrived before the cap is kept (a batch at most past it); nothing after.
    expect(record.events.length).toBeGreaterThanOrEqual(2000)
    expect(record.events.length).toBeLessThan(2000 + 4 * 8192)
    expectNoProcessLeft(record)
  })

  it('refuses run options out of bounds before anything starts', async () => {
    const def = findScenario('race-counter')!
    const params = resolveParams(def.params, {})
    const launcher = await testLauncher()
    expect(() => new Run(def, params, { timeoutS: 3601 }, launcher)).toThrow(/at most 3600 seconds/)
    expect(() => new Run(def, params, { speed: 1000 }, launcher)).toThrow(/at most 100/)
    expect(() => new Run(def, params, { speed: 0 }, launcher)).toThrow(/more than 0/)
  })

  it('terminate() ends a child by SIGTERM, and what the child did before it is in the trace', async () => {
    const run = await runModel(terminatedChild)
    expect(run.outcome.status).toBe('finished')
    expect(run.result).toEqual({ got: 'item', exitcode: -15 })
    const get = run.events.find((e) => e.type === 'op' && e.op === 'get' && e.pid === 0)!
    const cause = get.type === 'op' ? get.cause : null
    const put = run.events.find((e) => e.type === 'op' && e.op === 'put')!
    expect(cause).toBe(eventId(put.pid, put.tid, put.seq))
    expect(run.processes.find((p) => p.name === 'Worker')!.signal).toBe('SIGTERM')
    expectNoProcessLeft(run)
  })

  it('a thread that raises is recorded like threading.excepthook and the run goes on', async () => {
    const run = await runModel(threadRaises)
    expect(run.outcome.status).toBe('finished')
    const end = run.events.find((e) => e.type === 'thread-end' && e.reason === 'exception')
    expect(end && end.type === 'thread-end' && end.error).toMatch(
      /^Exception in thread Boom:\nTraceback[\s\S]*line 9[\s\S]*ZeroDivisionError: division by zero$/,
    )
    expect(printed(run)).toContain('main goes on')
    expect(run.processes[0].exitCode).toBe(0)
    expectNoProcessLeft(run)
  })

  it('MainThread raising ends the process with exit code 1', async () => {
    const run = await runModel(mainRaises)
    expect(run.outcome.status).toBe('finished')
    expect(run.outcome.message).toMatch(/exited with code 1/)
    expect(run.processes[0].exitCode).toBe(1)
    expectNoProcessLeft(run)
  })

  it('a deadlock ends by the timeout with the threads, locks and lines named', async () => {
    const run = await runModel(deadlock, {}, { timeoutS: 2 })
    expect(run.outcome.status).toBe('timed-out')
    const cycle = run.outcome.deadlock?.cycle ?? []
    expect(cycle.map((c) => c.thread).sort()).toEqual(['T1', 'T2'])
    expect(cycle.map((c) => c.objName).sort()).toEqual(['a', 'b'])
    expect(cycle.map((c) => c.line).sort()).toEqual([12, 22])
    expect(run.outcome.message).toMatch(/deadlock: MainProcess\/T\d waits for [ab] at line \d\d/)
    // Blocked threads burn no CPU: both sat on a lock for most of the 2 s.
    for (const t of run.final.filter((f) => f.name.startsWith('T'))) {
      expect(t.state).toBe('blocked')
      expect(t.cpuUs).toBeLessThan(300_000)
    }
    expectNoProcessLeft(run)
  })

  it('a child process killed from outside is recorded with its signal and the parent goes on', async () => {
    const def = killedChild
    const run = new Run(def, {}, { timeoutS: 20 }, await testLauncher())
    let killed = false
    run.onUpdate((u) => {
      if (killed || !u.events.some((e) => e.type === 'result' && e.key === 'sleeping')) return
      killed = true
      const child = u.events.find((e) => e.type === 'result')!
      const osPid = (
        run as unknown as { processes: { info: { pid: number; osPid: number } }[] }
      ).processes.find((p) => p.info.pid === child.pid)!.info.osPid
      process.kill(osPid, 'SIGKILL')
    })
    const record = await run.start()
    expect(killed).toBe(true)
    expect(record.outcome.status).toBe('finished')
    const child = record.processes.find((p) => p.name === 'Sleeper')!
    expect(child.signal).toBe('SIGKILL')
    expect(record.result.exitcode).toBe(-9)
    expectNoProcessLeft(record)
  })

  it('the main process killed from outside fails the run with a clear message', async () => {
    const run = new Run(longSleep, {}, { timeoutS: 20 }, await testLauncher())
    run.onUpdate((u) => {
      if (!u.events.some((e) => e.type === 'result')) return
      const main = (run as unknown as { processes: { info: { osPid: number } }[] }).processes[0]
      process.kill(main.info.osPid, 'SIGKILL')
    })
    const record = await run.start()
    expect(record.outcome.status).toBe('failed')
    expect(record.outcome.message).toMatch(/^MainProcess \(OS pid \d+\) was killed by SIGKILL/)
    expectNoProcessLeft(record)
  })

  it('stop() ends a run at once and kills every process', async () => {
    const run = new Run(longSleep, {}, { timeoutS: 20 }, await testLauncher())
    run.onUpdate((u) => {
      if (u.events.some((e) => e.type === 'result')) run.stop()
    })
    const t0 = Date.now()
    const record = await run.start()
    expect(Date.now() - t0).toBeLessThan(10_000)
    expect(record.outcome.status).toBe('stopped')
    expect(record.final[0].state).toBe('sleeping')
    expectNoProcessLeft(record)
  })
})
