import { describe, expect, it } from 'vitest'
import { CANVAS_LIMITS, pngSizeProblem } from './png'

describe('pngSizeProblem', () => {
  it('passes what a canvas holds: 4000 x 3000 at 2x is 48 million pixels', () => {
    expect(pngSizeProblem(1920, 1080, 1)).toBeNull()
    expect(pngSizeProblem(4000, 3000, 2)).toBeNull()
    expect(pngSizeProblem(CANVAS_LIMITS.maxSidePx, 1000, 1)).toBeNull()
  })

  it('refuses too many pixels a side or in all, saying how many and what to do', () => {
    expect(pngSizeProblem(9000, 1000, 2)).toBe(
      'A PNG of 9000 x 1000 at 2x is 18000 x 2000 pixels, more than a canvas can hold (16384 pixels a side, ' +
        '100 million in all). Choose a smaller size or scale, or export an SVG, which has no such limit.',
    )
    expect(pngSizeProblem(12_000, 10_000, 1)).toMatch(/^A PNG of 12000 x 10000 pixels, more than a canvas/)
  })
})
