/**
 * Where the backend says that it refused a message from a page (Electron main over IPC, browser mode's
 * server over its socket): one warning line each on stderr, at most `perSecond` lines a second. A page
 * that floods the backend with bad messages (a compromised renderer, a bug in a loop) cannot fill the
 * terminal or a log file: past the limit refusals are only counted, and the count is written once the
 * second is over.
 */

export interface RefusalLogOptions {
  /** Lines a second at most, besides the one that counts what was left out. */
  perSecond?: number
  /** Milliseconds on a monotonic clock. */
  now?: () => number
  /** Where a line goes. */
  write?: (line: string) => void
}

const WINDOW_MS = 1000
/** The longest channel name and reason a line quotes. */
const MAX_CHANNEL = 80
const MAX_REASON = 300

export class RefusalLog {
  private readonly perSecond: number
  private readonly now: () => number
  private readonly write: (line: string) => void
  private windowStart = -Infinity
  private written = 0
  private dropped = 0
  private flushTimer: NodeJS.Timeout | null = null

  constructor(options: RefusalLogOptions = {}) {
    this.perSecond = options.perSecond ?? 10
    this.now = options.now ?? (() => performance.now())
    this.write = options.write ?? ((line) => console.warn(line))
  }

  /** A message on `channel` was refused, for `reason`. */
  refused(channel: string, reason: string): void {
    const t = this.now()
    if (t - this.windowStart >= WINDOW_MS) {
      this.flush()
      this.windowStart = t
      this.written = 0
    }
    if (this.written < this.perSecond) {
      this.written += 1
      this.write(
        `interleave: refused a message on '${printable(channel, MAX_CHANNEL)}': ${printable(reason, MAX_REASON)}`,
      )
      return
    }
    this.dropped += 1
    // The count is written when the second is over, even if no refusal follows to trigger it.
    this.flushTimer ??= setTimeout(() => this.flush(), WINDOW_MS - (t - this.windowStart))
    this.flushTimer.unref?.()
  }

  /** Writes how many refusals were left out since the last line that said so, if any. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    if (this.dropped === 0) return
    const n = this.dropped
    this.dropped = 0
    this.write(`interleave: ${n} more refused message${n === 1 ? ' was' : 's were'} not logged (too many)`)
  }
}

/** The process's refusal log. Tests spy on `refusals.refused` to see every refusal, logged or counted. */
export const refusals = new RefusalLog()

/** Logs that a message on `channel` was refused, and why (rate-limited: see RefusalLog). */
export function logRefused(channel: string, reason: string): void {
  refusals.refused(channel, reason)
}

/** The longest refusal message a page gets back. */
const MAX_MESSAGE = 1000

/**
 * Logs a refusal and returns the message the page gets for it: the reason, cut short (a reason may
 * quote what the page sent, such as a batch's size given as a string of megabytes).
 */
export function refuseAndLog(channel: string, reason: string): string {
  logRefused(channel, reason)
  return reason.length > MAX_MESSAGE ? `${reason.slice(0, MAX_MESSAGE)}...` : reason
}

// Control characters would let a page write lines of its own into the log (a newline, then a fake
// "interleave: ..." line), and bidirectional overrides would let it make a line read differently
// from what it holds: they are written as \u escapes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

/** `text` cut to `max` characters (saying how long it was) with its unprintable characters escaped. */
export function printable(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text
  return cut.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
