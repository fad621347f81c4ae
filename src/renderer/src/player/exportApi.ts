/**
 * What a command line drives in the HTML player, in headless Chromium: the timeline as SVG or PNG,
 * with the options of the app's export dialog (TimelineImageOptions in export/svg.ts).
 *
 *   await page.waitForFunction(() => window.interleaveExport)
 *   const svg = await page.evaluate(() => window.interleaveExport.svg({ widthPx: 1280, heightPx: 720 }))
 *   const png = await page.evaluate(() => window.interleaveExport.png({ view: 'run', scale: 2 }))
 *
 * `png` resolves to the file's bytes in base64. Options the export cannot follow throw (or reject)
 * with an ImageExportError that says why.
 */
import type { Recording } from '../../../shared/recording'
import type { ScenarioSummary } from '../../../shared/scenario'
import { blobToBase64 } from '../export/png'
import { resolveImageOptions, timelineRunOf, timelineSvg, type TimelineImageOptions } from '../export/svg'
import { timelineImage } from '../export/timelineImage'

interface PlayerExportApi {
  svg(options?: TimelineImageOptions): string
  png(options?: TimelineImageOptions): Promise<string>
}

declare global {
  interface Window {
    /** Set once the player shows its recording. */
    interleaveExport?: PlayerExportApi
  }
}

/** `viewWindowUs`: what the timeline shows now, for `view: 'current'`. */
export function installExportApi(
  recording: Recording,
  lesson: ScenarioSummary | null,
  viewWindowUs: () => readonly [number, number] | null,
): void {
  window.interleaveExport = {
    svg(options) {
      return timelineSvg(timelineRunOf(recording, lesson), resolveImageOptions(options, viewWindowUs()))
    },
    async png(options) {
      const size = resolveImageOptions(options, viewWindowUs())
      return blobToBase64(await timelineImage('png', recording, lesson, size))
    },
  }
}
