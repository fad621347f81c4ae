import { PyError } from '../../src/engine/thread/errors'

/**
 * `try: fn() except Exception as e: return str(e)` for the test models: the Python exception's
 * traceback line ('RuntimeError: release unlocked lock'), or '' when fn returned. Anything that is
 * not a Python exception is a bug of the runtime and propagates.
 */
export function raises(fn: () => unknown): string {
  try {
    fn()
    return ''
  } catch (e) {
    if (e instanceof PyError) return e.toString()
    throw e
  }
}
