import { describe, expect, it } from 'vitest'
import { runModel } from '../../tests/support/runModel'

describe('a run records CPU on one clock', () => {
  it('samples every core at least 10 times a second, and each thread its CPU time and last core', async () => {
    const run = await runModel('countdown-gil', { count: 10_000_000, mode: 'processes' })
    expect(run.outcome.status).toBe('finished')
    const wallS = run.outcome.wallUs / 1e6
    expect(run.cpu.length / wallS).toBeGreaterThanOrEqual(10)
    for (const s of run.cpu) expect(s.corePct).toHaveLength(run.machine.cores)
    // Samples and events share one clock: every sample falls inside the run.
    expect(run.cpu.every((s) => s.tUs > 0 && s.tUs <= run.outcome.wallUs)).toBe(true)

    const children = run.processes.filter((p) => p.pid > 0)
    expect(children).toHaveLength(2)
    for (const p of children) {
      const samples = run.threadCpu.filter((s) => s.pid === p.pid && s.tid === 0)
      expect(samples.length).toBeGreaterThan(0)
      const last = samples[samples.length - 1]
      expect(last.cpuUs).toBeGreaterThan(200_000)
      if (process.platform === 'linux') {
        expect(last.core).toBeGreaterThanOrEqual(0)
        expect(last.core).toBeLessThan(run.machine.cores)
      }
      // A child's events start after the parent started it, on the same clock.
      const first = run.events.find((e) => e.pid === p.pid)!
      expect(first.tUs).toBeGreaterThanOrEqual(p.startUs)
      expect(p.cpuUs).toBeGreaterThanOrEqual(last.cpuUs)
    }
  })
})

describe("a thread's CPU time", () => {
  it('is sampled once more as each thread ends, after its end, whatever its length', async () => {
    // Threads shorter than one sampling interval too: their one reading is the one they send as they end.
    const run = await runModel('countdown-gil', { workers: 2, count: 200_000, mode: 'threads' })
    expect(run.outcome.status).toBe('finished')
    const ends = run.events.filter((e) => e.type === 'thread-end')
    expect(ends.length).toBe(3)
    for (const end of ends) {
      const samples = run.threadCpu.filter((s) => s.pid === end.pid && s.tid === end.tid)
      expect(samples.length, `${end.pid}:${end.tid}`).toBeGreaterThan(0)
      const last = samples[samples.length - 1]
      expect(last.tUs).toBeGreaterThanOrEqual(end.tUs)
      expect(last.cpuUs).toBeGreaterThan(0)
    }
  })
})
