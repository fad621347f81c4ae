/**
 * The benchmark's pure part: a figure, its target and verdict, the statistics the parts share, and
 * the table `npm run bench` prints. No I/O here, so tests/benchFigures.test.ts checks it quickly.
 */

/** A bound a figure is judged by: `<= 1.05`, `>= 1000000`. */
export interface Target {
  op: '<=' | '>='
  value: number
  /** How the table says it, where the number alone would not ("<= 2x bare Atomics (3.1 µs)"). */
  text?: string
}

export interface Figure {
  /** What was measured, in words ("tracing overhead, countdown-gil, processes"). */
  figure: string
  /** null: not measured (skipped, or the part failed); `notes` says why. */
  value: number | null
  unit: string
  target: Target | null
  /** null where there is no target, or no value. */
  met: boolean | null
  /** The reference, the conditions (load, runs), anything a reader needs to trust the number. */
  notes?: string
}

/** A figure judged against its target. */
export function figure(
  name: string,
  value: number | null,
  unit: string,
  target: Target | null,
  notes?: string,
): Figure {
  const met =
    value === null || target === null || !Number.isFinite(value)
      ? null
      : target.op === '<='
        ? value <= target.value
        : value >= target.value
  return { figure: name, value, unit, target, met, ...(notes ? { notes } : {}) }
}

/** A figure that could not be measured, with why. */
export function notMeasured(name: string, unit: string, target: Target | null, why: string): Figure {
  return figure(name, null, unit, target, why)
}

// --- statistics -----------------------------------------------------------------------------------

/** The nearest-rank percentile (p in 0..100) of values sorted ascending; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]
}

/** The median: the middle value, or the mean of the two middle ones; NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export interface Spread {
  n: number
  median: number
  p95: number
  min: number
  max: number
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b)
  return {
    n: s.length,
    median: median(s),
    p95: percentile(s, 95),
    min: s[0] ?? NaN,
    max: s.at(-1) ?? NaN,
  }
}

// --- printing -------------------------------------------------------------------------------------

/** A number as the table shows it: three significant digits, thousands grouped, no exponent. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a'
  const abs = Math.abs(value)
  if (abs >= 1000 || Number.isInteger(value)) return Math.round(value).toLocaleString('en-US')
  if (abs === 0) return '0'
  const digits = Math.max(0, 2 - Math.floor(Math.log10(abs)))
  return value.toFixed(Math.min(digits, 3))
}

export function formatTarget(target: Target | null): string {
  if (!target) return ''
  return target.text ?? `${target.op} ${formatValue(target.value)}`
}

export function verdictOf(f: Figure): string {
  return f.met === null ? 'n/a' : f.met ? 'met' : 'NOT met'
}

/** The table: a header, a rule, and one row a figure, in columns padded to their widest cell. */
export function formatTable(figures: readonly Figure[]): string[] {
  const head = ['figure', 'measured', 'unit', 'target', '']
  const rows = figures.map((f) => [
    f.figure,
    formatValue(f.value),
    f.unit,
    formatTarget(f.target),
    verdictOf(f),
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  // The measured column is right-aligned, so that the digits line up.
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd()
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)]
}

/** The same table in Markdown, for the README. */
export function formatMarkdown(figures: readonly Figure[]): string[] {
  const esc = (s: string): string => s.replace(/\|/g, '\\|')
  return [
    '| figure | measured | unit | target | |',
    '| --- | ---: | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${esc(f.figure)} | ${formatValue(f.value)} | ${esc(f.unit)} | ${esc(formatTarget(f.target))} | ${verdictOf(f)} |`,
    ),
  ]
}
