import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../tests/support/random'
import { MaxPyramid } from './maxPyramid'

describe('MaxPyramid', () => {
  it('answers range maxima and values above a threshold as a scan does, while the list grows and changes', () => {
    const rand = mulberry32(11)
    const values: number[] = []
    const pyramid = new MaxPyramid((i) => values[i])
    for (let round = 0; round < 200; round++) {
      // Mostly appends; sometimes an insert in the middle, a change, or a shorter list.
      const what = rand()
      if (what < 0.7) values.push(Math.floor(rand() * 1000))
      else if (what < 0.85) {
        const at = Math.floor(rand() * (values.length + 1))
        values.splice(at, 0, Math.floor(rand() * 1000))
        pyramid.changedFrom(at)
      } else if (what < 0.95 && values.length) {
        const at = Math.floor(rand() * values.length)
        values[at] = rand() < 0.2 ? Infinity : Math.floor(rand() * 1000)
        pyramid.changedFrom(at)
      } else {
        values.length = Math.floor(values.length / 2)
      }
      pyramid.sync(values.length)
      for (let q = 0; q < 5; q++) {
        const from = Math.floor(rand() * (values.length + 2)) - 1
        const to = from + Math.floor(rand() * (values.length + 2))
        const slice = values.slice(Math.max(0, from), Math.max(0, to))
        expect(pyramid.max(from, to)).toBe(slice.length ? Math.max(...slice) : -Infinity)
        const threshold = Math.floor(rand() * 1000)
        const above: number[] = []
        pyramid.forEachAbove(from, to, threshold, (i) => void above.push(i))
        const expected = values
          .map((v, i) => [v, i])
          .filter(([v, i]) => i >= from && i < to && v > threshold)
          .map(([, i]) => i)
        expect(above).toEqual(expected)
      }
    }
  })

  it('stops when the visitor says so', () => {
    const values = [5, 1, 7, 9, 2]
    const pyramid = new MaxPyramid((i) => values[i])
    pyramid.sync(values.length)
    const seen: number[] = []
    pyramid.forEachAbove(0, 5, 4, (i) => seen.push(i) < 2)
    expect(seen).toEqual([0, 2])
  })
})
