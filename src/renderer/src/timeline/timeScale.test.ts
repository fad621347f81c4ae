import { describe, expect, it } from 'vitest'
import {
  followWindow,
  formatDuration,
  formatTick,
  makeTimeScale,
  pxToTime,
  runWindow,
  timeToPx,
  usPerPx,
} from './timeScale'

describe('timeScale', () => {
  const scale = makeTimeScale(1_000, 11_000, 100, 600)

  it('maps the window onto the pixel range', () => {
    expect(timeToPx(scale, 1_000)).toBe(100)
    expect(timeToPx(scale, 11_000)).toBe(600)
    expect(timeToPx(scale, 6_000)).toBe(350)
    expect(timeToPx(scale, 0)).toBe(50) // outside the window: outside the range, same slope
    expect(usPerPx(scale)).toBe(20)
  })

  it('inverts: pxToTime(timeToPx(t)) is t', () => {
    for (const t of [0, 1_000, 1_234.5, 7_777, 11_000, 20_000]) {
      expect(pxToTime(scale, timeToPx(scale, t))).toBeCloseTo(t, 6)
    }
    expect(pxToTime(scale, 350)).toBe(6_000)
  })

  it('widens an empty window rather than dividing by zero', () => {
    const empty = makeTimeScale(5, 5, 0, 100)
    expect(empty.endUs).toBe(6)
    expect(Number.isFinite(timeToPx(empty, 5.5))).toBe(true)
    expect(pxToTime(makeTimeScale(0, 10, 7, 7), 7)).toBe(0)
  })

  it('follows the newest time while a run streams', () => {
    expect(followWindow(50_000, 10_000_000)).toEqual([0, 100_000])
    expect(followWindow(4_000_000, 10_000_000, 300_000)).toEqual([300_000, 4_000_000])
    expect(followWindow(25_000_000, 10_000_000, 300_000)).toEqual([15_000_000, 25_000_000])
  })

  it('shows the whole run from a little before its first thread, at least 1 ms of it', () => {
    expect(runWindow(100_000, 1_100_000)).toEqual([70_000, 1_100_000])
    expect(runWindow(10, 200)).toEqual([0, 1000])
  })

  it('formats durations and ticks for people', () => {
    expect(formatDuration(850)).toBe('850 µs')
    expect(formatDuration(2.25)).toBe('2.3 µs')
    expect(formatDuration(12_500)).toBe('12.5 ms')
    expect(formatDuration(2_040_000)).toBe('2.04 s')
    expect(formatTick(1_500_000, 5_000_000)).toBe('1.5 s')
    expect(formatTick(1_500_000, 500_000)).toBe('1500 ms')
    expect(formatTick(250, 1_000)).toBe('250 µs')
  })
})
