/**
 * Run many's plot as data, without a DOM: the bars of a batch's values and the words under them.
 * Whole-number values in a small span get one bar per number (gaps show as empty slots); a wide span
 * is cut into equal bins; anything else (categories) gets one bar per distinct value.
 */
import { tickStep } from 'd3'
import type { BatchValue } from '../../../shared/batch'

/** One bar: a number, a bin of numbers, or a category, with the runs that gave it. */
export interface Bar {
  key: string
  /** What the axis says under it. */
  label: string
  count: number
  /** The distinct values in it (one, except in a bin). */
  values: BatchValue[]
  /** The run to open from it: the first kept run of its values, or null when none was kept. */
  openRun: number | null
  /** The expected value falls in it. */
  expected: boolean
}

export interface Histogram {
  kind: 'numbers' | 'bins' | 'categories'
  bars: Bar[]
  /** The index of the bar the expected value falls in, or null. */
  expectedAt: number | null
}

/** The most slots one bar per whole number gets before the span is cut into bins. */
export const MAX_SLOTS = 120
/** How many bins a wide span is cut into, at most. */
export const BINS = 50

function openRunOf(values: BatchValue[]): number | null {
  let best: number | null = null
  for (const v of values) if (v.kept && (best === null || v.firstRun < best)) best = v.firstRun
  return best
}

function bar(key: string, label: string, values: BatchValue[], expected: boolean): Bar {
  return {
    key,
    label,
    count: values.reduce((s, v) => s + v.count, 0),
    values,
    openRun: openRunOf(values),
    expected,
  }
}

/** A step that is 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 1)) return 1
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return Math.ceil(m * power)
  return Math.ceil(10 * power)
}

export function histogram(values: readonly BatchValue[], expected: number | null): Histogram {
  const numeric = values.every((v) => typeof v.value === 'number')
  if (!numeric || values.length === 0) {
    const sorted = [...values].sort(compareValues)
    const bars = sorted.map((v) => bar(String(v.value), String(v.value), [v], v.value === expected))
    const at = bars.findIndex((b) => b.expected)
    return { kind: 'categories', bars, expectedAt: at < 0 ? null : at }
  }
  const numbers = values.map((v) => v.value as number)
  const withExpected = expected === null ? numbers : [...numbers, expected]
  const lo = Math.min(...withExpected)
  const hi = Math.max(...withExpected)
  const whole = withExpected.every(Number.isInteger)
  if (whole && hi - lo + 1 <= MAX_SLOTS) {
    const byValue = new Map(values.map((v) => [v.value as number, v]))
    const bars: Bar[] = []
    for (let n = lo; n <= hi; n++) {
      const v = byValue.get(n)
      bars.push(bar(String(n), String(n), v ? [v] : [], n === expected))
    }
    return { kind: 'numbers', bars, expectedAt: expected === null ? null : expected - lo }
  }
  // Equal bins of a nice width, starting at a multiple of it.
  const width = whole ? niceStep((hi - lo + 1) / BINS) : tickStep(lo, hi, BINS) || 1
  const first = clean(Math.floor(lo / width) * width)
  const count = Math.floor((hi - first) / width) + 1
  const bins: BatchValue[][] = Array.from({ length: count }, () => [])
  for (const v of values) bins[Math.floor(((v.value as number) - first) / width)].push(v)
  const bars = bins.map((members, i) => {
    const from = clean(first + i * width)
    const to = whole ? from + width - 1 : clean(from + width)
    const label = whole && width === 1 ? String(from) : `${from}–${to}`
    const hasExpected = expected !== null && expected >= from && (whole ? expected <= to : expected < to)
    return bar(label, label, members, hasExpected)
  })
  const at = bars.findIndex((b) => b.expected)
  return { kind: 'bins', bars, expectedAt: at < 0 ? null : at }
}

/** 0.30000000000000004 as 0.3. */
function clean(x: number): number {
  return Number(x.toPrecision(12))
}

/** Numbers in order, before words in alphabetical order. */
function compareValues(a: BatchValue, b: BatchValue): number {
  if (typeof a.value === 'number' && typeof b.value === 'number') return a.value - b.value
  if (typeof a.value === 'number') return -1
  if (typeof b.value === 'number') return 1
  return a.value.localeCompare(b.value)
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`

/**
 * The sentence under the plot: "200 runs: 37 different values of the final counter, from 103 to 200;
 * a correct program gives 200 (12 runs did)."
 */
export function describeBatch(
  values: readonly BatchValue[],
  done: number,
  label: string,
  expected: number | null,
): string {
  if (done === 0 || values.length === 0) return 'No run has ended yet.'
  const runs = plural(done, 'run')
  const numeric = values.every((v) => typeof v.value === 'number')
  const hits = expected === null ? 0 : (values.find((v) => v.value === expected)?.count ?? 0)
  if (values.length === 1) {
    const only = values[0].value
    const all = done === 1 ? `${runs}: it gave` : `${runs}: all gave`
    if (expected === null) return `${all} ${label} ${only}.`
    return only === expected
      ? `${all} ${label} ${only}, what a correct program gives.`
      : `${all} ${label} ${only}; a correct program gives ${expected}.`
  }
  if (!numeric) {
    const sorted = [...values].sort((a, b) => b.count - a.count || compareValues(a, b))
    const parts = sorted.slice(0, 4).map((v) => `${v.count} ${v.value}`)
    if (sorted.length > 4) parts.push(`${sorted.length - 4} other values`)
    return `${runs}, ${values.length} different values of the ${label}: ${parts.join(', ')}.`
  }
  const numbers = values.map((v) => v.value as number)
  const range = `from ${Math.min(...numbers)} to ${Math.max(...numbers)}`
  const head = `${runs}: ${values.length} different values of the ${label}, ${range}`
  if (expected === null) return `${head}.`
  return `${head}; a correct program gives ${expected} (${hits === 0 ? 'no run did' : `${plural(hits, 'run')} did`}).`
}
