import { describe, expect, it } from 'vitest'
import type { RunRecord } from '../../shared/trace'
import { printed, runModel, threadName } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf } from '../../../tests/support/trace'

/** Every worker printed its own name on its own lane, TIMES times; main's last line came after every join. */
function checkRun(run: RunRecord, workerNames: string[]): void {
  expect(run.outcome.status).toBe('finished')
  const prints = run.events.flatMap((e) => (e.type === 'print' ? [e] : []))
  for (const name of workerNames) {
    const mine = prints.filter((p) => p.text.endsWith(`from ${name}`))
    expect(mine.map((p) => p.text)).toEqual([0, 1, 2].map((i) => `hello ${i} from ${name}`))
    // Printed on the worker's own lane: a thread of that name, or the main thread of that process.
    for (const p of mine) {
      const lane = threadName(run, p)
      const proc = run.processes.find((x) => x.pid === p.pid)!.name
      expect(lane === name || proc === name).toBe(true)
    }
  }
  const last = printed(run).at(-1)
  expect(last).toMatch(/: all \d+ workers finished$/)
  const lastPrint = prints.find((p) => p.text === last)!
  expect(lastPrint.pid).toBe(0)
  expect(lastPrint.tid).toBe(0)
  const joins = run.events.filter((e) => e.type === 'op' && e.op === 'join' && e.pid === 0 && e.tid === 0)
  expect(joins).toHaveLength(workerNames.length)
  for (const j of joins) expect(lastPrint.tUs).toBeGreaterThanOrEqual(j.tUs)
  // Every worker's lane ended before the main thread's last line.
  const ends = run.events.filter((e) => e.type === 'thread-end' && (e.pid > 0 || e.tid > 0))
  expect(ends).toHaveLength(workerNames.length)
  for (const e of ends) expect(lastPrint.tUs).toBeGreaterThan(e.tUs)
}

describe('hello', () => {
  it('threads: each prints its name three times; main is blocked in join() until each has ended', async () => {
    const run = await runModel('hello', { kind: 'thread', count: 3 })
    const names = [1, 2, 3].map((i) => `Thread-${i} (worker)`)
    checkRun(run, names)
    expectLinesInProgram(run)
    // Each join names the end of the thread it waited for, and main was blocked meanwhile.
    const joins = run.events.filter((e) => e.type === 'op' && e.op === 'join')
    for (const [i, j] of joins.entries()) {
      const end = run.events.find((e) => e.type === 'thread-end' && threadName(run, e) === names[i])!
      expect(j.type === 'op' && j.cause).toBe(idOf(end))
    }
    const blocked = run.events.filter((e) => e.type === 'state' && e.state === 'blocked' && e.tid === 0)
    expect(blocked.length).toBeGreaterThan(0)
    const { hello } = await import('./index')
    expect(hello.verdict(run).text).toBe(
      'All 3 threads printed their 9 lines; the main thread printed last, after joining every one.',
    )
  })

  it('processes: Process-1 and Process-2 print from their own processes; main prints last', async () => {
    const run = await runModel('hello', { kind: 'process', count: 2 }, { speed: 0.5 })
    checkRun(run, ['Process-1', 'Process-2'])
    expect(run.processes.map((p) => p.name).sort()).toEqual(['MainProcess', 'Process-1', 'Process-2'])
    expect(printed(run).at(-1)).toBe('MainProcess: all 2 workers finished')
  })
})
