import type { ScenarioSummary } from '../shared/protocol'

/** What the renderer may ask of the main process, as `window.interleave`. */
export interface InterleaveApi {
  /** Every scenario, in teaching order, without its model. */
  listScenarios(): Promise<ScenarioSummary[]>
}

declare global {
  interface Window {
    interleave: InterleaveApi
  }
}
