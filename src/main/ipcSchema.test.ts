import { describe, expect, it } from 'vitest'
import { Refused } from '../shared/requestSchema'
import { args, channelArgs } from './ipcSchema'

describe("main's channel arguments", () => {
  it('are the request fields, in order, each checked by its schema', () => {
    const control = { type: 'step', key: 3 }
    expect(channelArgs.runControl(['run-1-1', control], 'run:control')).toEqual(['run-1-1', control])
    expect(() => channelArgs.runControl([control, 'run-1-1'], 'run:control')).toThrow(Refused)
    expect(() => channelArgs.runControl([control, 'run-1-1'], 'run:control')).toThrow(
      /^runId must be a run id$/,
    )
    expect(() => channelArgs.runStart([{ scenario: 'hello', extra: 1 }], 'run:start')).toThrow(
      /^request has a field it may not have: "extra"$/,
    )
    expect(() => channelArgs.batchRun(['batch-1-1', -0], 'batch:run')).toThrow(
      /^run must be a whole number from 0 to 999$/,
    )
  })

  it('say how many a channel takes', () => {
    expect(() => channelArgs.runStop([], 'run:stop')).toThrow(/^run:stop takes 1 \(runId\); got 0$/)
    expect(() => channelArgs.runControl(['run-1-1'], 'run:control')).toThrow(
      /^run:control takes 2 \(runId, command\); got 1$/,
    )
    expect(() => channelArgs.none([1], 'scenarios:list')).toThrow(
      /^scenarios:list takes no arguments; got 1$/,
    )
  })

  it('must name every field of the request once', () => {
    const fields = { a: (v: unknown) => v, b: (v: unknown) => v }
    expect(() => args(fields, 'a')).toThrow("a channel's arguments must name each of a, b once")
    expect(() => args(fields, 'a', 'a')).toThrow(/each of a, b once/)
    expect(() => args(fields, 'a', 'b', 'a')).toThrow(/each of a, b once/)
    expect(args(fields, 'b', 'a')([1, 2], 'x')).toEqual([1, 2])
  })
})
