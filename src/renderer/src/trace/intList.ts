/**
 * A growing list of 32-bit integers in one typed array: the trace's lists of rows (a thread's
 * events, slices, operations; an object's steps). Four bytes an item, where an array of objects
 * cost fifty or more, and nothing for the garbage collector to walk.
 */
export class IntList {
  data: Int32Array
  length = 0

  constructor(capacity = 8) {
    this.data = new Int32Array(Math.max(1, capacity))
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1)
    this.data[this.length++] = value
  }

  /** Puts `value` at `at`, moving those from there on one place up. */
  insert(at: number, value: number): void {
    if (at >= this.length) {
      this.push(value)
      return
    }
    if (this.length === this.data.length) this.grow(this.length + 1)
    this.data.copyWithin(at + 1, at, this.length)
    this.data[at] = value
    this.length++
  }

  /** Drops the room past `length` (a list that is done growing; it grows again if pushed to). */
  trim(): void {
    if (this.data.length > this.length) this.data = this.data.slice(0, Math.max(1, this.length))
  }

  private grow(size: number): void {
    const grown = new Int32Array(Math.max(size, this.data.length * 2))
    grown.set(this.data.subarray(0, this.length))
    this.data = grown
  }
}
