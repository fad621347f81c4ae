import type { InterleaveApi } from '../../../preload/index.d'
import { preloadApi } from './preloadApi'
import { createWsApi, socketUrlFor } from './wsApi'

export type { InterleaveApi }

/** The backend this window talks to: Electron's preload bridge, or browser mode's WebSocket. */
export const api: InterleaveApi =
  typeof window !== 'undefined' && 'interleave' in window && window.interleave
    ? preloadApi
    : createWsApi(socketUrlFor(window.location))
