/** Workers a host keeps started beyond those that run threads, so that the next Thread.start() is quick. */
export const WARM_SPARES = 2

/**
 * The workers a host has started for a run before its MainThread runs: one for MainThread and one
 * for each thread the lesson is expected to start (`warmThreads`, at least WARM_SPARES), so that
 * the lesson's Thread.start() calls do not wait for a worker to boot.
 */
export function workersBeforeMain(warmThreads: number): number {
  return Math.max(WARM_SPARES, warmThreads) + 1
}
