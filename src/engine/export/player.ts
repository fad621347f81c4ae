/**
 * The HTML player's built files, read from disk (the CLI, main, browser mode's server), and the
 * one-file player made from them (src/shared/export/player.ts).
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ScenarioSummary } from '../../shared/scenario'
import type { Recording } from '../../shared/recording'
import {
  inlineScript,
  playerHtml,
  PlayerTemplateError,
  type PlayerTemplate,
} from '../../shared/export/player'

export { PlayerTemplateError, type PlayerTemplate }

/** Where `vite build -c vite.player.config.ts` puts the player in a checkout. */
export const PLAYER_DIR = fileURLToPath(new URL('../../../out/player', import.meta.url))

export function loadPlayerTemplate(dir = PLAYER_DIR): PlayerTemplate {
  const file = (name: string): string => {
    const path = join(dir, name)
    if (!existsSync(path)) {
      throw new PlayerTemplateError(
        `the HTML player is not built (${path} is missing): run \`npm run build\``,
      )
    }
    return readFileSync(path, 'utf8')
  }
  return { html: file('player.html'), js: file('player.js'), css: file('player.css') }
}

export function playerHtmlFile(
  template: PlayerTemplate,
  recording: Recording,
  lesson: ScenarioSummary | null,
): string {
  const hash = createHash('sha256').update(inlineScript(template), 'utf8').digest('base64')
  return playerHtml(template, recording, lesson, hash)
}
