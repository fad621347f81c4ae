import { describe, expect, it } from 'vitest'
import { runModel } from '../../tests/support/runModel'
import type { RunRecord } from '../shared/trace'

/**
 * The run's last sample of the cores is at most this long before its end (src/engine/run.ts takes
 * one more as it ends, unless the last was this recent); without it, up to a sampling interval (80 ms).
 */
const LAST_SAMPLE_WITHIN_US = 30_000
const lastEventUs = (run: RunRecord): number => Math.max(...run.events.map((e) => e.tUs))

describe('a run records CPU on one clock', () => {
  it('samples every core at least 10 times a second, and each thread its CPU time and last core', async () => {
    const run = await runModel('countdown-gil', { count: 10_000_000, mode: 'processes' })
    expect(run.outcome.status).toBe('finished')
    const wallS = run.outcome.wallUs / 1e6
    expect(run.cpu.length / wallS).toBeGreaterThanOrEqual(10)
    for (const s of run.cpu) expect(s.corePct).toHaveLength(run.machine.cores)
    // Samples and events share one clock: every sample falls inside the run.
    expect(run.cpu.every((s) => s.tUs > 0 && s.tUs <= run.outcome.wallUs)).toBe(true)
    // And they reach its end: one more sample covers the stretch since the last.
    expect(run.cpu.at(-1)!.tUs).toBeGreaterThanOrEqual(lastEventUs(run) - LAST_SAMPLE_WITHIN_US)

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

describe('the cores', () => {
  it("are sampled up to a short run's end, not only every interval", async () => {
    for (const iterations of [50, 300, 1000]) {
      const run = await runModel('race-counter', { threads: 2, iterations })
      expect(run.outcome.status).toBe('finished')
      expect(run.cpu.length).toBeGreaterThan(0)
      expect(run.cpu.at(-1)!.tUs, `${iterations} iterations`).toBeGreaterThanOrEqual(
        lastEventUs(run) - LAST_SAMPLE_WITHIN_US,
      )
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
