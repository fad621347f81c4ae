/**
 * A Painter that writes SVG elements as text: what the canvas would fill, as vector shapes. Pure,
 * so that the export runs (and is tested) without a DOM. Thread states fill with the `<pattern>`s
 * `stateDefs` writes, one per hatched state.
 */
import type { PaintFont, Painter, TextStyle } from '../timeline/painter'
import { DRAWN_STATES, hatchMarks, STATE_STYLES, TILE_PX, type DrawnState } from '../timeline/statePalette'

/** Whether XML 1.0 can hold the character (not C0 controls but tab and newlines, lone surrogates, U+FFFE/F). */
function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    c >= 0x10000
  )
}

/** Text made safe for an SVG element's content or a quoted attribute. */
export function escapeXml(text: string): string {
  let out = ''
  // By code point: a pair of surrogates is one character, a lone one is not a character at all.
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0
    if (!isXmlChar(c)) out += '\uFFFD'
    else if (ch === '&') out += '&amp;'
    else if (ch === '<') out += '&lt;'
    else if (ch === '>') out += '&gt;'
    else if (ch === '"') out += '&quot;'
    else if (ch === "'") out += '&apos;'
    else out += ch
  }
  return out
}

/** A coordinate with at most two decimals: smaller files, and no `1e-7` in a path. */
export function num(n: number): string {
  const r = Math.round(n * 100) / 100
  return String(Object.is(r, -0) ? 0 : r)
}

/**
 * A paint attribute: `#hex` and names as they are; `rgba(...)` split into the colour and an
 * opacity, which every SVG reader understands.
 */
function paint(attribute: 'fill' | 'stroke', colour: string, opacity = 1): string {
  const m = /^rgba\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*\)$/.exec(colour)
  const alpha = (m ? Number(m[4]) : 1) * opacity
  const value = m ? `rgb(${m[1]},${m[2]},${m[3]})` : colour
  return `${attribute}="${escapeXml(value)}"${alpha < 1 ? ` ${attribute}-opacity="${num(alpha)}"` : ''}`
}

function stateFillId(state: DrawnState): string {
  return `state-${state}`
}

/** A state's fill: its colour, or its pattern of colour and hatch. */
export function stateFillRef(state: DrawnState): string {
  return STATE_STYLES[state].hatch === 'none' ? STATE_STYLES[state].colour : `url(#${stateFillId(state)})`
}

/** One `<pattern>` per hatched state, tiled as the canvas tiles its hatches. */
export function stateDefs(): string {
  const out: string[] = []
  for (const state of DRAWN_STATES) {
    const style = STATE_STYLES[state]
    if (style.hatch === 'none') continue
    const { lines, lineWidthPx, dots } = hatchMarks(style.hatch)
    let marks = ''
    if (lines.length)
      marks += `<path d="${linePath(lines)}" ${paint('stroke', style.ink)} stroke-width="${num(lineWidthPx)}"/>`
    for (let i = 0; i < dots.length; i += 3) {
      marks += `<circle cx="${num(dots[i])}" cy="${num(dots[i + 1])}" r="${num(dots[i + 2])}" ${paint('fill', style.ink)}/>`
    }
    out.push(
      `<pattern id="${stateFillId(state)}" width="${TILE_PX}" height="${TILE_PX}" patternUnits="userSpaceOnUse">` +
        `<rect width="${TILE_PX}" height="${TILE_PX}" fill="${style.colour}"/>${marks}</pattern>`,
    )
  }
  return out.join('\n')
}

function linePath(xy: readonly number[]): string {
  let d = ''
  for (let i = 0; i < xy.length; i += 4)
    d += `M${num(xy[i])} ${num(xy[i + 1])}L${num(xy[i + 2])} ${num(xy[i + 3])}`
  return d
}

/** Roughly how wide system-ui draws a character, in ems: wide enough that estimates do not overflow. */
const CHAR_EM = 0.6

/** Text width without a font engine: an estimate on the wide side. */
function estimateTextWidth(text: string, font: PaintFont): number {
  return text.length * font.sizePx * CHAR_EM * (font.weight >= 600 ? 1.05 : 1)
}

export class SvgPainter implements Painter {
  private readonly out: string[] = []

  /** What was painted so far, one element a line. */
  toString(): string {
    return this.out.join('\n')
  }

  /** Raw SVG, for what the Painter has no word for (groups, clips). */
  raw(svg: string): void {
    this.out.push(svg)
  }

  rect(x: number, y: number, w: number, h: number, fill: string, opacity = 1): void {
    if (!(w > 0 && h > 0)) return
    this.out.push(
      `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" ${paint('fill', fill, opacity)}/>`,
    )
  }

  stateRect(x: number, y: number, w: number, h: number, state: DrawnState): void {
    if (!(w > 0 && h > 0)) return
    this.out.push(
      `<rect x="${num(x)}" y="${num(y)}" width="${num(w)}" height="${num(h)}" fill="${stateFillRef(state)}" data-state="${state}"/>`,
    )
  }

  lines(xy: readonly number[], stroke: string, widthPx: number, dash?: readonly number[]): void {
    if (!xy.length) return
    const dashes = dash?.length ? ` stroke-dasharray="${dash.map(num).join(' ')}"` : ''
    this.out.push(
      `<path d="${linePath(xy)}" fill="none" ${paint('stroke', stroke)} stroke-width="${num(widthPx)}"${dashes}/>`,
    )
  }

  polygons(
    polygons: readonly (readonly number[])[],
    fill: string,
    outline?: { colour: string; widthPx: number },
  ): void {
    if (!polygons.length) return
    let d = ''
    for (const p of polygons) {
      d += `M${num(p[0])} ${num(p[1])}`
      for (let i = 2; i < p.length; i += 2) d += `L${num(p[i])} ${num(p[i + 1])}`
      d += 'Z'
    }
    const stroke = outline
      ? ` ${paint('stroke', outline.colour)} stroke-width="${num(outline.widthPx)}" stroke-linejoin="round" paint-order="stroke"`
      : ''
    this.out.push(`<path d="${d}" ${paint('fill', fill)}${stroke}/>`)
  }

  dots(xy: readonly number[], radiusPx: number, fill: string): void {
    if (!xy.length) return
    // One path of circles, each two arcs: a thousand dots stay one element.
    const r = num(radiusPx)
    let d = ''
    for (let i = 0; i < xy.length; i += 2) {
      d += `M${num(xy[i] - radiusPx)} ${num(xy[i + 1])}a${r} ${r} 0 1 0 ${num(2 * radiusPx)} 0a${r} ${r} 0 1 0 ${num(-2 * radiusPx)} 0`
    }
    this.out.push(`<path d="${d}" ${paint('fill', fill)}/>`)
  }

  text(text: string, x: number, y: number, style: TextStyle): void {
    if (!text) return
    const anchor = style.anchor && style.anchor !== 'start' ? ` text-anchor="${style.anchor}"` : ''
    // dy rather than dominant-baseline, which not every SVG reader follows.
    const baseline = (style.baseline ?? 'middle') === 'middle' ? ' dy="0.35em"' : ''
    const halo = style.halo
      ? ` ${paint('stroke', style.halo.colour)} stroke-width="${num(style.halo.widthPx)}" stroke-linejoin="round" paint-order="stroke"`
      : ''
    this.out.push(
      `<text x="${num(x)}" y="${num(y)}" font-size="${num(style.font.sizePx)}" font-weight="${style.font.weight}"` +
        `${anchor}${baseline} ${paint('fill', style.fill)}${halo}>${escapeXml(text)}</text>`,
    )
  }

  textWidth(text: string, font: PaintFont): number {
    return estimateTextWidth(text, font)
  }
}
