/**
 * Run many, for real: batches of catalogue lessons run in Node child processes (the checkout's
 * launcher), with their progress, their tally, their kept recordings, Cancel, and refusals.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { BatchRequest, BatchStreamMessage } from '../src/shared/batch'
import { readRecording } from '../src/shared/recording'
import { findScenario } from '../src/scenarios/catalog'
import { PageBatches, startBatch } from '../src/engine/batch'
import type { ProcessLauncher } from '../src/engine/launcher'
import { localLauncher } from '../src/engine/localLauncher'
import { CountingLauncher } from './support/countingLauncher'

type Progress = Extract<BatchStreamMessage, { type: 'batch:progress' }>

const race = (lock: 'on' | 'off', iterations = 50) => ({
  scenario: 'race-counter',
  params: { threads: 2, iterations, lock },
})

describe('run many', () => {
  let base: ProcessLauncher

  beforeAll(async () => {
    base = await localLauncher()
  })

  it('runs race-counter 20 times, one after another, tallies the final counters and keeps the first run of each', async () => {
    const launcher = new CountingLauncher(base)
    const heard: BatchStreamMessage[] = []
    const t0 = performance.now()
    const batch = startBatch(findScenario, { run: race('off'), runs: 20 }, launcher, (m) => heard.push(m))
    expect(heard[0]).toMatchObject({
      type: 'batch:started',
      batchId: batch.batchId,
      scenario: 'race-counter',
      total: 20,
      params: { threads: 2, iterations: 50, lock: 'off' },
      measure: { figure: 'counter', label: 'final counter', expected: null },
    })
    const end = await batch.done
    const ms = performance.now() - t0
    process.stdout.write(`run many: 20 runs of race-counter 2x50 in ${(ms / 1000).toFixed(1)} s\n`)

    const progress = heard.filter((m): m is Progress => m.type === 'batch:progress')
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
    expect(progress.every((p) => p.total === 20 && p.batchId === batch.batchId)).toBe(true)
    expect(heard.at(-1)).toBe(end)
    expect(end).toMatchObject({ status: 'finished', done: 20, total: 20, expected: 100 })
    expect(end.values.reduce((s, v) => s + v.count, 0)).toBe(20)
    for (const v of end.values) {
      expect(typeof v.value).toBe('number')
      expect(v.value).toBeGreaterThanOrEqual(2) // two threads can lose all but two increments
      expect(v.value).toBeLessThanOrEqual(100)
      expect(v.kept).toBe(true)
      // The last progress for a value is its tally at the end.
      expect(progress.filter((p) => p.value.value === v.value).at(-1)?.value).toEqual(v)
    }
    // The first run always gives a new value; every value's first run is the first progress naming it.
    expect(end.values.map((v) => v.firstRun)).toContain(0)
    for (const v of end.values) {
      expect(progress.find((p) => p.value.value === v.value)?.done).toBe(v.firstRun + 1)
      const recording = await readRecording(batch.recording(v.firstRun)!)
      expect(recording.record.scenario).toBe('race-counter')
      expect(recording.record.result.counter).toBe(v.value)
      expect(recording.record.events.length).toBeGreaterThan(0)
      expect(recording.verdict).toMatch(/increment/)
    }
    expect(end.keptBytes).toBeGreaterThan(0)
    // Runs other than each value's first are not kept.
    const firsts = new Set(end.values.map((v) => v.firstRun))
    for (let i = 0; i < 20; i++) if (!firsts.has(i)) expect(batch.recording(i)).toBeUndefined()
    await launcher.allGone()
  })

  it('gives one value with the lock on: the expected count', async () => {
    const launcher = new CountingLauncher(base)
    const batch = startBatch(findScenario, { run: race('on', 20), runs: 8 }, launcher, () => {})
    const end = await batch.done
    expect(end.status).toBe('finished')
    expect(end.values).toEqual([{ value: 40, count: 8, firstRun: 0, kept: true }])
    expect(end.expected).toBe(40)
    await launcher.allGone()
  })

  it('counts outcomes by category where the lesson names no figure', async () => {
    const batch = startBatch(
      findScenario,
      { run: { scenario: 'hello', params: {} }, runs: 2 },
      base,
      () => {},
    )
    const end = await batch.done
    expect(end.values).toEqual([{ value: 'finished', count: 2, firstRun: 0, kept: true }])
    expect(end.expected).toBeNull()
  })

  it('cancels between runs: no other run starts, and no process is left', async () => {
    const launcher = new CountingLauncher(base)
    const heard: BatchStreamMessage[] = []
    const batch = startBatch(findScenario, { run: race('off', 20), runs: 1000 }, launcher, (m) => {
      heard.push(m)
      if (m.type === 'batch:progress' && m.done === 3) batch.cancel()
    })
    const end = await batch.done
    expect(end.status).toBe('cancelled')
    expect(end.done).toBe(3)
    expect(end.message).toBe('cancelled after 3 of 1000 runs')
    expect(end.values.reduce((s, v) => s + v.count, 0)).toBe(3)
    expect(heard.filter((m) => m.type === 'batch:progress')).toHaveLength(3)
    await launcher.allGone()
  })

  it('cancels in the middle of a run: its processes are killed and it is not counted', async () => {
    const launcher = new CountingLauncher(base)
    // Two threads take two locks in opposite orders: the run hangs until its minute is up.
    const batch = startBatch(
      findScenario,
      { run: { scenario: 'deadlock-two-locks', params: {}, options: { timeoutS: 60 } }, runs: 5 },
      launcher,
      () => {},
    )
    await vi.waitFor(() => expect(launcher.launched.some((p) => p.handle.osPid !== null)).toBe(true))
    await new Promise((r) => setTimeout(r, 1000))
    const live = launcher.launched.filter((p) => !p.exited)
    expect(live.length).toBeGreaterThan(0)
    const t0 = performance.now()
    batch.cancel()
    const end = await batch.done
    expect(performance.now() - t0).toBeLessThan(5000)
    expect(end).toMatchObject({ status: 'cancelled', done: 0, values: [] })
    await launcher.allGone()
  })

  it('refuses a number of runs outside 1 to 1000, and a bad lesson or parameter, starting nothing', () => {
    const launcher = new CountingLauncher(base)
    const heard: BatchStreamMessage[] = []
    // What a page might send: anything at all.
    const start =
      (runs: unknown, run: unknown = race('off')) =>
      () =>
        startBatch(findScenario, { run, runs } as unknown as BatchRequest, launcher, (m) => heard.push(m))
    expect(start(0)).toThrow('the number of runs must be a whole number from 1 to 1000; got 0')
    expect(start(1001)).toThrow('the number of runs must be a whole number from 1 to 1000; got 1001')
    expect(start(2.5)).toThrow(/from 1 to 1000; got 2.5/)
    expect(start('20')).toThrow(/from 1 to 1000/)
    expect(start(undefined)).toThrow(/from 1 to 1000; got undefined/)
    expect(start(10, { scenario: 'nope', params: {} })).toThrow("unknown scenario 'nope'")
    expect(start(10, { scenario: 'race-counter', params: { threads: 99 } })).toThrow(
      "parameter 'threads' must be at most 16; got 99",
    )
    expect(start(10, { ...race('off'), options: { timeoutS: -1 } })).toThrow(/timeout/)
    expect(start(10, null)).toThrow('no lesson was named to run')
    // The run's shape is checked as a single run's is (src/shared/requestSchema.ts).
    expect(start(10, { ...race('off'), options: { gil: 'no' } })).toThrow(
      'request.run.options.gil must be true or false',
    )
    expect(heard).toEqual([])
    expect(launcher.launched).toEqual([])
  })

  it('counts values past the memory budget without keeping their runs', async () => {
    const pages: BatchStreamMessage[] = []
    const page = new PageBatches(findScenario, (m) => pages.push(m), { keepBytes: 1 })
    const { batchId } = page.start({ run: race('off', 20), runs: 3 }, base)
    expect(() => page.start({ run: race('off', 20), runs: 3 }, base)).toThrow(/already under way/)
    expect(page.busy).toBe(true)
    const end = await vi.waitFor(
      () => {
        const m = pages.find((p) => p.type === 'batch:end')
        if (!m || m.type !== 'batch:end') throw new Error('not yet')
        return m
      },
      { timeout: 60_000 },
    )
    expect(end.batchId).toBe(batchId)
    expect(end.values.reduce((s, v) => s + v.count, 0)).toBe(3)
    expect(end.values.every((v) => !v.kept)).toBe(true)
    expect(end.keptBytes).toBe(0)
    expect(() => page.recording(batchId, 0)).toThrow('run 1 of that batch was not kept')
    expect(() => page.recording('batch-other', 0)).toThrow('that batch of runs is no longer kept')
    expect(() => page.recording(batchId, -1)).toThrow(/named by its batch/)
    await vi.waitFor(() => expect(page.busy).toBe(false))
  })

  it('hands a page the recording of a kept run, and lets go of it when the page goes', async () => {
    const page = new PageBatches(findScenario, () => {})
    const { batchId } = page.start({ run: race('off', 20), runs: 1 }, base)
    await vi.waitFor(() => expect(page.busy).toBe(false), { timeout: 60_000 })
    const recording = await readRecording(page.recording(batchId, 0))
    expect(recording.record.params).toEqual({ threads: 2, iterations: 20, lock: 'off' })
    await page.close()
    expect(() => page.recording(batchId, 0)).toThrow('that batch of runs is no longer kept')
  })
})
