/** Microseconds on the system-wide monotonic clock: the same clock in every process of a run. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

/**
 * A fast reader of the same clock for hot paths: performance.now() is monotonic per thread,
 * so its offset to hrtime is measured once.
 */
export function makeClock(runStartUs: number): () => number {
  const offsetUs = monotonicUs() - performance.now() * 1000 - runStartUs
  return () => performance.now() * 1000 + offsetUs
}
