/**
 * An SVG picture as a PNG, in the page: the SVG as an image from a Blob URL, drawn on a canvas at
 * the chosen scale (the browser rasterises the vector at that size, so 2x is sharp, not blown up),
 * encoded with `canvas.toBlob`. Each step checks the signal, so that a long export can be cancelled.
 */
import { ImageExportError } from './svg'

/**
 * What a canvas is trusted to hold. Chromium's own limits are 32,767 pixels a side and 268 million
 * in all; a canvas that large costs a gigabyte, so the export stays well inside them.
 */
export const CANVAS_LIMITS = { maxSidePx: 16_384, maxAreaPx: 100_000_000 } as const

export type PngStage = 'load' | 'draw' | 'encode'

/** Why a canvas cannot hold `widthPx` x `heightPx` at `scale`, in words; null when it can. */
export function pngSizeProblem(widthPx: number, heightPx: number, scale: number): string | null {
  const w = Math.round(widthPx * scale)
  const h = Math.round(heightPx * scale)
  const { maxSidePx, maxAreaPx } = CANVAS_LIMITS
  if (w <= maxSidePx && h <= maxSidePx && w * h <= maxAreaPx) return null
  const asked =
    scale === 1 ? `${w} x ${h} pixels` : `${widthPx} x ${heightPx} at ${scale}x is ${w} x ${h} pixels`
  return (
    `A PNG of ${asked}, more than a canvas can hold (${maxSidePx} pixels a side, ` +
    `${maxAreaPx / 1_000_000} million in all). Choose a smaller size or scale, or export an SVG, which has no such limit.`
  )
}

/**
 * Lets the page paint (the progress line) before the next step; a timeout as well, since a hidden
 * window gets no animation frames.
 */
export function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0))
    setTimeout(resolve, 50)
  })
}

export function loadImage(url: string, signal: AbortSignal | undefined): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image()
    const onAbort = (): void => {
      image.src = ''
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    image.onload = () => {
      signal?.removeEventListener('abort', onAbort)
      resolve(image)
    }
    image.onerror = () => {
      signal?.removeEventListener('abort', onAbort)
      reject(new ImageExportError('The browser could not read the SVG picture to make the PNG.'))
    }
    image.src = url
  })
}

export async function svgToPng(
  svg: string,
  size: { widthPx: number; heightPx: number; scale: number },
  options: { signal?: AbortSignal; onStage?: (stage: PngStage) => void } = {},
): Promise<Blob> {
  const { signal, onStage } = options
  const problem = pngSizeProblem(size.widthPx, size.heightPx, size.scale)
  if (problem) throw new ImageExportError(problem)
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }))
  const canvas = document.createElement('canvas')
  try {
    onStage?.('load')
    const image = await loadImage(url, signal)
    signal?.throwIfAborted()
    onStage?.('draw')
    await nextPaint()
    signal?.throwIfAborted()
    canvas.width = Math.round(size.widthPx * size.scale)
    canvas.height = Math.round(size.heightPx * size.scale)
    const ctx = canvas.getContext('2d')
    if (!ctx || canvas.width === 0)
      throw new ImageExportError(
        `The browser would not make a canvas of ${canvas.width} x ${canvas.height} pixels: try a smaller size or scale.`,
      )
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height)
    onStage?.('encode')
    await nextPaint()
    signal?.throwIfAborted()
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'))
    signal?.throwIfAborted()
    if (!blob)
      throw new ImageExportError('The browser could not encode the PNG: try a smaller size or scale.')
    return blob
  } finally {
    URL.revokeObjectURL(url)
    // Let the pixels go now rather than whenever the canvas is collected.
    canvas.width = canvas.height = 0
  }
}

/** A Blob's bytes in base64, as the player hands a PNG to a command line. */
export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer())
  let binary = ''
  const chunk = 0x8000
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk))
  }
  return btoa(binary)
}
