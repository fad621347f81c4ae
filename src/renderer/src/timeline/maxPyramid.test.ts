import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../../../../tests/support/random'
import { MaxPyramid } from './maxPyramid'

describe('MaxPyramid', () => {
  it.each([
    ['8-byte', false],
    ['4-byte', true],
  ])(
    'answers range maxima and values above a threshold as a scan does, while the list grows and changes (%s levels)',
    (_, small) => {
      const rand = mulberry32(11)
      const values: number[] = []
      const pyramid = new MaxPyramid((i) => values[i], undefined, small)
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
    },
  )

  it('stops when the visitor says so', () => {
    const values = [5, 1, 7, 9, 2]
    const pyramid = new MaxPyramid((i) => values[i])
    pyramid.sync(values.length)
    const seen: number[] = []
    pyramid.forEachAbove(0, 5, 4, (i) => seen.push(i) < 2)
    expect(seen).toEqual([0, 2])
  })

  it('finds keys by binary search through the owner, without a copy of them', () => {
    const times = [1, 3, 3, 8]
    const pyramid = new MaxPyramid(
      () => 0,
      (i) => times[i],
    )
    pyramid.sync(times.length)
    expect([pyramid.firstKeyFrom(3), pyramid.firstKeyAfter(3), pyramid.firstKeyFrom(9)]).toEqual([1, 3, 4])
    // A key that changes in the owner is read as it is now.
    times[3] = 2
    expect(pyramid.firstKeyAfter(2)).toBe(1)
  })
})
