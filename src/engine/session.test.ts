import { describe, expect, it, vi } from 'vitest'
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
