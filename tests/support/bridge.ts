import type { InterleaveBridge } from '../../src/preload/index.d'

/**
 * The bridge's functions by name, as its type declares them: an object type with every key of
 * InterleaveBridge and no other, so that a function added to or taken from the type without this
 * list fails to compile. What the preload really exposes is checked against it (src/preload, and
 * in Electron, tests/electron).
 */
const DECLARED: { readonly [K in keyof InterleaveBridge]: true } = {
  batchRun: true,
  cancelBatch: true,
  controlRun: true,
  listScenarios: true,
  onBatchMessage: true,
  onOpenRecording: true,
  onRunMessage: true,
  playerTemplate: true,
  startBatch: true,
  startRun: true,
  stopRun: true,
}

export const BRIDGE_FUNCTIONS: readonly string[] = Object.keys(DECLARED).sort()
