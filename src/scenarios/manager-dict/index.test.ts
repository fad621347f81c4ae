import { describe, expect, it } from 'vitest'
import { expectLinesInProgram } from '../../../tests/support/program'
import { opsOn, printed, runModel, runShowing } from '../../../tests/support/runModel'
import type { RunRecord } from '../../shared/trace'
import { eventById, idOf } from '../../../tests/support/trace'
import { managerDict } from './index'

describe('manager-dict', () => {
  it('the parent sees every key; the manager is a process of its own and each proxy call a round trip to it', async () => {
    // Whether a worker blocks on its reply queue depends on who is quicker, it or the manager: up
    // to three runs for one in which one did (checked below).
    const blockedOnItsReply = (r: RunRecord): boolean =>
      r.events.some(
        (e) =>
          e.type === 'state' &&
          e.state === 'blocked' &&
          e.pid > 1 &&
          r.events.some(
            (o) => o.type === 'object' && o.obj === e.obj && o.name.startsWith('SyncManager-1 reply to'),
          ),
      )
    const run = await runShowing('manager-dict', { workers: 4 }, { speed: 0.5 }, blockedOnItsReply)
    expect(run.outcome.status).toBe('finished')
    const keys = ['worker-0', 'worker-1', 'worker-2', 'worker-3']
    expect(run.result.keys).toEqual(keys)
    expect(run.result.len).toBe(4)
    expect(printed(run).at(-1)).toBe('4 keys, expected 4')
    expect(printed(run)[0]).toMatch(
      /^\{'worker-\d': \d, 'worker-\d': \d, 'worker-\d': \d, 'worker-\d': \d\}$/,
    )
    expectLinesInProgram(run)

    // The manager's lane: a process of its own, started first, ended by shutdown() with exit code 0.
    const names = run.processes.map((p) => p.name)
    expect(names).toEqual([
      'MainProcess',
      'SyncManager-1',
      'Process-2',
      'Process-3',
      'Process-4',
      'Process-5',
    ])
    const server = run.processes[1]
    expect(server.exitCode).toBe(0)
    const main = run.processes[0]
    expect(server.endUs!).toBeLessThan(main.endUs!)
    expect(run.events.some((e) => e.type === 'thread-start' && e.pid === server.pid)).toBe(true)

    // Each worker's write: a request put on the server's queue, got by the server (caused by that put),
    // and an answer put on the worker's own reply queue, got by the worker (caused by the server's put).
    const requests = opsOn(run, 'SyncManager-1 requests')
    let blockedOnReply = 0
    for (const worker of run.processes.slice(2)) {
      const call = opsOn(run, 'shared').find((e) => e.op === 'call' && e.pid === worker.pid)!
      expect(call).toMatchObject({ line: 8, result: 'ok' })
      expect(call.value).toMatch(/^__setitem__\('worker-\d', \d\) -> None$/)
      expect(call.after.size).toBeGreaterThanOrEqual(1)

      const put = requests.find((e) => e.op === 'put' && e.pid === worker.pid)!
      expect(put.line).toBe(8)
      const got = requests.find((e) => e.op === 'get' && e.cause === idOf(put))!
      expect(got.pid).toBe(server.pid)
      const reply = opsOn(run, `SyncManager-1 reply to ${worker.name}`)
      const answer = reply.find((e) => e.op === 'put')!
      expect(answer.pid).toBe(server.pid)
      const back = reply.find((e) => e.op === 'get')!
      expect(back).toMatchObject({
        pid: worker.pid,
        line: 8,
        value: "('#RETURN', None, " + call.after.size + ')',
      })
      expect(eventById(run, back.cause)).toMatchObject({ pid: server.pid, op: 'put' })
      // Blocked on its reply queue while the server worked (unless the answer was there first).
      const replyObj = run.events.find(
        (e) => e.type === 'object' && e.name === `SyncManager-1 reply to ${worker.name}`,
      )!
      const waited = run.events.some(
        (e) =>
          e.type === 'state' &&
          e.pid === worker.pid &&
          e.state === 'blocked' &&
          e.obj === (replyObj as { obj: number }).obj,
      )
      if (waited) blockedOnReply++
    }
    expect(blockedOnReply).toBeGreaterThan(0)

    // The parent read the dict the same way, after the joins: copy() and len() on lines 19 and 20.
    const reads = opsOn(run, 'shared').filter((e) => e.pid === 0 && e.op === 'call')
    expect(reads.map((e) => e.line)).toEqual([19, 20])
    expect(reads[1].value).toBe('__len__() -> 4')
    expect(reads[1].after.size).toBe(4)
    expect(managerDict.verdict(run).text).toMatch(/^The parent saw all 4 keys/)
  })

  it('with one worker and with many, every key arrives', async () => {
    for (const workers of [1, 8]) {
      const run = await runModel('manager-dict', { workers }, { speed: 0.25 })
      expect(run.result.len).toBe(workers)
      expect(run.result.keys).toEqual(Array.from({ length: workers }, (_, n) => `worker-${n}`).sort())
    }
  })
})
