import { describe, expect, it } from 'vitest'
import { resolveParams } from '../src/shared/scenario'
import type { StepCandidate, StepView } from '../src/shared/protocol'
import { splitThreadKey, type RunOptions, type RunRecord } from '../src/shared/trace'
import { testLauncher } from './support/runModel'
import { findScenario } from '../src/scenarios/catalog'
import { Run } from '../src/engine/run'

/** Runs race-counter in step mode; `choose` picks among the waiting threads whenever every thread has stopped. */
async function stepRaceCounter(
  choose: ((candidates: StepCandidate[]) => StepCandidate) | null,
  options: Partial<RunOptions> = {},
): Promise<{ record: RunRecord; views: StepView[] }> {
  const def = findScenario('race-counter')!
  const params = resolveParams(def.params, { threads: 2, iterations: 1, lock: 'off' })
  const run = new Run(def, params, { timeoutS: 30, step: true, ...options }, await testLauncher())
  const views: StepView[] = []
  run.onUpdate((u) => {
    if (!u.step) return
    views.push(u.step)
    if (choose && u.step.ready && u.step.candidates.length > 0 && u.step.replayLeft === 0)
      run.chooseStep(choose(u.step.candidates).key)
  })
  return { record: await run.start(), views }
}

const READ = 18
const SLEEP = 19

/** Both threads read before either writes: the textbook lost update. Main starts and joins in between. */
function loseAnUpdate(candidates: StepCandidate[]): StepCandidate {
  const worker = (c: StepCandidate): boolean => c.name !== 'MainThread'
  return (
    candidates.find((c) => worker(c) && (c.line === READ || c.line === SLEEP)) ??
    candidates.find((c) => !worker(c)) ??
    candidates[0]
  )
}

/** One thread at a time, in thread order: no lost update. */
function oneAtATime(candidates: StepCandidate[]): StepCandidate {
  return [...candidates].sort((a, b) => b.tid - a.tid)[0]
}

describe('step mode', () => {
  it('makes the interleaving the teacher chooses, records it, and replays it on a fresh run', async () => {
    const lost = await stepRaceCounter(loseAnUpdate)
    expect(lost.record.outcome.status).toBe('finished')
    expect(lost.record.result.counter).toBe(1)
    const schedule = lost.record.schedule!
    // Main starts two threads and joins two; each worker reads, sleeps and writes: at least 10 steps.
    expect(schedule.length).toBeGreaterThanOrEqual(10)
    expect(new Set(schedule.map((k) => splitThreadKey(k).tid))).toEqual(new Set([0, 1, 2]))
    // Every view the run published while it waited names only threads that were really waiting.
    expect(lost.views.some((v) => v.ready && v.candidates.length >= 2)).toBe(true)

    const replayed = await stepRaceCounter(null, { schedule })
    expect(replayed.record.result.counter).toBe(1)
    expect(replayed.record.schedule).toEqual(schedule)
    expect(replayed.views.some((v) => v.replayLeft > 0)).toBe(true)
    expect(replayed.views.every((v) => v.diverged === null)).toBe(true)
  }, 60_000)

  it('gives the other ending for another order', async () => {
    const kept = await stepRaceCounter(oneAtATime)
    expect(kept.record.outcome.status).toBe('finished')
    expect(kept.record.result.counter).toBe(2)
  }, 60_000)

  it('hands over to the teacher when a replayed schedule no longer fits the run', async () => {
    const views: StepView[] = []
    const def = findScenario('race-counter')!
    const params = resolveParams(def.params, { threads: 2, iterations: 1, lock: 'off' })
    // Thread 5 never exists.
    const run = new Run(def, params, { timeoutS: 30, step: true, schedule: [5] }, await testLauncher())
    let stopped = false
    run.onUpdate((u) => {
      if (!u.step) return
      views.push(u.step)
      if (u.step.diverged && !stopped) {
        stopped = true
        run.stop()
      }
    })
    const record = await run.start()
    expect(record.outcome.status).toBe('stopped')
    expect(views.at(-1)?.diverged).toMatch(/went another way/)
    expect(record.schedule).toEqual([])
  }, 60_000)
})

describe('step mode across processes', () => {
  it('steps the threads of several processes through brokered pipes to the end', async () => {
    const def = findScenario('pipe-messages')!
    const params = resolveParams(def.params, { count: 3 })
    const run = new Run(def, params, { timeoutS: 30, step: true }, await testLauncher())
    const processes = new Set<string>()
    run.onUpdate((u) => {
      const s = u.step
      if (!s?.ready || s.candidates.length === 0) return
      for (const c of s.candidates) processes.add(c.process)
      // Always the last waiting thread: another process gets its turn often.
      run.chooseStep(s.candidates[s.candidates.length - 1].key)
    })
    const record = await run.start()
    expect(record.outcome.status).toBe('finished')
    expect(processes.size).toBeGreaterThanOrEqual(2)
    expect(def.verdict(record).text).not.toMatch(/bug/i)
    expect(record.schedule!.length).toBeGreaterThan(5)
  }, 60_000)
})

describe('pause', () => {
  it('holds every thread at its next operation and does not count the pause against the timeout', async () => {
    const def = findScenario('race-counter')!
    const params = resolveParams(def.params, { threads: 2, iterations: 2000, lock: 'off' })
    const run = new Run(def, params, { timeoutS: 30 }, await testLauncher())
    const done = run.start()
    await new Promise((r) => setTimeout(r, 400))
    run.pause()
    await new Promise((r) => setTimeout(r, 300))
    const atPause = run.events.length
    await new Promise((r) => setTimeout(r, 700))
    // Nothing moved while paused (a batch in flight when it paused may still land).
    expect(run.events.length - atPause).toBeLessThan(50)
    run.resume()
    const record = await done
    expect(record.outcome.status).toBe('finished')
    expect(record.events.length).toBeGreaterThan(atPause + 100)
  }, 60_000)
})

describe('speed', () => {
  it('scales CPU-bound work as it scales sleeps', async () => {
    const def = findScenario('countdown-gil')!
    const params = resolveParams(def.params, { workers: 1, count: 5_000_000, mode: 'threads' })
    const cpuOf = async (speed: number): Promise<number> => {
      const run = new Run(def, params, { timeoutS: 60, speed }, await testLauncher())
      const record = await run.start()
      expect(record.outcome.status).toBe('finished')
      // The worker's CPU time: thread 1 of MainProcess.
      return Math.max(...record.threadCpu.filter((s) => s.pid === 0 && s.tid === 1).map((s) => s.cpuUs))
    }
    const fast = await cpuOf(0.5)
    const slow = await cpuOf(2)
    // Four times the work at a quarter of the pace; CPU time, unlike wall time, is not stretched by load.
    expect(slow / fast).toBeGreaterThan(2.5)
    expect(slow / fast).toBeLessThan(6)
  }, 120_000)
})
