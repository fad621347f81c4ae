/** Python's repr() of a value a model moves around, for the trace and printed output. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None'
  if (v === true) return 'True'
  if (v === false) return 'False'
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloat(v)
  if (typeof v === 'bigint') return String(v)
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`
  if (v instanceof Set) return v.size === 0 ? 'set()' : `{${[...v].map(pyRepr).join(', ')}}`
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`
  if (typeof v === 'object') {
    if ('__tuple' in v && Array.isArray((v as { __tuple: unknown[] }).__tuple)) {
      const items = (v as { __tuple: unknown[] }).__tuple
      return items.length === 1 ? `(${pyRepr(items[0])},)` : `(${items.map(pyRepr).join(', ')})`
    }
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`
  }
  return String(v)
}

/** str() of a value: like repr but strings print bare. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v)
}

function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan'
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf'
  const s = String(v)
  return s.includes('e') || s.includes('.') ? s : `${s}.0`
}
