import { describe, expect, it } from 'vitest'
import type { OpEvent, RunRecord } from '../../shared/trace'
import { runModel } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf, stateIntervals, totalUs } from '../../../tests/support/trace'
import { asyncioIo } from './index'

/** Every task's ops in the order the one thread recorded them, by task name. */
function taskOps(run: RunRecord): Map<string, OpEvent[]> {
  const names = new Map(
    run.events.flatMap((e) => (e.type === 'object' && e.kind === 'task' ? [[e.obj, e.name] as const] : [])),
  )
  const byTask = new Map<string, OpEvent[]>()
  const ops = run.events
    .filter((e): e is OpEvent => e.type === 'op' && names.has(e.obj))
    .sort((a, b) => a.seq - b.seq)
  for (const e of ops) {
    const name = names.get(e.obj)!
    byTask.set(name, [...(byTask.get(name) ?? []), e])
  }
  return byTask
}

function mainCpuUs(run: RunRecord): number {
  return run.final.find((t) => t.pid === 0 && t.name === 'MainThread')!.cpuUs
}

describe('asyncio-io', () => {
  it('200 requests of 0.5 s finish in about one latency, on one thread, interleaved at the awaits, with little CPU', async () => {
    const latency = 0.5
    const run = await runModel('asyncio-io', { connections: 200, latency })
    expect(run.outcome.status, run.outcome.message).toBe('finished')
    expect(run.result.requests).toBe(200)
    const elapsed = Number(run.result.elapsedS)
    expect(elapsed).toBeGreaterThanOrEqual(latency * 0.98)
    expect(elapsed).toBeLessThan(2 * latency + 0.3)
    expectLinesInProgram(run)

    // One Python thread, mostly in select() (io), and far less CPU than the wall time.
    expect(run.events.filter((e) => e.type === 'thread-start')).toHaveLength(1)
    const io = totalUs(stateIntervals(run, 'MainThread').filter((i) => i.state === 'io'))
    expect(io / 1e6).toBeGreaterThan(0.8 * latency)
    expect(mainCpuUs(run) / 1e6).toBeLessThan(0.3 * elapsed)

    const tasks = taskOps(run)
    expect(tasks.size).toBe(201)
    const fetches = [...tasks].filter(([name]) => name !== 'Task-1').map(([, ops]) => ops)
    for (const ops of fetches) {
      // start, first step, wait at the sleep, resumed by its timer, result set, joined by gather.
      expect(ops.map((e) => e.op)).toEqual(['start', 'set', 'wait', 'set', 'set', 'join'])
      const [start, first, wait, resumed, done, join] = ops
      expect(first.cause).toBe(idOf(start))
      expect(wait).toMatchObject({ line: 14, value: `sleep(${latency})` })
      expect(resumed).toMatchObject({ line: 14, cause: idOf(wait) })
      expect(done).toMatchObject({ line: 15, after: { done: 1, waiters: 0 } })
      expect(join).toMatchObject({ line: 21, cause: idOf(done) })
    }
    // Interleaved: task B waits between task A's start and A's resumption, for every pair.
    const [a, b] = [tasks.get('Task-2')!, tasks.get('Task-3')!]
    expect(a[0].seq).toBeLessThan(b[2].seq)
    expect(b[2].seq).toBeLessThan(a[3].seq)
    const lastWait = Math.max(...fetches.map((ops) => ops[2].seq))
    const firstResume = Math.min(...fetches.map((ops) => ops[3].seq))
    expect(lastWait).toBeLessThan(firstResume)
    // main waits in gather and is resumed by the last request to finish.
    const main = tasks.get('Task-1')!
    const gatherWait = main.find((e) => e.op === 'wait')!
    expect(gatherWait).toMatchObject({ line: 21, value: 'gather(200 tasks)' })
    const lastDone = Math.max(...fetches.map((ops) => ops[4].seq))
    const resumed = main.find((e) => e.op === 'set' && e.seq > gatherWait.seq)!
    expect(resumed.cause).toBe(idOf(fetches.find((ops) => ops[4].seq === lastDone)![4]))

    expect(asyncioIo.verdict(run).text).toMatch(
      /^200 requests took 0\.\d\d s, about 1\.\d latencies, not 200: the loop overlapped every wait on one thread/,
    )
  })

  it('with time.sleep() in the coroutine, the loop is blocked: the requests run one after another', async () => {
    const latency = 0.1
    const run = await runModel('asyncio-io', { connections: 4, latency, blocking: 'on' })
    expect(run.outcome.status, run.outcome.message).toBe('finished')
    const elapsed = Number(run.result.elapsedS)
    expect(elapsed).toBeGreaterThanOrEqual(4 * latency * 0.98)
    expectLinesInProgram(run)
    const sleeping = stateIntervals(run, 'MainThread').filter((i) => i.state === 'sleeping')
    expect(sleeping).toHaveLength(4)
    expect(totalUs(sleeping) / 1e6).toBeGreaterThan(4 * latency * 0.95)
    // No interleaving: each request's result is set before the next one starts running.
    const tasks = [...taskOps(run)].filter(([name]) => name !== 'Task-1').map(([, ops]) => ops)
    for (let i = 0; i + 1 < tasks.length; i++) {
      const done = tasks[i].find((e) => e.op === 'set' && e.after.done === 1)!
      const nextFirstStep = tasks[i + 1].find((e) => e.op === 'set')!
      expect(done.seq).toBeLessThan(nextFirstStep.seq)
      expect(tasks[i].some((e) => e.op === 'wait')).toBe(false)
    }
    expect(asyncioIo.verdict(run).text).toMatch(/time\.sleep\(\) blocked the event loop/)
  })
})
