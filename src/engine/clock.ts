/** Microseconds on the system-wide monotonic clock: the same clock in every process of a run. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint()) / 1000
}

/**
 * A fast reader of the same clock for hot paths. performance.now() runs at the monotonic clock's
 * rate but from each thread's own origin, so its offset is measured: on the tightest of several
 * bracketed readings, so that a preemption during calibration cannot skew one thread's events
 * against another's.
 */
export function makeClock(runStartUs: number): () => number {
  let best = Infinity
  let offsetUs = 0
  for (let i = 0; i < 50; i++) {
    const before = performance.now()
    const mono = monotonicUs()
    const after = performance.now()
    const spread = after - before
    if (spread < best) {
      best = spread
      offsetUs = mono - ((before + after) / 2) * 1000
    }
  }
  offsetUs -= runStartUs
  return () => performance.now() * 1000 + offsetUs
}
