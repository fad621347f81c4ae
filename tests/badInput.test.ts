import { describe, expect, it } from 'vitest'
import { Run } from '../src/engine/run'
import { resolveParams } from '../src/shared/scenario'
import { findScenario } from '../src/scenarios/catalog'
import {
  deadlock,
  killedChild,
  longSleep,
  mainRaises,
  memoryHog,
  spinForever,
  terminatedChild,
  threadRaises,
  tooManyProcesses,
  tooManyThreads,
} from './models/bad'
import { eventId } from '../src/shared/trace'
import { printed, runModel, testLauncher } from './support/runModel'
import { withLimits } from './support/limitsLauncher'
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
    expect(() => new Run(def, params, { switchIntervalMs: 1001 }, launcher)).toThrow(
      'the switch interval must be from 0.1 to 1000 ms',
    )
    expect(() => new Run(def, params, { switchIntervalMs: 0.05 }, launcher)).toThrow(/from 0.1 to 1000 ms/)
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

describe('limits and runaway threads', () => {
  it.each([
    ['', false],
    [' (in a host warmed before the run, whose workers are replaced)', true],
  ])(
    'a thread past its memory limit dies of MemoryError; joins wake and its process goes on%s',
    async (_, warm) => {
      const launcher = withLimits(await testLauncher(), { threadMemoryMb: 32 }, warm)
      const record = await new Run(memoryHog, {}, { timeoutS: 10 }, launcher).start()
      expect(record.outcome.status).toBe('finished')
      const hog = record.events.find((e) => e.type === 'thread-start' && e.name === 'Hog')!
      const end = record.events.find((e) => e.type === 'thread-end' && e.tid === hog.tid)
      expect(end).toMatchObject({ reason: 'exception' })
      expect(end && end.type === 'thread-end' && end.error).toBe(
        'Exception in thread Hog:\nTraceback (most recent call last):\n  File "program.py", line 11, in hog\n' +
          "MemoryError: the thread went past this run's memory limit of 32 MB per thread",
      )
      // MainThread, which shared the GIL with it, went on: its join returned, caused by that end.
      const join = record.events.find((e) => e.type === 'op' && e.op === 'join' && e.tid === 0)
      expect(join).toMatchObject({ result: 'ok', line: 6, cause: eventId(end!.pid, end!.tid, end!.seq) })
      expect(printed(record)).toEqual(['main goes on'])
      expect(record.result.hogAlive).toBe(false)
      expect(record.final.find((t) => t.name === 'Hog')?.state).toBe('finished')
      expect(record.processes[0].exitCode).toBe(0)
      expectNoProcessLeft(record)
    },
  )

  it("one thread too many raises RuntimeError: can't start new thread, traced like any raise", async () => {
    const run = new Run(tooManyThreads, {}, { timeoutS: 10 }, await testLauncher(), undefined, {
      threadsPerProcess: 4,
    })
    const record = await run.start()
    const refusal = "RuntimeError: can't start new thread (this run allows at most 4 threads per process)"
    expect(record.result.refused).toBe(refusal)
    // The failed starts are in the trace, on the lines that made them.
    const failed = record.events.filter((e) => e.type === 'op' && e.op === 'start' && e.result === 'error')
    expect(failed.map((e) => (e.type === 'op' ? e.line : -1))).toEqual([5, 20])
    // Once the first three ended, three more could start; the fourth, uncaught, ends MainThread.
    expect(record.result.restarted).toBe(3)
    const started = record.events.filter((e) => e.type === 'thread-start').map((e) => e.tid)
    expect(started).toHaveLength(7)
    const mainEnd = record.events.find((e) => e.type === 'thread-end' && e.tid === 0)
    expect(mainEnd).toMatchObject({ reason: 'exception' })
    const error = mainEnd && mainEnd.type === 'thread-end' ? (mainEnd.error ?? '') : ''
    expect(error.startsWith('Traceback (most recent call last):\n')).toBe(true)
    expect(error.endsWith(`line 20, in main\n${refusal}`)).toBe(true)
    expect(record.outcome.status).toBe('finished')
    expect(record.processes[0].exitCode).toBe(1)
    expectNoProcessLeft(record)
  })

  it('a thread spinning for ever is ended by the timeout, with a message, and leaves no process', async () => {
    const t0 = Date.now()
    const record = await runModel(spinForever, {}, { timeoutS: 3 })
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(record.outcome.status).toBe('timed-out')
    expect(record.outcome.message).toMatch(/^timed out after 3 s/)
    const spinner = record.final.find((t) => t.name === 'Spinner')!
    expect(spinner.state).toBe('running')
    // It really burned CPU (the run's first second or so goes to starting its process).
    expect(spinner.cpuUs).toBeGreaterThan(300_000)
    // The message names what the rest of the program waits for.
    expect(record.outcome.message).toMatch(/MainProcess\/MainThread .*Spinner at line 4/)
    expect(record.outcome.message).toMatch(/; still running: MainProcess\/Spinner$/)
    expectNoProcessLeft(record)
  })

  it('one process too many raises BlockingIOError, as a failed fork would, and the run goes on', async () => {
    const run = new Run(tooManyProcesses, {}, { timeoutS: 10 }, await testLauncher(), undefined, {
      processes: 3,
    })
    const record = await run.start()
    expect(record.result.refused).toBe(
      'BlockingIOError: [Errno 11] Resource temporarily unavailable (this run allows at most 3 processes at once, MainProcess included)',
    )
    expect(record.processes.map((p) => p.name)).toEqual(['MainProcess', 'Child-1', 'Child-2'])
    expect(record.outcome.status).toBe('finished')
    expectNoProcessLeft(record)
  })

  it('refuses limits out of bounds before anything starts', async () => {
    const launcher = await testLauncher()
    expect(() => new Run(spinForever, {}, {}, launcher, undefined, { processes: 0 })).toThrow(
      /cap on processes per run must be a whole number from 1/,
    )
    expect(() => new Run(spinForever, {}, {}, launcher, undefined, { threadMemoryMb: 1.5 })).toThrow(
      /memory limit per thread/,
    )
  })
})
