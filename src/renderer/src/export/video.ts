/**
 * Video of a replay: frames drawn on a canvas one by one, encoded by the browser's VideoEncoder
 * (VP8), and written as WebM (src/shared/export/webm.ts). Each frame's time is set, not measured, so
 * the video plays at the chosen speed however long a frame took to draw.
 */
import { writeWebm, type WebmFrame } from '../../../shared/export/webm'

export interface VideoOptions {
  width: number
  height: number
  fps: number
  frameCount: number
  /** Draws frame `index` on the canvas (cleared before each). */
  drawFrame(index: number, ctx: CanvasRenderingContext2D): Promise<void> | void
  onProgress?(done: number, total: number): void
  signal?: AbortSignal
}

export class VideoExportError extends Error {
  override name = 'VideoExportError'
}

/** The WebM file's bytes. Rejects with an AbortError when `signal` aborts. */
export async function encodeWebm(options: VideoOptions): Promise<Uint8Array> {
  const { width, height, fps, frameCount } = options
  if (typeof VideoEncoder === 'undefined') {
    throw new VideoExportError('This browser cannot encode video (no VideoEncoder; it needs a secure page).')
  }
  // VP8 wants even sizes.
  const w = Math.max(2, Math.round(width / 2) * 2)
  const h = Math.max(2, Math.round(height / 2) * 2)
  const config: VideoEncoderConfig = { codec: 'vp8', width: w, height: h, bitrate: 4_000_000, framerate: fps }
  const support = await VideoEncoder.isConfigSupported(config)
  if (!support.supported) throw new VideoExportError(`This browser cannot encode ${w}x${h} VP8 video.`)

  const canvas = document.createElement('canvas')
  canvas.width = w
  canvas.height = h
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new VideoExportError('No 2D canvas to draw the video on.')

  const chunks: WebmFrame[] = []
  let failure: Error | null = null
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength)
      chunk.copyTo(data)
      chunks.push({ timestampUs: chunk.timestamp, key: chunk.type === 'key', data })
    },
    error: (e) => (failure = e instanceof Error ? e : new Error(String(e))),
  })
  encoder.configure(config)
  const frameUs = 1_000_000 / fps
  try {
    for (let i = 0; i < frameCount; i++) {
      options.signal?.throwIfAborted()
      if (failure) throw failure
      ctx.save()
      ctx.fillStyle = '#ffffff'
      ctx.fillRect(0, 0, w, h)
      await options.drawFrame(i, ctx)
      ctx.restore()
      const frame = new VideoFrame(canvas, {
        timestamp: Math.round(i * frameUs),
        duration: Math.round(frameUs),
      })
      encoder.encode(frame, { keyFrame: i % Math.max(1, Math.round(fps * 2)) === 0 })
      frame.close()
      // Keep the encoder's queue short, so memory stays bounded on a long video.
      while (encoder.encodeQueueSize > 4) await new Promise((r) => setTimeout(r, 5))
      options.onProgress?.(i + 1, frameCount)
    }
    await encoder.flush()
    if (failure) throw failure
  } finally {
    if (encoder.state !== 'closed') encoder.close()
  }
  chunks.sort((a, b) => a.timestampUs - b.timestampUs)
  return writeWebm(chunks, { codec: 'vp8', width: w, height: h, durationUs: frameCount * frameUs })
}
