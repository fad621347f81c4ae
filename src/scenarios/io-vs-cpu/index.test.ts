import { describe, expect, it } from 'vitest'
import { runModel, runShowing } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { ioVsCpu } from './index'

type Walls = { serial: number; threads: number; processes: number }

describe('io-vs-cpu', () => {
  it('I/O-bound: threads and processes are about `tasks` times faster than serial', async () => {
    const run = await runShowing('io-vs-cpu', { kind: 'io', tasks: 4, latency: 0.3 }, {}, (r) => {
      const w = r.result.wallS as Walls
      return w.threads < w.serial / 2.5 && w.processes < w.serial / 2
    })
    const w = run.result.wallS as Walls
    expect(w.serial).toBeGreaterThan(4 * 0.3 * 0.95)
    expect(w.threads).toBeLessThan(w.serial / 2.5)
    expect(w.processes).toBeLessThan(w.serial / 2)
    // In threads, the four waits overlap: at some moment all four lanes are in I/O at once.
    const io = run.events.filter((e) => e.type === 'state' && e.pid === 0 && e.tid > 0)
    expect(io.filter((e) => e.type === 'state' && e.state === 'io')).toHaveLength(4)
    expect(ioVsCpu.verdict(run).text).toMatch(/^I\/O-bound: threads were \d\.\dx faster than serial/)
    expectLinesInProgram(run)
  })

  it('CPU-bound: threads are no faster than serial; processes are faster on two cores', async () => {
    const run = await runShowing('io-vs-cpu', { kind: 'cpu', tasks: 2, count: 6_000_000 }, {}, (r) => {
      const w = r.result.wallS as Walls
      return w.threads > 0.8 * w.serial && w.processes < 0.75 * w.serial
    })
    const w = run.result.wallS as Walls
    expect(w.threads).toBeGreaterThan(0.8 * w.serial)
    if (run.machine.cores >= 2) expect(w.processes).toBeLessThan(0.75 * w.serial)
    expect(ioVsCpu.verdict(run).text).toMatch(/^CPU-bound: threads were \d\.\dx as fast as serial/)
    expectLinesInProgram(run)
  })

  it('runs one way only when asked', async () => {
    const run = await runModel('io-vs-cpu', { kind: 'io', mode: 'threads', tasks: 3, latency: 0.1 })
    expect(Object.keys(run.result.wallS as object)).toEqual(['threads'])
    expect(run.processes).toHaveLength(1)
  })
})
