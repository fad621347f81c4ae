/**
 * What a command line drives in the HTML player, in headless Chromium: the timeline as SVG or PNG,
 * with the options of the app's export dialog (TimelineImageOptions in export/svg.ts).
 *
 *   await page.waitForFunction(() => window.interleaveExport)
 *   const svg = await page.evaluate(() => window.interleaveExport.svg({ widthPx: 1280, heightPx: 720 }))
 *   const png = await page.evaluate(() => window.interleaveExport.png({ view: 'run', scale: 2 }))
 *   const webm = await page.evaluate(() => window.interleaveExport.webm({ fps: 15, speed: 2 }))
 *
 * `png` resolves to the file's bytes in base64. Options the export cannot follow throw (or reject)
 * with an ImageExportError that says why.
 */
import type { Recording } from '../../../shared/recording'
import type { ScenarioSummary } from '../../../shared/scenario'
import { blobToBase64 } from '../export/png'
import { resolveImageOptions, timelineRunOf, timelineSvg, type TimelineImageOptions } from '../export/svg'
import { timelineImage } from '../export/timelineImage'
import { replayVideo, type VideoExportOptions } from '../export/replayVideo'

interface PlayerExportApi {
  svg(options?: TimelineImageOptions): string
  png(options?: TimelineImageOptions): Promise<string>
  /** The replay as a WebM video, in base64; `onProgress` is not available across the page's edge. */
  webm(options?: VideoExportOptions): Promise<string>
}

declare global {
  interface Window {
    /** Set once the player shows its recording. */
    interleaveExport?: PlayerExportApi
    /** Frames done of a video export, for a command line to report. */
    interleaveExportProgress?: { done: number; total: number }
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
    async webm(options) {
      const onProgress = (done: number, total: number): void => {
        window.interleaveExportProgress = { done, total }
      }
      return blobToBase64(await replayVideo(recording, lesson, options, { onProgress }))
    },
  }
}
