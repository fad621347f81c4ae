import { describe, expect, it } from 'vitest'
import type { RunOptions } from './trace'
import { batchRunIndex, object, Refused, runControl, runId, runRequest, whole } from './requestSchema'

const refusal = (check: () => unknown): string => {
  try {
    check()
  } catch (e) {
    if (e instanceof Refused) return e.message
    throw e
  }
  throw new Error('it was not refused')
}

describe('the request schemas', () => {
  it('accept every run option the page may send', () => {
    // Required<...>: a new field of RunOptions fails to type-check here until it is added below, and
    // then this test fails until the run request's schema knows it (else main, the server and the
    // engine would refuse every run that sets it).
    const every: Required<RunOptions> = {
      gil: false,
      timeoutS: 30,
      switchIntervalMs: 5,
      speed: 0.5,
      trace: true,
      step: true,
      schedule: [0, 4097, 2 ** 40],
      hangAfterS: 0,
    }
    const request = { scenario: 'race-counter', params: { threads: 4, lock: 'on' }, options: every }
    expect(runRequest(structuredClone(request), 'request')).toEqual(request)
  })

  it('hand over a copy with only the fields they name, and params when none were given', () => {
    const checked = runRequest({ scenario: 'hello' }, 'request')
    expect(checked).toEqual({ scenario: 'hello', params: {} })
    const schedule = [1, 2]
    const withSchedule = runRequest({ scenario: 'hello', options: { schedule } }, 'request')
    expect(withSchedule.options?.schedule).toEqual(schedule)
    expect(withSchedule.options?.schedule).not.toBe(schedule)
  })

  it('say which field is wrong, and how', () => {
    const start = (request: unknown) => () => runRequest(request, 'request')
    expect(refusal(start({ scenario: 'hello', options: { speed: NaN } }))).toBe(
      'request.options.speed must be a number more than 0 and at most 1000000',
    )
    expect(refusal(start({ scenario: 'hello', extra: 1 }))).toBe(
      'request has a field it may not have: "extra"',
    )
    expect(refusal(start(JSON.parse('{"scenario": "hello", "params": {"__proto__": 1}}')))).toBe(
      'request.params may not have a field named "__proto__"',
    )
    expect(refusal(start({ scenario: 'hello', params: { constructor: 1 } }))).toBe(
      'request.params may not have a field named "constructor"',
    )
    expect(refusal(start({ scenario: 'hello', params: { 'a b': 1 } }))).toBe(
      'request.params key "a b" must be a parameter name',
    )
    expect(refusal(start({ scenario: 'hello', options: { schedule: [0, 1, -0] } }))).toBe(
      'request.options.schedule[2] must be a whole number from 0 to 1099511627776',
    )
    expect(refusal(start({ scenario: 'x'.repeat(5_000_000) }))).toBe(
      'request.scenario must be a scenario id of at most 64 characters',
    )
    expect(refusal(start(42))).toBe('a run request is an object with a scenario and its parameters')
    expect(refusal(() => batchRunIndex(-0, 'run'))).toBe('run must be a whole number from 0 to 999')
    expect(refusal(() => runId({ $gt: '' }, 'runId'))).toBe('runId must be a run id')
    expect(refusal(() => runControl({ type: 'step', key: 1, extra: 1 }, 'command'))).toBe(
      'a run control is pause, resume, or step with a thread key',
    )
  })

  it("name a whole message's fields alone", () => {
    const message = object({ id: whole(0, 10) })
    expect(refusal(() => message({ id: 1, extra: 1 }, ''))).toBe(
      'the message has a field it may not have: "extra"',
    )
    expect(refusal(() => message({}, ''))).toBe('id is missing')
    expect(refusal(() => message([], ''))).toBe('the message must be an object')
  })
})
