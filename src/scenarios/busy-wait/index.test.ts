import { describe, expect, it } from 'vitest'
import { runModel } from '../../../tests/support/runModel'
import { expectLinesInProgram } from '../../../tests/support/program'
import { idOf, opsBy, stateIntervals, theOp, threadNamed, totalUs } from '../../../tests/support/trace'
import { busyWait, cpuSeconds } from './index'

const CONSUMER = 'Thread-1 (consumer)'
const PRODUCER = 'Thread-2 (producer)'

describe('busy-wait', () => {
  it('the spinning consumer sees all ten items, burns a core doing it, and makes the producer wait for the GIL', async () => {
    const run = await runModel('busy-wait', { pause: 0.05 })
    expect(run.outcome.status, run.outcome.message).toBe('finished')
    expect(run.result).toMatchObject({ command: 'stop', itemsSeen: 10 })
    expectLinesInProgram(run)

    // The spinner ran (held the GIL) for most of its wait and used many times the producer's CPU.
    // (Loose bounds: the machine's cores are shared with other work.)
    const consumerCpu = cpuSeconds(run, 'consumer')
    const producerCpu = cpuSeconds(run, 'producer')
    const running = totalUs(stateIntervals(run, CONSUMER).filter((i) => i.state === 'running')) / 1e6
    expect(running).toBeGreaterThan(0.4)
    expect(consumerCpu).toBeGreaterThan(0.1)
    expect(consumerCpu).toBeGreaterThan(5 * producerCpu)

    // GIL hand-offs: the producer, back from each sleep, waits for the spinner to let go.
    const producerGilWaits = stateIntervals(run, PRODUCER).filter((i) => i.state === 'gil-wait')
    expect(producerGilWaits.length).toBeGreaterThanOrEqual(5)

    // No event per check: one traced read ends the loop, and it sees the command the producer wrote.
    const spinReads = opsBy(run, 'commands', CONSUMER).filter((e) => e.line === 26)
    expect(spinReads).toHaveLength(1)
    expect(spinReads[0].value).toBe("['stop']")
    expect(spinReads[0].tUs).toBeGreaterThanOrEqual(theOp(run, 'commands', { op: 'write' }).tUs)
    const { pid, tid } = threadNamed(run, CONSUMER)
    expect(run.events.filter((e) => e.pid === pid && e.tid === tid).length).toBeLessThan(100)

    expect(busyWait.verdict(run).text).toMatch(
      /^The consumer got the command after all 10 of 10 items, but spinning cost \d\.\d\d s of CPU/,
    )
  })

  it('waiting on an Event instead, the consumer uses almost no CPU and set() wakes it', async () => {
    const run = await runModel('busy-wait', { pause: 0.05, wait: 'event' })
    expect(run.outcome.status, run.outcome.message).toBe('finished')
    expect(run.result).toMatchObject({ command: 'stop', itemsSeen: 10 })
    expectLinesInProgram(run)
    const waited = totalUs(stateIntervals(run, CONSUMER).filter((i) => i.state === 'waiting')) / 1e6
    expect(waited).toBeGreaterThan(0.4)
    expect(cpuSeconds(run, 'consumer')).toBeLessThan(0.2 * waited)
    const wait = theOp(run, 'ready', { op: 'wait' })
    expect(wait.cause).toBe(idOf(theOp(run, 'ready', { op: 'set' })))
    expect(busyWait.verdict(run).text).toMatch(/blocked on the Event/)
  })
})
