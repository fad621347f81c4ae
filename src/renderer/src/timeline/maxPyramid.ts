/**
 * Maxima over ranges of a growing list of numbers, for the indices that let a frame skip what it
 * cannot show: level 0 holds the values, each level above the maximum of two below it. A range's
 * maximum takes O(log n); so does finding the values above a threshold, plus O(log n) per one
 * found. The values come from the list's owner (`valueOf`), and are read again only from where the
 * owner says they changed (`changedFrom`), so that appending keeps it current cheaply.
 *
 * The levels are typed arrays, 8 bytes a value (4 with `small`, for values that 32-bit floats hold:
 * an object's level), about twice the values in all. The items' keys (their times, `keyOf`) are not
 * copied: a binary search reads a few of them from the owner.
 */
type Level = Float64Array | Float32Array

export class MaxPyramid {
  private readonly levels: Level[] = []
  /** How many values each level holds (its typed array may have room for more). */
  private readonly sizes: number[] = [0]
  /** Values from here on are to be read again. */
  private dirtyFrom = 0

  constructor(
    private readonly valueOf: (i: number) => number,
    private readonly keyOf: (i: number) => number = () => 0,
    private readonly small = false,
  ) {
    this.levels.push(this.level(16))
  }

  private level(capacity: number): Level {
    return this.small ? new Float32Array(capacity) : new Float64Array(capacity)
  }

  /** Level `k` with room for `size` values, its values kept. */
  private room(k: number, size: number): Level {
    let level = this.levels[k]
    if (!level) {
      this.levels[k] = level = this.level(Math.max(16, size))
      this.sizes[k] = 0
    } else if (level.length < size) {
      const grown = this.level(Math.max(size, Math.ceil(level.length * 1.5)))
      grown.set(level.subarray(0, this.sizes[k]))
      this.levels[k] = level = grown
    }
    return level
  }

  /** Values from `i` on changed (or were inserted, shifting the rest). */
  changedFrom(i: number): void {
    if (i < this.dirtyFrom) this.dirtyFrom = Math.max(0, i)
  }

  /** Brings it up to date with a list of `length` values. */
  sync(length: number): void {
    let from = Math.min(this.dirtyFrom, this.sizes[0], length)
    if (from === length && this.sizes[0] === length) return
    const base = this.room(0, length)
    for (let i = from; i < length; i++) base[i] = this.valueOf(i)
    this.sizes[0] = length
    this.dirtyFrom = length
    let k = 1
    for (; this.sizes[k - 1] > 1; k++) {
      const below = this.levels[k - 1]
      const belowSize = this.sizes[k - 1]
      const n = (belowSize + 1) >>> 1
      const level = this.room(k, n)
      from >>>= 1
      for (let i = from; i < n; i++) {
        const a = below[2 * i]
        const b = 2 * i + 1 < belowSize ? below[2 * i + 1] : -Infinity
        level[i] = a > b ? a : b
      }
      this.sizes[k] = n
    }
    // A list that shrank leaves levels above its top.
    this.levels.length = k
    this.sizes.length = k
  }

  /** Item `i`'s key, from the owner. */
  key(i: number): number {
    return this.keyOf(i)
  }

  /** Index of the first key at or after `x` (keys ascending). */
  firstKeyFrom(x: number): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keyOf(mid) < x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** Index of the first key after `x` (keys ascending). */
  firstKeyAfter(x: number): number {
    let lo = 0
    let hi = this.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.keyOf(mid) <= x) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  get length(): number {
    return this.sizes[0]
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
