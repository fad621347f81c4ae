/**
 * Thread-state colours: the Okabe-Ito palette (distinguishable with the common colour-vision
 * deficiencies), and a hatch on every waiting state, so that a washed-out projector or a grey
 * print still tells running from waiting.
 */
import type { ThreadState } from '../../../shared/trace'

export type DrawnState = Exclude<ThreadState, 'finished'>

export interface StateStyle {
  label: string
  colour: string
  /** What is drawn over the colour; `none` for running, the one state that does work. */
  hatch: 'none' | 'diagonal' | 'cross' | 'horizontal' | 'dots' | 'vertical'
  /** Hatch ink: dark on light colours, light on dark ones. */
  ink: string
  /** For the legend and tooltips. */
  meaning: string
}

export const STATE_STYLES: Record<DrawnState, StateStyle> = {
  running: {
    label: 'running',
    colour: '#009E73',
    hatch: 'none',
    ink: '#ffffff',
    meaning: 'holds the GIL and runs Python code',
  },
  'gil-wait': {
    label: 'GIL wait',
    colour: '#E69F00',
    hatch: 'diagonal',
    ink: 'rgba(0, 0, 0, 0.55)',
    meaning: 'ready to run, waiting for the GIL',
  },
  blocked: {
    label: 'blocked',
    colour: '#D55E00',
    hatch: 'cross',
    ink: 'rgba(0, 0, 0, 0.5)',
    meaning: 'blocked on a lock, a queue, a join or a call',
  },
  waiting: {
    label: 'waiting',
    colour: '#CC79A7',
    hatch: 'horizontal',
    ink: 'rgba(0, 0, 0, 0.5)',
    meaning: 'waiting on a condition, an event or a barrier',
  },
  sleeping: {
    label: 'sleeping',
    colour: '#56B4E9',
    hatch: 'dots',
    ink: 'rgba(0, 0, 0, 0.55)',
    meaning: 'in time.sleep',
  },
  io: {
    label: 'I/O',
    colour: '#0072B2',
    hatch: 'vertical',
    ink: 'rgba(255, 255, 255, 0.7)',
    meaning: 'waiting for I/O',
  },
}

export const DRAWN_STATES = Object.keys(STATE_STYLES) as DrawnState[]

/** The side of a hatch's square tile, in CSS pixels; the canvas and the SVG export repeat the same tile. */
export const TILE_PX = 8

/** A hatch as geometry, for the canvas's tiles and the SVG export's `<pattern>`s alike. */
export interface HatchMarks {
  /** Straight strokes: x0 y0 x1 y1 for each, in a tile's pixels. */
  lines: number[]
  lineWidthPx: number
  /** Filled dots: cx cy r for each. */
  dots: number[]
}

export function hatchMarks(hatch: StateStyle['hatch']): HatchMarks {
  const n = TILE_PX
  const lines: number[] = []
  switch (hatch) {
    case 'diagonal':
      // Drawn past the tile's corners so that the stripes join across tiles.
      for (const o of [-n, 0, n]) lines.push(o, n, o + n, 0)
      return { lines, lineWidthPx: 1.5, dots: [] }
    case 'cross':
      for (const o of [-n, 0, n]) lines.push(o, n, o + n, 0, o, 0, o + n, n)
      return { lines, lineWidthPx: 1, dots: [] }
    case 'horizontal':
      return { lines: [0, n / 2, n, n / 2], lineWidthPx: 2, dots: [] }
    case 'vertical':
      return { lines: [n / 2, 0, n / 2, n], lineWidthPx: 2, dots: [] }
    case 'dots':
      return { lines: [], lineWidthPx: 0, dots: [n / 4, n / 4, 1.3, (3 * n) / 4, (3 * n) / 4, 1.3] }
    case 'none':
      return { lines: [], lineWidthPx: 0, dots: [] }
  }
}

/** A fill for the state: its colour, or a pattern of colour and hatch. One cache per canvas context. */
const patterns = new WeakMap<CanvasRenderingContext2D, Map<string, CanvasPattern | string>>()

export function stateFill(
  ctx: CanvasRenderingContext2D,
  state: DrawnState,
  dpr: number,
): CanvasPattern | string {
  let cache = patterns.get(ctx)
  if (!cache) patterns.set(ctx, (cache = new Map()))
  const cacheKey = `${state}@${dpr}`
  const cached = cache.get(cacheKey)
  if (cached) return cached
  const style = STATE_STYLES[state]
  let fill: CanvasPattern | string = style.colour
  if (style.hatch !== 'none') {
    const tile = document.createElement('canvas')
    tile.width = tile.height = Math.round(TILE_PX * dpr)
    const t = tile.getContext('2d')
    if (t) {
      t.scale(dpr, dpr)
      t.fillStyle = style.colour
      t.fillRect(0, 0, TILE_PX, TILE_PX)
      drawHatch(t, style)
      const pattern = ctx.createPattern(tile, 'repeat')
      if (pattern) {
        pattern.setTransform(new DOMMatrix().scale(1 / dpr, 1 / dpr))
        fill = pattern
      }
    }
  }
  cache.set(cacheKey, fill)
  return fill
}

function drawHatch(t: CanvasRenderingContext2D, style: StateStyle): void {
  const { lines, lineWidthPx, dots } = hatchMarks(style.hatch)
  t.strokeStyle = style.ink
  t.fillStyle = style.ink
  t.lineWidth = lineWidthPx
  t.beginPath()
  for (let i = 0; i < lines.length; i += 4) {
    t.moveTo(lines[i], lines[i + 1])
    t.lineTo(lines[i + 2], lines[i + 3])
  }
  if (lines.length) t.stroke()
  t.beginPath()
  for (let i = 0; i < dots.length; i += 3) {
    t.moveTo(dots[i] + dots[i + 2], dots[i + 1])
    t.arc(dots[i], dots[i + 1], dots[i + 2], 0, Math.PI * 2)
  }
  if (dots.length) t.fill()
}
