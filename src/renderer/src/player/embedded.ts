/**
 * The HTML player: one file that replays one recording with no server and no network. The exporter
 * (src/engine/export/player.ts) puts the recording, and the lesson's summary where the app knows it,
 * in a `<script type="application/json" id="interleave-recording">` of the built player page.
 */
import type { ScenarioSummary } from '../../../shared/protocol'

export const EMBEDDED_ID = 'interleave-recording'

export interface EmbeddedRun {
  /** A recording as the file holds it: checked with the format's reader before it is shown. */
  recording: unknown
  lesson: ScenarioSummary | null
}

let parsed: { doc: Document; run: EmbeddedRun | null } | null = null

/** The embedded run, if this page is a player; null in the app. Parsed once: it can be large. */
export function embeddedRun(doc: Document = document): EmbeddedRun | null {
  if (parsed?.doc === doc) return parsed.run
  const el = doc.getElementById(EMBEDDED_ID)
  const run = el?.textContent ? (JSON.parse(el.textContent) as EmbeddedRun) : null
  parsed = { doc, run }
  return run
}
