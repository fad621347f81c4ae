import { describe, expect, it } from 'vitest'
import { opsOn, printed, runModel } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf } from '../../../tests/support/trace'

describe('pipe-messages', () => {
  it('the Consumer receives 0..n-1 in order, then None, and stops; each recv names the send it took', async () => {
    const run = await runModel('pipe-messages', { count: 6 }, { speed: 0.25 })
    expect(run.outcome.status).toBe('finished')
    expectLinesInProgram(run)
    expect(run.result.received).toEqual([0, 1, 2, 3, 4, 5])

    const producer = run.processes.find((p) => p.name === 'Producer')!.pid
    const consumer = run.processes.find((p) => p.name === 'Consumer')!.pid
    expect(producer).not.toBe(consumer)
    const ops = opsOn(run, 'pipe')
    const sends = ops.filter((e) => e.op === 'send')
    const recvs = ops.filter((e) => e.op === 'recv')
    expect(sends.every((e) => e.pid === producer && e.result === 'ok')).toBe(true)
    expect(recvs.every((e) => e.pid === consumer && e.result === 'ok')).toBe(true)
    const expected = ['0', '1', '2', '3', '4', '5', 'None']
    expect(sends.map((e) => e.value)).toEqual(expected)
    expect(recvs.map((e) => e.value)).toEqual(expected)
    // The i-th recv took the i-th send: an arrow from the Producer's lane to the Consumer's.
    expect(recvs.map((e) => e.cause)).toEqual(sends.map(idOf))

    // The Consumer was blocked in recv() while the Producer made the next message.
    expect(
      run.events.some(
        (e) => e.type === 'state' && e.pid === consumer && e.state === 'blocked' && e.obj === recvs[0].obj,
      ),
    ).toBe(true)

    // It stopped at the sentinel: its lane ends right after the last recv, with its last line printed.
    const lines = printed(run)
    expect(lines.filter((l) => l.startsWith('consumer got'))).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `consumer got ${i}`),
    )
    expect(lines.at(-1)).toBe('main: both processes ended')
    expect(lines).toContain('consumer: the sentinel, done')
    const end = run.events.find((e) => e.type === 'thread-end' && e.pid === consumer && e.tid === 0)
    expect(end).toMatchObject({ reason: 'returned' })
    expect(end!.tUs).toBeGreaterThanOrEqual(recvs.at(-1)!.tUs)
    expect(run.processes[consumer].exitCode).toBe(0)

    const { pipeMessages } = await import('./index')
    expect(pipeMessages.verdict(run).text).toBe(
      'The Consumer received all 6 numbers in the order they were sent, then None, and stopped.',
    )
  })

  it('one message: 0, then the sentinel', async () => {
    const run = await runModel('pipe-messages', { count: 1 }, { speed: 0.25 })
    expect(run.outcome.status).toBe('finished')
    expect(run.result.received).toEqual([0])
    expect(
      opsOn(run, 'pipe')
        .filter((e) => e.op === 'recv')
        .map((e) => e.value),
    ).toEqual(['0', 'None'])
  })
})
