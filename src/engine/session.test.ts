import { describe, expect, it, vi } from 'vitest'
import { lockWaiters } from '../../tests/models/locks'
import { testLauncher } from '../../tests/support/runModel'
import { decodeRunEvents } from '../shared/eventCodec'
import type { RunStreamWireMessage } from '../shared/protocol'
import type { TraceEvent } from '../shared/trace'
import type { ProcessLauncher } from './launcher'
import { startSession } from './session'

/** A launcher that must not be used: a refused request starts no process. */
const noLaunch: ProcessLauncher = {
  threadEntry: 'none',
  launch: () => {
    throw new Error('a process was launched')
  },
}

describe('startSession', () => {
  it("checks a request's shape with the shared schema before it reads anything", () => {
    const find = vi.fn(() => undefined)
    const send = vi.fn()
    const start = (request: unknown) => () => startSession(find, request, noLaunch, send)
    expect(start(null)).toThrow('a run request is an object with a scenario and its parameters')
    expect(start({ scenario: 7 })).toThrow('request.scenario must be a scenario id')
    expect(start(JSON.parse('{"scenario": "race-counter", "params": {"__proto__": 2}}'))).toThrow(
      'request.params may not have a field named "__proto__"',
    )
    expect(start({ scenario: 'race-counter', params: { threads: -0 } })).toThrow(
      'request.params.threads must be a finite number or a word of at most 200 characters',
    )
    expect(start({ scenario: 'race-counter', options: { evil: 1 } })).toThrow(
      'request.options has a field it may not have: "evil"',
    )
    expect(start({ scenario: 'race-counter', extra: 1 })).toThrow(
      'request has a field it may not have: "extra"',
    )
    expect(find).not.toHaveBeenCalled()
    // A request of the right shape is looked up; this one names no scenario there is.
    expect(start({ scenario: 'nope' })).toThrow("unknown scenario 'nope'")
    expect(find).toHaveBeenCalledWith('nope')
    expect(send).not.toHaveBeenCalled()
  })
})

describe('a session streaming a real run', () => {
  it('sends run:events as frames of bytes, every other message as it is, and every event once', async () => {
    const sent: RunStreamWireMessage[] = []
    // A model of the tests': two threads queue on a lock main holds.
    const find = (id: string) => (id === lockWaiters.id ? lockWaiters : undefined)
    const request = { scenario: lockWaiters.id, params: {} }
    const session = startSession(find, request, await testLauncher(), (m) => sent.push(m))
    const record = await session.done
    const frames = sent.filter((m) => m instanceof Uint8Array)
    const others = sent.filter(
      (m): m is Exclude<RunStreamWireMessage, Uint8Array> => !(m instanceof Uint8Array),
    )
    expect(frames.length).toBeGreaterThan(0)
    expect(others.map((m) => m.type)).not.toContain('run:events')
    expect(others[0].type).toBe('run:started')
    expect(others.at(-1)?.type).toBe('run:end')
    const decoded = frames.map((f) => decodeRunEvents(f))
    expect(new Set(decoded.map((d) => d.runId))).toEqual(new Set([session.runId]))
    // The frames carried the run's record: each of its events once, when and what it was. (Not
    // `after`: the engine may name an op's object state after it sent the op, when the object's
    // announcement comes in a later batch.)
    const keys = (events: TraceEvent[]) =>
      events.map((e) => `${e.pid}:${e.tid}:${e.seq}:${e.type}:${e.tUs}`).sort((a, b) => a.localeCompare(b))
    expect(keys(decoded.flatMap((d) => d.events))).toEqual(keys(record.events))
    expect(decoded.flatMap((d) => d.cpu)).toEqual(record.cpu)
    expect(decoded.flatMap((d) => d.threadCpu)).toEqual(record.threadCpu)
  })
})
