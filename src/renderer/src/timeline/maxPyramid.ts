/**
 * Maxima over ranges of a growing list of numbers, for the indices that let a frame skip what it
 * cannot show: level 0 holds the values, each level above the maximum of two below it. A range's
 * maximum takes O(log n); so does finding the values above a threshold, plus O(log n) per one
 * found. The values come from the list's owner (`valueOf`), and are read again only from where the
 * owner says they changed (`changedFrom`), so that appending keeps it current cheaply.
 */
export class MaxPyramid {
  private readonly levels: number[][] = [[]]
  /**
   * With `keyOf`, each item's key too (its time), kept in a plain array of numbers, which a binary
   * search reads far faster than the items, objects all over the heap.
   */
  readonly keys: number[] = []
  /** Values from here on are to be read again. */
  private dirtyFrom = 0

  constructor(
    private readonly valueOf: (i: number) => number,
    private readonly keyOf?: (i: number) => number,
  ) {}

  /** Values from `i` on changed (or were inserted, shifting the rest). */
  changedFrom(i: number): void {
    if (i < this.dirtyFrom) this.dirtyFrom = Math.max(0, i)
  }

  /** Brings it up to date with a list of `length` values. */
  sync(length: number): void {
    const base = this.levels[0]
    let from = Math.min(this.dirtyFrom, base.length, length)
    if (from === length && base.length === length) return
    base.length = length
    for (let i = from; i < length; i++) base[i] = this.valueOf(i)
    if (this.keyOf) {
      this.keys.length = length
      for (let i = from; i < length; i++) this.keys[i] = this.keyOf(i)
    }
    this.dirtyFrom = length
    for (let k = 1; this.levels[k - 1].length > 1; k++) {
      const below = this.levels[k - 1]
      const level = (this.levels[k] ??= [])
      const n = (below.length + 1) >>> 1
      from >>>= 1
      level.length = n
      for (let i = from; i < n; i++) {
        const a = below[2 * i]
        const b = 2 * i + 1 < below.length ? below[2 * i + 1] : -Infinity
        level[i] = a > b ? a : b
      }
    }
    // A list that shrank leaves levels above its top.
    let top = 1
    while (top < this.levels.length && this.levels[top - 1].length > 1) top++
    this.levels.length = top
  }

  /** Index of the first key at or after `x` (keys ascending). */
  firstKeyFrom(x: number): number {
    const keys = this.keys
    let lo = 0
    let hi = keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keys[mid] < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first key after `x` (keys ascending). */
  firstKeyAfter(x: number): number {
    const keys = this.keys
    let lo = 0
    let hi = keys.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (keys[mid] <= x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  get length(): number {
    return this.levels[0].length
  }

  value(i: number): number {
    return this.levels[0][i]
  }

  /** The largest value at indices `from` to before `to`; -Infinity for an empty range. */
  max(from: number, to: number): number {
    let best = -Infinity
    let lo = Math.max(0, from)
    let hi = Math.min(to, this.length)
    for (let k = 0; lo < hi; k++) {
      const level = this.levels[k]
      if (lo & 1) best = Math.max(best, level[lo++])
      if (hi & 1) best = Math.max(best, level[--hi])
      lo >>>= 1
      hi >>>= 1
    }
    return best
  }

  /**
   * Visits, in order, the indices from `from` to before `to` whose value is above `threshold`,
   * until `visit` returns false.
   */
  forEachAbove(from: number, to: number, threshold: number, visit: (i: number) => boolean | void): void {
    const lo = Math.max(0, from)
    const hi = Math.min(to, this.length)
    if (lo >= hi) return
    this.descend(this.levels.length - 1, 0, lo, hi, threshold, visit)
  }

  /** Node `i` of level `k`, which covers values i * 2^k to before (i + 1) * 2^k. False: stop. */
  private descend(
    k: number,
    i: number,
    lo: number,
    hi: number,
    threshold: number,
    visit: (i: number) => boolean | void,
  ): boolean {
    const first = i << k
    const end = (i + 1) << k
    if (end <= lo || first >= hi || !(this.levels[k][i] > threshold)) return true
    if (k === 0) return visit(i) !== false
    return (
      this.descend(k - 1, 2 * i, lo, hi, threshold, visit) &&
      this.descend(k - 1, 2 * i + 1, lo, hi, threshold, visit)
    )
  }
}
