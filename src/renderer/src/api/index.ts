import type { InterleaveApi } from '../../../preload/index.d'
import { embeddedRun } from '../player/embedded'
import { createPlayerApi } from './playerApi'
import { preloadApi } from './preloadApi'
import { createWsApi, socketUrlFor } from './wsApi'

export type { InterleaveApi }

const player = typeof document !== 'undefined' ? embeddedRun() : null

/**
 * The backend this window talks to: Electron's preload bridge, browser mode's WebSocket, or none
 * (the HTML player, which replays the recording it carries).
 */
export const api: InterleaveApi = player
  ? createPlayerApi(player.lesson)
  : typeof window !== 'undefined' && 'interleave' in window && window.interleave
    ? preloadApi
    : createWsApi(socketUrlFor(window.location))
