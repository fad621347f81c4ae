/**
 * The timeline as an SVG or PNG file of a recorded run, in stages that say where they are and stop
 * when cancelled: the app's Export menu and the HTML player's `window.interleaveExport` both come here.
 */
import type { Recording } from '../../../shared/recording'
import type { ScenarioSummary } from '../../../shared/scenario'
import { nextPaint, svgToPng, type PngStage } from './png'
import { timelineRunOf, timelineSvg, type ImageSize } from './svg'

type ImageStage = 'trace' | 'svg' | PngStage

/** Each stage as the progress line says it. */
export const IMAGE_STAGE_WORDS: Record<ImageStage, string> = {
  trace: 'reading the run',
  svg: 'drawing the picture',
  load: 'loading the picture',
  draw: 'drawing the pixels',
  encode: 'encoding the PNG',
}

export async function timelineImage(
  format: 'svg' | 'png',
  recording: Recording,
  lesson: ScenarioSummary | null,
  size: ImageSize,
  options: { signal?: AbortSignal; onStage?: (stage: ImageStage) => void } = {},
): Promise<Blob> {
  const { signal, onStage } = options
  const step = async (stage: ImageStage): Promise<void> => {
    onStage?.(stage)
    await nextPaint()
    signal?.throwIfAborted()
  }
  await step('trace')
  const run = timelineRunOf(recording, lesson)
  await step('svg')
  const svg = timelineSvg(run, size)
  if (format === 'svg') return new Blob([svg], { type: 'image/svg+xml' })
  signal?.throwIfAborted()
  return svgToPng(svg, size, { signal, onStage })
}
