/**
 * What the timeline's drawing code draws with: a few primitives, so that one piece of geometry
 * (drawLanes, drawCpu) paints the canvas on screen and the SVG export alike. The canvas painter is
 * here; the SVG one is src/renderer/src/export/svgPainter.ts.
 */
import { stateFill, type DrawnState } from './statePalette'

export interface PaintFont {
  sizePx: number
  weight: number
}

export interface TextStyle {
  font: PaintFont
  fill: string
  /** A stroke under the letters, so that they stay legible over bars and lanes alike. */
  halo?: { colour: string; widthPx: number }
  /** Where `x` is: the start (default), the middle or the end of the text. */
  anchor?: 'start' | 'middle' | 'end'
  /** Where `y` is: the middle of the letters (default) or their baseline. */
  baseline?: 'middle' | 'alphabetic'
}

export interface Painter {
  rect(x: number, y: number, w: number, h: number, fill: string, opacity?: number): void
  /** A rectangle in a thread state's colour and hatch. */
  stateRect(x: number, y: number, w: number, h: number, state: DrawnState): void
  /** Straight lines stroked as one path: x0 y0 x1 y1 for each. */
  lines(xy: readonly number[], stroke: string, widthPx: number, dash?: readonly number[]): void
  /** Closed polygons (x y for each corner) filled as one path, and outlined when `outline` is given. */
  polygons(
    polygons: readonly (readonly number[])[],
    fill: string,
    outline?: { colour: string; widthPx: number },
  ): void
  /** Filled circles: cx cy for each. */
  dots(xy: readonly number[], radiusPx: number, fill: string): void
  text(text: string, x: number, y: number, style: TextStyle): void
  /** How wide `text` is drawn in `font`, in CSS pixels. */
  textWidth(text: string, font: PaintFont): number
}

export const FONT_FAMILY = 'system-ui, sans-serif'

function cssFont(font: PaintFont): string {
  return `${font.weight} ${font.sizePx}px ${FONT_FAMILY}`
}

/** `text` if it fits in `room`, else cut short with an ellipsis, else '' when fewer than `minPx` would show. */
export function fitText(painter: Painter, text: string, font: PaintFont, room: number, minPx = 40): string {
  if (painter.textWidth(text, font) <= room) return text
  if (room < minPx) return ''
  let end = text.length - 1
  while (end > 1 && painter.textWidth(`${text.slice(0, end)}…`, font) > room) end--
  return end > 1 ? `${text.slice(0, end)}…` : ''
}

/** A painter on a 2D canvas whose transform already maps CSS pixels (`dpr`: for the hatches' tiles). */
export function canvasPainter(ctx: CanvasRenderingContext2D, dpr: number): Painter {
  return {
    rect(x, y, w, h, fill, opacity = 1) {
      ctx.globalAlpha = opacity
      ctx.fillStyle = fill
      ctx.fillRect(x, y, w, h)
      ctx.globalAlpha = 1
    },
    stateRect(x, y, w, h, state) {
      ctx.fillStyle = stateFill(ctx, state, dpr)
      ctx.fillRect(x, y, w, h)
    },
    lines(xy, stroke, widthPx, dash) {
      ctx.strokeStyle = stroke
      ctx.lineWidth = widthPx
      if (dash) ctx.setLineDash(dash)
      ctx.beginPath()
      for (let i = 0; i < xy.length; i += 4) {
        ctx.moveTo(xy[i], xy[i + 1])
        ctx.lineTo(xy[i + 2], xy[i + 3])
      }
      ctx.stroke()
      if (dash) ctx.setLineDash([])
    },
    polygons(polygons, fill, outline) {
      ctx.beginPath()
      for (const p of polygons) {
        ctx.moveTo(p[0], p[1])
        for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i], p[i + 1])
        ctx.closePath()
      }
      if (outline) {
        ctx.strokeStyle = outline.colour
        ctx.lineWidth = outline.widthPx
        ctx.stroke()
      }
      ctx.fillStyle = fill
      ctx.fill()
    },
    dots(xy, radiusPx, fill) {
      ctx.fillStyle = fill
      ctx.beginPath()
      for (let i = 0; i < xy.length; i += 2) {
        ctx.moveTo(xy[i] + radiusPx, xy[i + 1])
        ctx.arc(xy[i], xy[i + 1], radiusPx, 0, Math.PI * 2)
      }
      ctx.fill()
    },
    text(text, x, y, style) {
      ctx.font = cssFont(style.font)
      ctx.textBaseline = style.baseline ?? 'middle'
      ctx.textAlign = style.anchor === 'middle' ? 'center' : (style.anchor ?? 'start')
      if (style.halo) {
        ctx.strokeStyle = style.halo.colour
        ctx.lineWidth = style.halo.widthPx
        ctx.lineJoin = 'round'
        ctx.strokeText(text, x, y)
      }
      ctx.fillStyle = style.fill
      ctx.fillText(text, x, y)
    },
    textWidth(text, font) {
      ctx.font = cssFont(font)
      return ctx.measureText(text).width
    },
  }
}
