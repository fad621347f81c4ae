import type { InterleaveApi } from '../../../preload/index.d'
import { preloadApi } from './preloadApi'

export type { InterleaveApi }

/** The backend this window talks to. Browser mode's WebSocket client will be chosen here. */
export const api: InterleaveApi = preloadApi
