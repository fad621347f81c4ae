import { describe, expect, it } from 'vitest'
import type { PrintLine } from '../trace/runTrace'
import { printMarks } from './printMarks'
import { makeTimeScale } from './timeScale'

const printsAt = (times: number[]): PrintLine[] => times.map((tUs) => ({ tUs, threadKey: 0, text: '' }))

describe('printMarks', () => {
  const scale = makeTimeScale(1000, 2000, 0, 100) // 10 µs a pixel

  it('places a marker per print in view, at its time', () => {
    expect(printMarks(printsAt([900, 1100, 1500, 2100]), scale, 5)).toEqual([10, 50])
  })

  it('leaves out markers closer than the gap to the last one kept', () => {
    // 10 px, 12 px (too close), 15 px (the gap: kept), 16 px (too close), 40 px.
    expect(printMarks(printsAt([1100, 1120, 1150, 1160, 1400]), scale, 5)).toEqual([10, 15, 40])
  })

  it('keeps a few markers per gap of width for many thousands of prints', () => {
    const many = printsAt(Array.from({ length: 100_000 }, (_, i) => 1000 + i / 100))
    const xs = printMarks(many, scale, 7)
    expect(xs.length).toBe(15) // 0, 7, ..., 98
    expect(xs.every((x, i) => i === 0 || x - xs[i - 1] >= 7)).toBe(true)
  })

  it('draws nothing when no print is in view', () => {
    expect(printMarks(printsAt([10, 5000]), scale, 5)).toEqual([])
    expect(printMarks([], scale, 5)).toEqual([])
  })
})
