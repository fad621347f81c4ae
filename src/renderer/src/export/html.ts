/**
 * The run as one HTML file that replays it anywhere, offline: the backend hands over the built
 * player, the page inlines the recording into it (src/shared/export/player.ts).
 */
import { api } from '../api'
import { inlineScript, playerHtml } from '../../../shared/export/player'
import type { Recording } from '../../../shared/recording'
import type { ScenarioSummary } from '../../../shared/scenario'

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))
  let binary = ''
  for (const byte of digest) binary += String.fromCharCode(byte)
  return btoa(binary)
}

export async function exportHtml(recording: Recording, lesson: ScenarioSummary | null): Promise<string> {
  const template = await api.playerTemplate()
  return playerHtml(template, recording, lesson, await sha256Base64(inlineScript(template)))
}
