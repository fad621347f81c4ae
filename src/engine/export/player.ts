/**
 * The HTML player export: the built player page (out/player, from vite.player.config.ts) with its
 * script, its stylesheet and the recording inlined, so that one file replays the run from file://
 * with the network off. Its Content-Security-Policy allows that script alone (by hash) and no
 * connection at all.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ScenarioSummary } from '../../shared/protocol'
import type { Recording } from '../../shared/recording'

export interface PlayerTemplate {
  html: string
  js: string
  css: string
}

/** Where `vite build -c vite.player.config.ts` puts the player, in a checkout and in the app. */
export const PLAYER_DIR = fileURLToPath(new URL('../../../out/player', import.meta.url))

export class PlayerNotBuiltError extends Error {
  override name = 'PlayerNotBuiltError'
}

export function loadPlayerTemplate(dir = PLAYER_DIR): PlayerTemplate {
  const file = (name: string): string => {
    const path = join(dir, name)
    if (!existsSync(path)) {
      throw new PlayerNotBuiltError(
        `the HTML player is not built (${path} is missing): run \`npm run build\``,
      )
    }
    return readFileSync(path, 'utf8')
  }
  return { html: file('player.html'), js: file('player.js'), css: file('player.css') }
}

/** JSON that cannot end the script element it sits in, nor open a comment there. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** The one-file player for a recording. */
export function playerHtml(
  template: PlayerTemplate,
  recording: Recording,
  lesson: ScenarioSummary | null,
): string {
  // `</script` inside the code would end its element early; `<\/script` means the same to JavaScript.
  const js = template.js.replace(/<\/script/gi, '<\\/script')
  const hash = createHash('sha256').update(js, 'utf8').digest('base64')
  const csp =
    `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; ` +
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
  const scriptTag = /<script type="module"[^>]*src="\.\/player\.js"><\/script>/
  const styleTag = /<link rel="stylesheet"[^>]*href="\.\/player\.css">/
  if (!scriptTag.test(template.html) || !styleTag.test(template.html)) {
    throw new PlayerNotBuiltError('the built player page does not load player.js and player.css as expected')
  }
  const data = inlineJson({ recording, lesson })
  return template.html
    .replace(
      '<meta charset="UTF-8" />',
      () => `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`,
    )
    .replace(styleTag, () => `<style>\n${template.css}\n</style>`)
    .replace(
      scriptTag,
      () =>
        `<script type="application/json" id="interleave-recording">${data}</script>\n    <script type="module">${js}</script>`,
    )
}
