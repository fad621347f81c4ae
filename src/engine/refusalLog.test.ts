import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { printable, RefusalLog } from './refusalLog'

describe('the refusal log', () => {
  let lines: string[]
  let log: RefusalLog

  beforeEach(() => {
    vi.useFakeTimers()
    lines = []
    log = new RefusalLog({ perSecond: 3, now: () => Date.now(), write: (line) => lines.push(line) })
  })
  afterEach(() => vi.useRealTimers())

  it('writes one line per refusal, naming the channel and the reason', () => {
    log.refused('run:start', 'request.scenario is missing')
    expect(lines).toEqual(["interleave: refused a message on 'run:start': request.scenario is missing"])
  })

  it('writes at most its lines a second, then how many it left out once the second is over', () => {
    for (let i = 0; i < 1000; i++) log.refused('run:stop', `bad ${i}`)
    expect(lines).toHaveLength(3)
    vi.advanceTimersByTime(1000)
    expect(lines).toHaveLength(4)
    expect(lines[3]).toBe('interleave: 997 more refused messages were not logged (too many)')
    // A new second: lines again, and the count is not repeated.
    log.refused('run:stop', 'again')
    vi.advanceTimersByTime(5000)
    expect(lines).toHaveLength(5)
    expect(lines[4]).toContain('again')
  })

  it('counts what it left out in the line of the next second when that comes first', () => {
    for (let i = 0; i < 5; i++) log.refused('a', 'x')
    vi.setSystemTime(Date.now() + 1000) // the clock moves, the timer has not fired yet
    log.refused('a', 'y')
    expect(lines.slice(3)).toEqual([
      'interleave: 2 more refused messages were not logged (too many)',
      "interleave: refused a message on 'a': y",
    ])
    vi.advanceTimersByTime(2000)
    expect(lines).toHaveLength(5)
  })

  it('cannot be made to write lines of its own, or megabytes', () => {
    log.refused('run:start\ninterleave: all is well', `${'x'.repeat(5_000_000)}\u202e`)
    expect(lines).toHaveLength(1)
    expect(lines[0]).not.toContain('\n')
    expect(lines[0]).toContain('run:start\\u000ainterleave: all is well')
    expect(lines[0]!.length).toBeLessThan(500)
    expect(lines[0]).toContain('(5000001 characters)')
  })
})

describe('printable', () => {
  it('escapes control and direction characters, and keeps the rest', () => {
    expect(printable('a\u0000b\tc\u2028d\u202ee', 100)).toBe('a\\u0000b\\u0009c\\u2028d\\u202ee')
    expect(printable('é ü 日本', 100)).toBe('é ü 日本')
    expect(printable('abcdef', 3)).toBe('abc... (6 characters)')
  })
})
