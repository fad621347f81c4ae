/**
 * The timeline's time axis as a pure function of a visible window and a pixel range, so that
 * drawing, hit testing and tests agree on where a microsecond lands.
 */
export interface TimeScale {
  /** The visible window, microseconds since the run started. */
  readonly startUs: number
  readonly endUs: number
  /** Where that window is drawn, in CSS pixels. */
  readonly leftPx: number
  readonly rightPx: number
}

/** A scale; an empty or inverted window is widened to 1 µs so that nothing divides by zero. */
export function makeTimeScale(startUs: number, endUs: number, leftPx: number, rightPx: number): TimeScale {
  return { startUs, endUs: endUs > startUs ? endUs : startUs + 1, leftPx, rightPx }
}

export function timeToPx(scale: TimeScale, tUs: number): number {
  const { startUs, endUs, leftPx, rightPx } = scale
  return leftPx + ((tUs - startUs) * (rightPx - leftPx)) / (endUs - startUs)
}

export function pxToTime(scale: TimeScale, px: number): number {
  const { startUs, endUs, leftPx, rightPx } = scale
  if (rightPx === leftPx) return startUs
  return startUs + ((px - leftPx) * (endUs - startUs)) / (rightPx - leftPx)
}

/** Microseconds one pixel spans. */
export function usPerPx(scale: TimeScale): number {
  const widthPx = scale.rightPx - scale.leftPx
  return widthPx > 0 ? (scale.endUs - scale.startUs) / widthPx : Infinity
}

/**
 * The whole run as the timeline shows it: from a little before the first thread started (the
 * hosts' start-up before it is not the lesson) to `lastUs`, and at least a millisecond long.
 */
export function runWindow(firstUs: number, lastUs: number): [number, number] {
  const fromUs = Math.max(0, firstUs - 0.03 * Math.max(1000, lastUs - firstUs))
  return [fromUs, Math.max(lastUs, fromUs + 1000)]
}

/**
 * The window to show while a run streams: from `fromUs` while the run is shorter than
 * `windowUs`, then the newest `windowUs`. Never narrower than `minUs`.
 */
export function followWindow(nowUs: number, windowUs: number, fromUs = 0, minUs = 100_000): [number, number] {
  const endUs = Math.max(nowUs, fromUs + minUs)
  return [Math.max(fromUs, endUs - windowUs), endUs]
}

/** A duration for people: 850 µs, 12.5 ms, 2.04 s. */
export function formatDuration(us: number): string {
  const abs = Math.abs(us)
  if (abs < 1000) return `${trim(us, abs < 10 ? 1 : 0)} µs`
  if (abs < 1_000_000) return `${trim(us / 1000, abs < 10_000 ? 2 : abs < 100_000 ? 1 : 0)} ms`
  return `${trim(us / 1_000_000, abs < 10_000_000 ? 2 : 1)} s`
}

/** An axis tick: one unit for the whole axis, picked by how long the visible window is. */
export function formatTick(us: number, spanUs: number): string {
  if (spanUs >= 2_000_000) return `${trim(us / 1_000_000, 3)} s`
  if (spanUs >= 2_000) return `${trim(us / 1000, 3)} ms`
  return `${trim(us, 1)} µs`
}

function trim(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)))
}
