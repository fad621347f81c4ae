import { describe, expect, it } from 'vitest'
import type { BatchValue } from '../../../shared/batch'
import { describeBatch, histogram, niceStep } from './histogram'

const v = (value: number | string, count: number, firstRun: number, kept = true): BatchValue => ({
  value,
  count,
  firstRun,
  kept,
})

describe('the Run-many histogram', () => {
  it('gives each whole number of a small span its own slot, the expected one included', () => {
    const h = histogram([v(197, 3, 2), v(195, 1, 0), v(198, 2, 5, false)], 200)
    expect(h.kind).toBe('numbers')
    expect(h.bars.map((b) => [b.label, b.count])).toEqual([
      ['195', 1],
      ['196', 0],
      ['197', 3],
      ['198', 2],
      ['199', 0],
      ['200', 0],
    ])
    expect(h.expectedAt).toBe(5)
    expect(h.bars[5].expected).toBe(true)
    // A bar opens its value's first run if it was kept; an empty or unkept one opens nothing.
    expect(h.bars.map((b) => b.openRun)).toEqual([0, null, 2, null, null, null])
  })

  it('cuts a wide span into equal bins that open their earliest kept run', () => {
    const values = [v(1000, 1, 4), v(1003, 2, 1), v(1500, 1, 0), v(2000, 1, 2)]
    const h = histogram(values, 2000)
    expect(h.kind).toBe('bins')
    expect(h.bars.length).toBeLessThanOrEqual(51)
    const firstBin = h.bars[0]
    expect(firstBin.label).toBe('1000–1024')
    expect(firstBin.count).toBe(3)
    expect(firstBin.openRun).toBe(1)
    expect(h.bars.reduce((s, b) => s + b.count, 0)).toBe(5)
    expect(h.bars[h.expectedAt!].label).toBe('2000–2024')
  })

  it('puts categories in order, numbers before words', () => {
    const h = histogram([v('timed-out', 2, 3), v('finished', 5, 0)], null)
    expect(h.kind).toBe('categories')
    expect(h.bars.map((b) => b.label)).toEqual(['finished', 'timed-out'])
    expect(h.expectedAt).toBeNull()
  })

  it('rounds bin widths to 1, 2 or 5 times a power of ten', () => {
    expect([0.5, 1, 1.2, 3, 7, 13, 20.01, 240].map(niceStep)).toEqual([1, 1, 2, 5, 10, 20, 25, 250])
  })

  it('says what the plot shows in a sentence', () => {
    expect(describeBatch([v(137, 150, 0), v(200, 50, 3), v(150, 0 + 1, 9)], 201, 'final counter', 200)).toBe(
      '201 runs: 3 different values of the final counter, from 137 to 200; a correct program gives 200 (50 runs did).',
    )
    expect(describeBatch([v(200, 200, 0)], 200, 'final counter', 200)).toBe(
      '200 runs: all gave final counter 200, what a correct program gives.',
    )
    expect(describeBatch([v('finished', 3, 0), v('deadlock', 7, 1)], 10, 'outcome', null)).toBe(
      '10 runs, 2 different values of the outcome: 7 deadlock, 3 finished.',
    )
    expect(describeBatch([], 0, 'outcome', null)).toBe('No run has ended yet.')
  })
})
