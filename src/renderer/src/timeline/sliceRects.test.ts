import { describe, expect, it } from 'vitest'
import type { ThreadState } from '../../../shared/trace'
import type { Slice } from '../trace/runTrace'
import { firstSliceEndingAfter, sliceRects } from './sliceRects'
import { makeTimeScale } from './timeScale'

function slices(...spans: [number, number, ThreadState][]): Slice[] {
  return spans.map(([startUs, endUs, state]) => ({ startUs, endUs, state, objectKey: null, line: 0 }))
}

describe('sliceRects', () => {
  // 1 µs a pixel.
  const scale = makeTimeScale(0, 1000, 0, 1000)

  it('draws wide slices as they are, merging neighbours of one state', () => {
    const rects = sliceRects(
      slices([0, 100, 'running'], [100, 300, 'gil-wait'], [300, 400, 'gil-wait'], [400, 500, 'running']),
      scale,
      1000,
    )
    expect(rects).toEqual([
      { x0: 0, x1: 100, state: 'running' },
      { x0: 100, x1: 400, state: 'gil-wait' },
      { x0: 400, x1: 500, state: 'running' },
    ])
  })

  it('turns thousands of slices in one pixel into one column of the state that took most of it', () => {
    const many: [number, number, ThreadState][] = []
    for (let i = 0; i < 10_000; i++) {
      const t = 500 + i * 0.0001
      many.push([t, t + 0.00007, 'sleeping'], [t + 0.00007, t + 0.0001, 'running'])
    }
    const rects = sliceRects(slices(...many), scale, 1000)
    expect(rects).toEqual([{ x0: 500, x1: 501, state: 'sleeping' }])
  })

  it('clips to the window and runs open slices to now', () => {
    const rects = sliceRects(slices([-50, 20, 'blocked'], [20, Infinity, 'running']), scale, 600)
    expect(rects).toEqual([
      { x0: 0, x1: 20, state: 'blocked' },
      { x0: 20, x1: 600, state: 'running' },
    ])
    expect(sliceRects(slices([2000, 3000, 'running']), scale, 5000)).toEqual([])
  })

  it('finds the first visible slice by binary search', () => {
    const s = slices([0, 10, 'running'], [10, 20, 'sleeping'], [20, Infinity, 'running'])
    expect(firstSliceEndingAfter(s, 5)).toBe(0)
    expect(firstSliceEndingAfter(s, 10)).toBe(1)
    expect(firstSliceEndingAfter(s, 1e9)).toBe(2)
  })
})
