/**
 * A Python exception raised by the model: `type` is the Python class as a student would
 * see it in a traceback (RuntimeError, queue.Empty, threading.BrokenBarrierError, ...).
 */
export class PyError extends Error {
  constructor(
    readonly type: string,
    message = '',
  ) {
    super(message)
    this.name = type
  }

  /** The traceback's last line. */
  override toString(): string {
    return this.message ? `${this.type}: ${this.message}` : this.type
  }
}

/** Whether `e` is a Python exception of `type`, as `except type:` would catch it. */
export function isPyError(e: unknown, type: string): e is PyError {
  return e instanceof PyError && e.type === type
}

/** What threading.excepthook (or, for MainThread, the interpreter) prints for an uncaught exception. */
export function excepthook(thread: string, target: string, line: number, e: unknown): string {
  const last =
    e instanceof PyError ? e.toString() : e instanceof Error ? `${e.name}: ${e.message}` : String(e)
  const head = thread === 'MainThread' ? '' : `Exception in thread ${thread}:\n`
  return `${head}Traceback (most recent call last):\n  File "program.py", line ${line}, in ${target}\n${last}`
}
