import type { MessagePort } from 'node:worker_threads'
import { eventId } from '../../shared/trace'
import { RECORD_FIELDS, RecordType, writeRecord, type PackedBatch } from '../records'

const CAPACITY = 8192
/** A thread's events reach its process at least this often while it runs. */
export const FLUSH_INTERVAL_US = 20_000

export type BatchSink = (batch: PackedBatch, transfer: ArrayBuffer[]) => void

/**
 * A thread's event buffer: a preallocated Float64Array, sent to the process host in batches
 * (when full, every FLUSH_INTERVAL_US, and before the thread blocks), never one message each.
 */
export class Tracer {
  private records = new Float64Array(CAPACITY * RECORD_FIELDS)
  private strings: string[] = []
  /**
   * Where each string of the batch ends in their concatenation (UTF-16 code units): a batch's
   * strings leave as one string, which crosses each hop as one copy, not thousands of small ones.
   */
  private ends = new Uint32Array(CAPACITY)
  private textLength = 0
  private count = 0
  private firstSeq = 0
  /** When the last batch left; none yet, so a thread's first event leaves at once (a run's first on screen). */
  private lastFlushUs = -Infinity
  readonly now: () => number

  constructor(
    readonly pid: number,
    readonly tid: number,
    now: () => number,
    private readonly sink: BatchSink,
    /** When false, only thread starts and ends are kept (the `trace: false` run option). */
    private readonly keepAll = true,
  ) {
    this.now = now
  }

  private pinnedUs = -1
  private lastUs = 0

  /**
   * Gives the next event a time measured elsewhere on the run's clock: the broker's, for an operation
   * it decided, so that a put is never drawn after the get that took its item.
   */
  pinNextTime(tUs: number): void {
    this.pinnedUs = tUs
  }

  /** The id the next recorded event will have, for causal links written before the record. */
  nextEventId(): number {
    return eventId(this.pid, this.tid, this.firstSeq + this.count)
  }

  get pending(): number {
    return this.count
  }

  /** Microseconds until the buffer is due to be flushed (<= 0: now). */
  dueInUs(): number {
    return this.lastFlushUs + FLUSH_INTERVAL_US - this.now()
  }

  text(s: string): number {
    const i = this.strings.length
    // The same text as the one before (a value written, then read back, as lessons' loops do):
    // one string for both, which the orchestrator then keeps once, not once an event.
    if (i > 0 && this.strings[i - 1] === s) return i - 1
    if (i === this.ends.length) {
      const ends = new Uint32Array(i * 2)
      ends.set(this.ends)
      this.ends = ends
    }
    this.textLength += s.length
    this.ends[i] = this.textLength
    this.strings.push(s)
    return i
  }

  record(code: number, obj: number, line: number, s0 = 0, s1 = 0, s2 = 0, cause = -1, text = -1): number {
    if (!this.keepAll && !isLifecycle(code)) return -1
    let t = this.now()
    if (this.pinnedUs >= 0) {
      // Never before this thread's previous event: a thread's events stay in order.
      t = Math.max(this.pinnedUs, this.lastUs)
      this.pinnedUs = -1
    }
    this.lastUs = t
    const id = eventId(this.pid, this.tid, this.firstSeq + this.count)
    writeRecord(this.records, this.count * RECORD_FIELDS, t, code, obj, line, s0, s1, s2, cause, text)
    this.count++
    if (this.count === CAPACITY || t - this.lastFlushUs >= FLUSH_INTERVAL_US) this.flush()
    return id
  }

  flush(): void {
    this.lastFlushUs = this.now()
    if (this.count === 0) return
    const records = this.count === CAPACITY ? this.records : this.records.slice(0, this.count * RECORD_FIELDS)
    const ends = this.ends.slice(0, this.strings.length)
    const batch: PackedBatch = {
      pid: this.pid,
      tid: this.tid,
      firstSeq: this.firstSeq,
      records,
      strings: [],
      text: this.strings.join(''),
      ends,
    }
    this.firstSeq += this.count
    if (records === this.records) this.records = new Float64Array(CAPACITY * RECORD_FIELDS)
    this.count = 0
    this.strings = []
    this.textLength = 0
    this.sink(batch, [records.buffer as ArrayBuffer, ends.buffer as ArrayBuffer])
  }
}

function isLifecycle(code: number): boolean {
  const type = code % 16
  return type === RecordType.ThreadStart || type === RecordType.ThreadEnd || type === RecordType.Result
}

/** A sink that posts batches to the process host. */
export function portSink(port: Pick<MessagePort, 'postMessage'>): BatchSink {
  return (batch, transfer) => port.postMessage({ type: 'trace:batch', batch }, transfer)
}
