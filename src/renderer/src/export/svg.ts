/**
 * The timeline as a standalone SVG picture, for slides and papers: the lesson's title and
 * parameters, the verdict, the legend, the lanes grouped by process (thread slices in their state's
 * colour and hatch, objects' lanes, causal arrows, print markers), the time axis and each core's
 * CPU, over the whole run or a window of it. Vector throughout: the lanes are painted by the very
 * code that paints the canvas (paintLanes, paintCpu), through an SvgPainter. Pure: no DOM.
 */
import { scaleLinear } from 'd3'
import type { Recording } from '../../../shared/recording'
import type { ScenarioSummary } from '../../../shared/scenario'
import type { RunRecord } from '../../../shared/trace'
import { Replay } from '../replay/replay'
import { arrowHead, paintLanes, printGlyph, type LaneColours } from '../timeline/drawLanes'
import { paintCpu } from '../timeline/drawCpu'
import { objectKindLabel, splitThreadName } from '../timeline/laneLabels'
import { LANE_HEIGHTS, layoutLanes, type Lane, type LaneHeights } from '../timeline/laneLayout'
import { FONT_FAMILY, fitText, type PaintFont } from '../timeline/painter'
import { DRAWN_STATES, STATE_STYLES } from '../timeline/statePalette'
import { formatDuration, formatTick, makeTimeScale, runWindow, timeToPx } from '../timeline/timeScale'
import type { RunTrace } from '../trace/runTrace'
import { escapeXml, num, stateDefs, stateFillRef, SvgPainter } from './svgPainter'

/**
 * What to draw and how big: the options of the app's export dialog, of the HTML player's
 * `window.interleaveExport.svg(options)` and `.png(options)`, and so of the command line.
 * Every field may be left out.
 */
export interface TimelineImageOptions {
  /** `run` (the default): the whole run. `current`: the window the timeline shows now. */
  view?: 'run' | 'current'
  /** A window of its own, [startUs, endUs] in µs since the run started; wins over `view`. */
  windowUs?: readonly [number, number]
  /** The picture's size in CSS pixels: 1920 x 1080 by default. */
  widthPx?: number
  heightPx?: number
  /** PNG only: pixels per CSS pixel, 1 (the default) to 4. The SVG is vector and ignores it. */
  scale?: number
}

/** Options checked and filled in: what the renderers take. */
export interface ImageSize {
  /** The window drawn; null is the whole run. */
  windowUs: readonly [number, number] | null
  widthPx: number
  heightPx: number
  scale: number
}

export const IMAGE_LIMITS = { minWidthPx: 480, minHeightPx: 320, maxSidePx: 16_384, maxScale: 4 } as const
export const DEFAULT_IMAGE_SIZE = { widthPx: 1920, heightPx: 1080 } as const

/** Options an export cannot follow; the message says why, for a person. */
export class ImageExportError extends Error {
  override name = 'ImageExportError'
}

/** Checks `options` and fills in the defaults; `viewWindowUs` is what the timeline shows now. */
export function resolveImageOptions(
  options: TimelineImageOptions = {},
  viewWindowUs: readonly [number, number] | null = null,
): ImageSize {
  const { minWidthPx, minHeightPx, maxSidePx, maxScale } = IMAGE_LIMITS
  const side = (value: number | undefined, fallback: number, min: number, what: string): number => {
    const n = value ?? fallback
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > maxSidePx)
      throw new ImageExportError(
        `The ${what} must be from ${min} to ${maxSidePx} pixels, not ${String(value)}.`,
      )
    return Math.round(n)
  }
  const widthPx = side(options.widthPx, DEFAULT_IMAGE_SIZE.widthPx, minWidthPx, 'width')
  const heightPx = side(options.heightPx, DEFAULT_IMAGE_SIZE.heightPx, minHeightPx, 'height')
  const scale = options.scale ?? 1
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 1 || scale > maxScale)
    throw new ImageExportError(`The scale must be from 1 to ${maxScale}, not ${String(options.scale)}.`)
  let windowUs: readonly [number, number] | null = null
  if (options.windowUs !== undefined) {
    const [startUs, endUs] = options.windowUs
    if (!Number.isFinite(startUs) || !Number.isFinite(endUs) || startUs < 0 || endUs <= startUs)
      throw new ImageExportError(
        `A window runs from a time to a later one, in µs since the run started; [${String(startUs)}, ${String(endUs)}] does not.`,
      )
    windowUs = [startUs, endUs]
  } else if (options.view === 'current') {
    if (!viewWindowUs)
      throw new ImageExportError('The timeline shows nothing yet: export the whole run instead.')
    windowUs = [viewWindowUs[0], viewWindowUs[1]]
  } else if (options.view !== undefined && options.view !== 'run') {
    throw new ImageExportError(`The view is "run" or "current", not "${String(options.view)}".`)
  }
  return { windowUs, widthPx, heightPx, scale }
}

/** A run as the picture needs it. */
export interface TimelineRun {
  trace: RunTrace
  /** The lesson's title, or its id where the lesson is unknown. */
  title: string
  /** Parameters and settings in a line: `iterations=200 · GIL on`. */
  settings: string
  verdict: string
  cores: number
}

/** The parameters and the GIL, as the player's bar and the pictures say them. */
export function runSettings(record: Pick<RunRecord, 'params' | 'options'>): string {
  const params = Object.entries(record.params).map(([k, v]) => `${k}=${v}`)
  return [...params, `GIL ${record.options.gil ? 'on' : 'off'}`].join(' · ')
}

/** The whole of a recorded run, whatever the playhead of the views shows. */
export function timelineRunOf(recording: Recording, lesson: ScenarioSummary | null): TimelineRun {
  const { record } = recording
  const replay = new Replay(record)
  return {
    trace: replay.seek(replay.durationUs),
    title: lesson?.title ?? record.scenario,
    settings: `${runSettings(record)} · ${record.machine.cores} cores · ${record.startedAt.slice(0, 10)}`,
    verdict: recording.verdict,
    cores: record.machine.cores,
  }
}

/** The light theme of styles.css: a picture is for slides and paper, whatever the app's theme. */
const COLOURS = {
  background: '#ffffff',
  text: '#1b1f24',
  muted: '#4b5563',
  grid: 'rgba(17, 24, 39, 0.12)',
  cpu: '#334155',
  border: '#c3cad4',
}
const LANE_COLOURS: LaneColours = {
  lane: '#eef1f5',
  laneAlt: '#e4e8ee',
  laneHeader: '#d5dbe4',
  arrow: 'rgba(17, 24, 39, 0.6)',
  object: '#475569',
  text: COLOURS.text,
  cursor: '#111827',
}

/** Lanes grow to fill the picture, to at most this many times their height on screen. */
const MAX_LANE_GROWTH = 2.5

/** The picture: `size.windowUs` (or the whole run) at `size.widthPx` x `size.heightPx`. */
export function timelineSvg(run: TimelineRun, size: Omit<ImageSize, 'scale'>): string {
  const { trace } = run
  const W = size.widthPx
  const H = size.heightPx
  // Sizes are for 1920 x 1080 on a projector, and scale with the picture.
  const u = Math.max(0.75, Math.min(4, W / 1920, H / 1080))
  const font = (px: number, weight = 400): PaintFont => ({ sizePx: Math.round(px * u), weight })
  const F = {
    title: font(36, 700),
    body: font(22),
    legend: font(20),
    tick: font(19),
    thread: font(20, 600),
    process: font(19, 700),
    small: font(15),
    object: font(16, 600),
  }
  const pad = Math.round(24 * u)
  const p = new SvgPainter()
  const [startUs, endUs] = size.windowUs ?? runWindow(trace.firstUs, trace.lastUs)

  const y = legend(p, run, pad, heading(p, run, pad, W - 2 * pad, F) + 10 * u, W - pad, F.legend, u) + 8 * u

  // Lanes grouped by process, labels on the left; the axis above them, the cores under them.
  const processes = trace.laneProcesses()
  const natural = layoutLanes(processes)
  const labelPx = labelWidth(p, trace, natural.lanes, F, u, W)
  const plotW = W - labelPx - pad
  const scale = makeTimeScale(startUs, endUs, 0, plotW)
  const axisH = Math.round(line(F.tick) + 10 * u)
  const axisBottom = y + axisH
  const lanesTop = axisBottom + 4 * u

  const cores = Math.max(1, run.cores)
  const cpuRowPx = Math.max(6, Math.min(Math.round(28 * u), Math.floor((150 * u) / cores)))
  const cpuGap = Math.round(12 * u)
  const lanesRoom = H - pad - lanesTop - cpuGap - cores * cpuRowPx
  const growth =
    natural.heightPx > 0 ? Math.max(0.2, Math.min(MAX_LANE_GROWTH * u, lanesRoom / natural.heightPx)) : 1
  const heights: LaneHeights = {
    process: LANE_HEIGHTS.process * growth,
    thread: LANE_HEIGHTS.thread * growth,
    object: LANE_HEIGHTS.object * growth,
    gap: LANE_HEIGHTS.gap * growth,
  }
  const layout = layoutLanes(processes, heights)
  const lanesH = Math.max(layout.heightPx, line(F.body))

  const ticks = scaleLinear()
    .domain([startUs, endUs])
    .ticks(Math.max(2, Math.floor(plotW / (150 * u))))
  axis(p, ticks, (t) => labelPx + timeToPx(scale, t), formatTick, endUs - startUs, {
    left: labelPx,
    right: labelPx + plotW,
    bottom: axisBottom,
    font: F.tick,
    u,
  })
  const corner = fitText(p, 'time since start', F.small, labelPx - 10 * u - pad) || 'time'
  p.text(corner, labelPx - 10 * u, axisBottom - line(F.small) / 2, {
    font: F.small,
    fill: COLOURS.muted,
    anchor: 'end',
  })

  p.raw(`<g class="lane-labels">`)
  for (const lane of layout.lanes) laneLabel(p, run.trace, lane, lanesTop, labelPx, pad, F, u)
  p.raw('</g>')

  p.raw(
    `<g class="lanes" transform="translate(${num(labelPx)} ${num(lanesTop)})" clip-path="url(#lanes-clip)">`,
  )
  if (!layout.lanes.length) {
    p.text('Nothing ran in this window.', 0, line(F.body) / 2, { font: F.body, fill: COLOURS.muted })
  }
  paintLanes(
    p,
    { widthPx: plotW, heightPx: layout.heightPx, scale, colours: LANE_COLOURS, objectFont: F.object },
    layout,
    trace,
    null,
  )
  p.lines(
    ticks.flatMap((t) => [timeToPx(scale, t), 0, timeToPx(scale, t), lanesH]),
    COLOURS.grid,
    1,
  )
  p.raw('</g>')

  const cpuTop = lanesTop + lanesH + cpuGap
  cpuLabels(p, cores, cpuRowPx, cpuTop, labelPx, F.small, u)
  p.raw(`<g class="cpu" transform="translate(${num(labelPx)} ${num(cpuTop)})">`)
  paintCpu(
    p,
    {
      widthPx: plotW,
      rowPx: cpuRowPx,
      cores,
      scale,
      colours: {
        row: LANE_COLOURS.lane,
        rowAlt: LANE_COLOURS.laneAlt,
        fill: COLOURS.cpu,
        grid: COLOURS.border,
      },
    },
    trace.cpu,
  )
  p.raw('</g>')

  const description = `${run.settings}. ${run.verdict} From ${formatDuration(startUs)} to ${formatDuration(endUs)} after the run started.`
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT_FAMILY}">`,
    `<title>${escapeXml(run.title)}</title>`,
    `<desc>${escapeXml(description)}</desc>`,
    '<defs>',
    stateDefs(),
    `<clipPath id="lanes-clip"><rect width="${num(plotW)}" height="${num(lanesH)}"/></clipPath>`,
    '</defs>',
    `<rect width="${W}" height="${H}" fill="${COLOURS.background}"/>`,
    p.toString(),
    '</svg>',
    '',
  ].join('\n')
}

/** The title, the settings and the verdict, from the top left; returns the y under them. */
function heading(
  p: SvgPainter,
  run: TimelineRun,
  pad: number,
  room: number,
  F: { title: PaintFont; body: PaintFont },
): number {
  let y = pad
  const say = (text: string, font: PaintFont, fill: string): void => {
    p.text(text, pad, y + line(font) / 2, { font, fill })
    y += line(font)
  }
  say(fitText(p, run.title, F.title, room), F.title, COLOURS.text)
  say(fitText(p, run.settings, F.body, room), F.body, COLOURS.muted)
  for (const text of wrapText(p, run.verdict, F.body, room, 2)) say(text, F.body, COLOURS.text)
  return y
}

/** `text` in at most `maxLines` lines of at most `room` pixels, the last cut short if need be. */
function wrapText(p: SvgPainter, text: string, font: PaintFont, room: number, maxLines: number): string[] {
  const lines: string[] = []
  let current = ''
  const words = text.split(/\s+/).filter(Boolean)
  for (let i = 0; i < words.length; i++) {
    const next = current ? `${current} ${words[i]}` : words[i]
    if (p.textWidth(next, font) <= room || !current) {
      current = next
      continue
    }
    if (lines.length === maxLines - 1) {
      current = `${current} ${words.slice(i).join(' ')}`
      break
    }
    lines.push(current)
    current = words[i]
  }
  if (current) lines.push(fitText(p, current, font, room))
  return lines
}

/** Each state's colour and hatch, and the marks, in rows; returns the y under the last row. */
function legend(
  p: SvgPainter,
  run: TimelineRun,
  left: number,
  top: number,
  right: number,
  font: PaintFont,
  u: number,
): number {
  const sw = Math.round(30 * u)
  const sh = Math.round(20 * u)
  const rowH = Math.max(sh, line(font)) + 6 * u
  type Item = { label: string; swatch: (x: number, y: number) => void }
  const items: Item[] = DRAWN_STATES.map((state) => ({
    label: STATE_STYLES[state].label,
    swatch: (x, y) => p.rect(x, y, sw, sh, stateFillRef(state)),
  }))
  items.push({
    label: 'causes',
    swatch: (x, y) => {
      const [x0, y0, x1, y1] = [x + 3, y + sh - 4, x + sw - 3, y + 4]
      p.lines([x0, y0, x1, y1], LANE_COLOURS.arrow, 2)
      p.polygons([arrowHead(x0, y0, x1, y1)], LANE_COLOURS.arrow)
      p.dots([x0, y0], 2.5, LANE_COLOURS.arrow)
    },
  })
  if (run.trace.prints.length) {
    items.push({
      label: 'print',
      swatch: (x, y) => {
        p.rect(x, y, sw, sh, LANE_COLOURS.lane)
        p.polygons([printGlyph(x + sw / 2 - 5, y + sh)], LANE_COLOURS.text)
      },
    })
  }
  if (run.trace.laneObjects().length) {
    items.push({
      label: 'waiters on an object',
      swatch: (x, y) => {
        p.rect(x, y, sw, sh, LANE_COLOURS.lane)
        p.rect(x, y + 1, sw, 4, STATE_STYLES.blocked.colour)
        p.rect(x, y + sh / 2, sw, sh / 2, LANE_COLOURS.object, 0.7)
      },
    })
  }
  p.raw('<g class="legend">')
  let x = left
  let y = top
  for (const item of items) {
    const w = sw + 8 * u + p.textWidth(item.label, font)
    if (x > left && x + w > right) {
      x = left
      y += rowH
    }
    item.swatch(x, y + (rowH - sh) / 2)
    p.text(item.label, x + sw + 8 * u, y + rowH / 2, { font, fill: COLOURS.text })
    x += w + 24 * u
  }
  p.raw('</g>')
  return y + rowH
}

function line(font: PaintFont): number {
  return font.sizePx * 1.3
}

/** What a lane's label says: its name, and under it a thread's CPU time and target or an object's kind. */
function laneTexts(trace: RunTrace, lane: Lane): { name: string; detail: string } {
  if (lane.kind === 'process') return { name: lane.label, detail: '' }
  if (lane.kind === 'object') {
    const object = lane.objectKey === null ? undefined : trace.objects.get(lane.objectKey)
    return { name: lane.label, detail: object ? objectKindLabel(object) : '' }
  }
  const { name, target } = splitThreadName(lane.label)
  const thread = lane.threadKey === null ? undefined : trace.threads.get(lane.threadKey)
  const cpu = thread?.cpuSampleUs.length ? `CPU ${formatDuration(thread.cpuUs)}` : ''
  return { name, detail: [cpu, target].filter(Boolean).join(' · ') }
}

/** Wide enough for the longest label, within reason: a long one is cut short rather than squeeze the lanes. */
function labelWidth(
  p: SvgPainter,
  trace: RunTrace,
  lanes: readonly Lane[],
  F: { thread: PaintFont; process: PaintFont; small: PaintFont },
  u: number,
  W: number,
): number {
  let widest = 0
  for (const lane of lanes) {
    const { name, detail } = laneTexts(trace, lane)
    widest = Math.max(
      widest,
      p.textWidth(name, lane.kind === 'process' ? F.process : F.thread),
      p.textWidth(detail, F.small),
    )
  }
  return Math.round(Math.max(180 * u, Math.min(W * 0.28, widest + 36 * u)))
}

/** A lane's name in the column on the left: processes flush left, their threads and objects under them flush right. */
function laneLabel(
  p: SvgPainter,
  trace: RunTrace,
  lane: Lane,
  lanesTop: number,
  labelPx: number,
  pad: number,
  F: { thread: PaintFont; process: PaintFont; small: PaintFont },
  u: number,
): void {
  const mid = lanesTop + lane.y + lane.height / 2
  const right = labelPx - 10 * u
  const room = right - pad
  const shrink = (f: PaintFont, share: number): PaintFont => ({
    ...f,
    sizePx: Math.max(7, Math.min(f.sizePx, Math.floor(lane.height * share))),
  })
  if (lane.kind === 'process') {
    const f = shrink(F.process, 0.75)
    p.text(fitText(p, lane.label, f, room), pad, mid, { font: f, fill: COLOURS.muted })
    return
  }
  const { name, detail } = laneTexts(trace, lane)
  const f = shrink(lane.kind === 'thread' ? F.thread : { ...F.thread, weight: 400 }, 0.6)
  const small = shrink(F.small, 0.35)
  const twoLines = detail && lane.height >= line(f) + line(small)
  const nameY = twoLines ? mid - line(small) / 2 : mid
  p.text(fitText(p, name, f, room), right, nameY, { font: f, fill: COLOURS.text, anchor: 'end' })
  if (twoLines) {
    p.text(fitText(p, detail, small, room), right, nameY + (line(f) + line(small)) / 2, {
      font: small,
      fill: COLOURS.muted,
      anchor: 'end',
    })
  }
}

function axis(
  p: SvgPainter,
  ticks: readonly number[],
  x: (tUs: number) => number,
  format: (tUs: number, spanUs: number) => string,
  spanUs: number,
  at: { left: number; right: number; bottom: number; font: PaintFont; u: number },
): void {
  const tickPx = 6 * at.u
  p.raw('<g class="axis">')
  p.lines(
    [
      at.left,
      at.bottom,
      at.right,
      at.bottom,
      ...ticks.flatMap((t) => [x(t), at.bottom - tickPx, x(t), at.bottom]),
    ],
    COLOURS.muted,
    Math.max(1, at.u),
  )
  for (const t of ticks) {
    p.text(format(t, spanUs), x(t), at.bottom - tickPx - line(at.font) / 2, {
      font: at.font,
      fill: COLOURS.text,
      anchor: 'middle',
    })
  }
  p.raw('</g>')
}

function cpuLabels(
  p: SvgPainter,
  cores: number,
  rowPx: number,
  top: number,
  labelPx: number,
  font: PaintFont,
  u: number,
): void {
  const right = labelPx - 10 * u
  if (rowPx >= 12) {
    const f = { ...font, sizePx: Math.min(font.sizePx, Math.floor(rowPx * 0.8)) }
    for (let c = 0; c < cores; c++) {
      p.text(`CPU ${c}`, right, top + c * rowPx + rowPx / 2, { font: f, fill: COLOURS.muted, anchor: 'end' })
    }
  } else {
    p.text(`CPU, ${cores} cores`, right, top + (cores * rowPx) / 2, {
      font,
      fill: COLOURS.muted,
      anchor: 'end',
    })
  }
}
