/**
 * The replay as a video: at each frame's moment the recording is replayed up to then
 * (src/renderer/src/replay/replay.ts), drawn as the exported picture is (export/svg.ts) over the
 * whole run's time axis, so lanes fill in from left to right as the run did, and encoded as WebM.
 */
import type { Recording } from '../../../shared/recording'
import type { ScenarioSummary } from '../../../shared/scenario'
import { Replay } from '../replay/replay'
import { formatDuration } from '../timeline/timeScale'
import { loadImage } from './png'
import { ImageExportError, resolveImageOptions, runSettings, timelineSvg } from './svg'
import { encodeWebm } from './video'

export interface VideoExportOptions {
  /** The video's size in pixels: 1280 x 720 by default. */
  widthPx?: number
  heightPx?: number
  /** Frames per second, 1 to 60: 15 by default. */
  fps?: number
  /** How many seconds of the run one second of video shows, 0.1 to 16: 1 by default. */
  speed?: number
}

export const VIDEO_LIMITS = { maxFrames: 20_000, minFps: 1, maxFps: 60, minSpeed: 0.1, maxSpeed: 16 } as const

export interface VideoPlan {
  widthPx: number
  heightPx: number
  fps: number
  speed: number
  frameCount: number
}

/** Checks the options against the recording; the frames a video of it takes. */
export function planVideo(durationUs: number, firstUs: number, options: VideoExportOptions = {}): VideoPlan {
  const size = resolveImageOptions({ widthPx: options.widthPx ?? 1280, heightPx: options.heightPx ?? 720 })
  const fps = options.fps ?? 15
  const speed = options.speed ?? 1
  const { maxFrames, minFps, maxFps, minSpeed, maxSpeed } = VIDEO_LIMITS
  if (!Number.isFinite(fps) || fps < minFps || fps > maxFps)
    throw new ImageExportError(
      `Frames per second must be from ${minFps} to ${maxFps}, not ${String(options.fps)}.`,
    )
  if (!Number.isFinite(speed) || speed < minSpeed || speed > maxSpeed)
    throw new ImageExportError(
      `The speed must be from ${minSpeed} to ${maxSpeed}, not ${String(options.speed)}.`,
    )
  const seconds = Math.max(0, durationUs - firstUs) / 1e6 / speed
  const frameCount = Math.max(1, Math.ceil(seconds * fps)) + 1
  if (frameCount > maxFrames)
    throw new ImageExportError(
      `That video would take ${frameCount} frames, more than ${maxFrames}: raise the speed or lower the frames per second.`,
    )
  return { widthPx: size.widthPx, heightPx: size.heightPx, fps, speed, frameCount }
}

export async function replayVideo(
  recording: Recording,
  lesson: ScenarioSummary | null,
  options: VideoExportOptions = {},
  progress: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<Blob> {
  const { record } = recording
  const replay = new Replay(record)
  const startUs = Math.max(0, replay.firstUs - 50_000)
  const plan = planVideo(replay.durationUs, startUs, options)
  const stepUs = (plan.speed * 1e6) / plan.fps
  const settings = `${runSettings(record)} · ${plan.speed}x`
  const bytes = await encodeWebm({
    width: plan.widthPx,
    height: plan.heightPx,
    fps: plan.fps,
    frameCount: plan.frameCount,
    signal: progress.signal,
    onProgress: progress.onProgress,
    async drawFrame(index, ctx) {
      const atUs = Math.min(replay.durationUs, startUs + index * stepUs)
      const trace = replay.seek(atUs)
      const last = index === plan.frameCount - 1
      const svg = timelineSvg(
        {
          trace,
          title: lesson?.title ?? record.scenario,
          settings,
          verdict: last
            ? recording.verdict
            : `${formatDuration(atUs)} of ${formatDuration(replay.durationUs)}`,
          cores: record.machine.cores,
        },
        { windowUs: [startUs, replay.durationUs], widthPx: plan.widthPx, heightPx: plan.heightPx },
      )
      const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }))
      try {
        const image = await loadImage(url, progress.signal)
        ctx.drawImage(image, 0, 0, ctx.canvas.width, ctx.canvas.height)
      } finally {
        URL.revokeObjectURL(url)
      }
    },
  })
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'video/webm' })
}
