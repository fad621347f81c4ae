/**
 * The HTML player export, pure: the built player page (out/player, from vite.player.config.ts) with
 * its script, its stylesheet and the recording inlined, so that one file replays the run from
 * file:// with the network off. Its Content-Security-Policy allows that script alone (by its hash)
 * and no connection at all. The CLI and the app both assemble it here; each reads the built files
 * its own way and hashes with its own SHA-256.
 */
import type { ScenarioSummary } from '../scenario'
import { recordingFileValue, type Recording } from '../recording'

export interface PlayerTemplate {
  html: string
  js: string
  css: string
}

export class PlayerTemplateError extends Error {
  override name = 'PlayerTemplateError'
}

/** JSON that cannot end the script element it sits in. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** The player's script as it will sit inline: `</script` inside the code would end it early. */
export function inlineScript(template: PlayerTemplate): string {
  return template.js.replace(/<\/script/gi, '<\\/script')
}

/**
 * The one-file player for a recording. `scriptHash` is the base64 SHA-256 of `inlineScript(template)`.
 */
export function playerHtml(
  template: PlayerTemplate,
  recording: Recording,
  lesson: ScenarioSummary | null,
  scriptHash: string,
): string {
  const csp =
    `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data: blob:; ` +
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
  const scriptTag = /<script type="module"[^>]*src="\.\/player\.js"><\/script>/
  const styleTag = /<link rel="stylesheet"[^>]*href="\.\/player\.css">/
  if (!scriptTag.test(template.html) || !styleTag.test(template.html)) {
    throw new PlayerTemplateError('the built player page does not load player.js and player.css as expected')
  }
  // As its file holds it (version 2, events as columns): smaller, and quicker for the player to read.
  const data = inlineJson({ recording: recordingFileValue(recording), lesson })
  const js = inlineScript(template)
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
