import type { InterleaveApi } from '../../../preload/index.d'

/** The Electron backend: each call crosses to the main process through the preload bridge. */
export const preloadApi: InterleaveApi = {
  listScenarios: () => window.interleave.listScenarios(),
}
