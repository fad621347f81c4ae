/**
 * Draws the lanes from a render context, synchronously: slices with level of detail, operation
 * ticks, objects' states, causal arrows and the cursor. Fed data, no state of its own. The geometry
 * goes through a Painter, so that the SVG export draws the very same picture.
 */
import type { ObjectTrack, RunTrace, ThreadTrack } from '../trace/runTrace'
import { laneMidY, type LaneLayout } from './laneLayout'
import { linkIndexOf, type PlacedLink } from './linkIndex'
import { forEachObjectSegment, isOwnedKind, objectCapacity, objectStateText } from './objectSegments'
import { canvasPainter, fitText, type PaintFont, type Painter } from './painter'
import { levelIndexOf } from './levelIndex'
import { printMarks } from './printMarks'
import { sliceRects } from './sliceRects'
import { STATE_STYLES } from './statePalette'
import { pxToTime, timeToPx, type TimeScale } from './timeScale'
import { waitIndexOf } from './waitIndex'

export interface LaneColours {
  lane: string
  laneAlt: string
  laneHeader: string
  arrow: string
  object: string
  text: string
  cursor: string
}

/** The theme's lane colours, from the page's CSS variables (a computed style). */
export function laneColoursOf(style: { getPropertyValue(name: string): string }): LaneColours {
  const colour = (name: string): string => style.getPropertyValue(name).trim()
  return {
    lane: colour('--lane'),
    laneAlt: colour('--lane-alt'),
    laneHeader: colour('--lane-header'),
    arrow: colour('--arrow'),
    object: colour('--object'),
    text: colour('--text'),
    cursor: colour('--cursor'),
  }
}

/** What the lanes are drawn into, whatever draws them. */
export interface LaneFrame {
  widthPx: number
  heightPx: number
  scale: TimeScale
  colours: LaneColours
  /** The words on objects' lanes; 600 14px by default. */
  objectFont?: PaintFont
  /**
   * The band of the lanes in view, in the lanes' y, when only that shows (the timeline's canvas is
   * as tall as its view, the lanes scroll under it): lanes outside it are not drawn. All of them
   * without it (an export).
   */
  visibleY?: { top: number; bottom: number }
}

export interface RenderContext extends LaneFrame {
  ctx: CanvasRenderingContext2D
  dpr: number
}

/** Insets of a slice inside its lane, so that neighbouring lanes stay apart. */
const SLICE_INSET_PX = 5
/** Operation ticks are drawn while at most this many are in view per pixel of width. */
const TICKS_PER_PX = 0.25
/** Print markers closer than this to the previous one are left out: thousands stay cheap. */
const PRINT_GAP_PX = 7
/** The strip along an object's lane while threads wait on it. */
const WAIT_STRIP_PX = 4
const OBJECT_FONT: PaintFont = { sizePx: 14, weight: 600 }
/** Words are not squeezed narrower than this; shorter runs go without. */
const MIN_TEXT_PX = 40

export interface DrawStats {
  /** Causal arrows in view. */
  arrows: number
  /** Of those, the ones drawn: fewer once there are more than ARROW_LINES_MAX. */
  arrowsDrawn: number
  rects: number
}

/** The lanes on a canvas. */
export function drawLanes(
  rc: RenderContext,
  layout: LaneLayout,
  trace: RunTrace,
  cursorUs: number | null,
): DrawStats {
  const top = rc.visibleY?.top ?? 0
  rc.ctx.clearRect(0, top, rc.widthPx, (rc.visibleY?.bottom ?? rc.heightPx) - top)
  return paintLanes(canvasPainter(rc.ctx, rc.dpr), rc, layout, trace, cursorUs)
}

/** The lanes through any painter. */
export function paintLanes(
  p: Painter,
  rc: LaneFrame,
  layout: LaneLayout,
  trace: RunTrace,
  cursorUs: number | null,
): DrawStats {
  const { widthPx, heightPx, colours } = rc
  const stats: DrawStats = { arrows: 0, arrowsDrawn: 0, rects: 0 }
  let alt = false
  const top = rc.visibleY?.top ?? -Infinity
  const bottom = rc.visibleY?.bottom ?? Infinity
  for (const lane of layout.lanes) {
    // Out of view: only the banding goes on.
    if (lane.y >= bottom || lane.y + lane.height <= top) {
      alt = lane.kind === 'process' ? false : !alt
      continue
    }
    if (lane.kind === 'process') {
      p.rect(0, lane.y, widthPx, lane.height, colours.laneHeader)
      drawLifetime(p, rc, trace, lane.pid, lane.y, lane.height)
      alt = false
      continue
    }
    p.rect(0, lane.y, widthPx, lane.height, alt ? colours.laneAlt : colours.lane)
    alt = !alt
    if (lane.threadKey !== null) {
      const thread = trace.threads.get(lane.threadKey)
      if (thread) stats.rects += drawThread(p, rc, thread, lane.y, lane.height, trace.lastUs)
    } else if (lane.objectKey !== null) {
      const object = trace.objects.get(lane.objectKey)
      if (object) drawObject(p, rc, object, lane.y, lane.height, trace)
    }
  }
  const arrows = drawArrows(p, rc, layout, trace)
  stats.arrows = arrows.arrows
  stats.arrowsDrawn = arrows.drawn
  if (cursorUs !== null) {
    const x = timeToPx(rc.scale, cursorUs)
    const from = Math.max(0, top)
    p.rect(Math.round(x) - 1, from, 2, Math.min(heightPx, bottom) - from, colours.cursor)
  }
  return stats
}

/** The OS process's life, as a bar along its header lane. */
function drawLifetime(
  p: Painter,
  rc: LaneFrame,
  trace: RunTrace,
  pid: number,
  y: number,
  height: number,
): void {
  const info = trace.processes.get(pid)
  if (!info) return
  const { scale } = rc
  const x0 = Math.max(scale.leftPx, timeToPx(scale, info.startUs))
  const x1 = Math.min(scale.rightPx, timeToPx(scale, info.endUs ?? trace.lastUs))
  if (x1 <= x0) return
  p.rect(x0, y + height / 2 - 3, x1 - x0, 6, rc.colours.object)
}

function drawThread(
  p: Painter,
  rc: LaneFrame,
  thread: ThreadTrack,
  y: number,
  height: number,
  nowUs: number,
): number {
  const { scale } = rc
  const rects = sliceRects(thread.slices, scale, nowUs)
  const top = y + SLICE_INSET_PX
  const h = height - 2 * SLICE_INSET_PX
  for (const r of rects) {
    p.stateRect(r.x0, top, Math.max(1, r.x1 - r.x0), h, r.state === 'finished' ? 'running' : r.state)
  }
  // Operation ticks, once zoomed in far enough to tell them apart.
  const first = thread.ops.lastAtOrBefore(scale.startUs) + 1
  const last = thread.ops.lastAtOrBefore(scale.endUs) + 1
  if (last - first > 0 && last - first <= rc.widthPx * TICKS_PER_PX) {
    for (let i = first; i < last; i++) {
      const x = timeToPx(scale, thread.ops.tUs(i))
      p.rect(Math.round(x) - 1, y + 1, 2, SLICE_INSET_PX + 4, rc.colours.text)
    }
  }
  drawPrints(p, rc, thread, y + height)
  return rects.length
}

/** A speech bubble at the foot of the lane where the thread printed, its tail at the time. */
function drawPrints(p: Painter, rc: LaneFrame, thread: ThreadTrack, bottom: number): void {
  const xs = printMarks(thread.prints, rc.scale, PRINT_GAP_PX)
  if (!xs.length) return
  p.polygons(
    xs.map((x) => printGlyph(x, bottom)),
    rc.colours.text,
    { colour: rc.colours.lane, widthPx: 1.5 },
  )
}

/** A speech bubble 10 px wide whose tail comes down to `bottom - 1` at `x`: its corners, x y each. */
export function printGlyph(x: number, bottom: number): number[] {
  const base = bottom - 5
  return [x, bottom - 1, x, base - 7, x + 10, base - 7, x + 10, base, x + 5, base]
}

/**
 * An object's lane: its level as bars (owned, depth, set, arrived) against its capacity, its state
 * in words where there is room, and a strip over the times threads waited on it.
 */
function drawObject(
  p: Painter,
  rc: LaneFrame,
  object: ObjectTrack,
  y: number,
  height: number,
  trace: RunTrace,
): void {
  const { scale, colours } = rc
  const top = y + WAIT_STRIP_PX + 1
  const h = height - WAIT_STRIP_PX - 4
  const capacity = objectCapacity(object)
  const maxLevel = Math.max(1, object.maxLevel, capacity)
  const owned = isOwnedKind(object.kind)
  const font = rc.objectFont ?? OBJECT_FONT
  // Each thread's label once per lane: a long run seen whole has hundreds of thousands of states.
  const labels = new Map<number, string>()
  const name = (key: number): string => {
    let label = labels.get(key)
    if (label === undefined) labels.set(key, (label = trace.shortThreadLabel(key)))
    return label
  }

  // One pass over the segments, which are not kept (a long run seen whole has hundreds of
  // thousands): the bars are drawn as it goes; the wait strip and the words, which go on top, are
  // gathered (merged, they are few) and drawn after.
  const bar = (x: number, w: number, level: number): void => {
    const barH = Math.max(2, (h * level) / maxLevel)
    p.rect(x, top + h - barH, w, barH, colours.object, 0.7)
  }
  // Level of detail: segments that share a pixel column draw as one column at their highest level.
  let column = NaN
  let columnLevel = 0
  const flush = (): void => {
    if (!Number.isNaN(column) && columnLevel > 0) bar(column, 1, columnLevel)
    column = NaN
    columnLevel = 0
  }
  // Who waits on it: a strip along the top of the lane, merged where it is unbroken.
  const waits = trace.waitsOn(object.key)
  const strips: number[] = []
  let stripX0 = NaN
  let stripX1 = NaN
  // The state in words, over runs of the same words wide enough to hold them.
  const runs: { x0: number; x1: number; text: string; full: boolean }[] = []
  let run: { x0: number; x1: number; text: string; full: boolean } | null = null
  const keep = (): void => {
    // A run no wider than the words' padding holds none: not measured, since a long run seen whole
    // has hundreds of thousands of such runs, and measuring them took seconds.
    if (run && run.text && run.x1 - run.x0 - 8 > 0) runs.push(run)
  }
  const levels = levelIndexOf(object)
  const waitIndex = waitIndexOf(waits)
  const strip = (x0: number, x1: number): void => {
    if (x0 - stripX1 > 0.5) {
      strips.push(stripX0, stripX1)
      stripX0 = x0
    } else if (Number.isNaN(stripX0)) stripX0 = x0
    stripX1 = x1
  }
  forEachObjectSegment(object, waits, scale.startUs, scale.endUs, trace.lastUs, (segment) => {
    const x0 = Math.max(scale.leftPx, timeToPx(scale, segment.startUs))
    const x1 = Math.min(scale.rightPx, timeToPx(scale, segment.endUs))
    if (x1 <= x0) return
    const level = segment.level ?? 0
    if (x1 - x0 < 1) {
      const col = Math.floor(x0)
      if (col !== column) flush()
      column = col
      columnLevel = Math.max(columnLevel, level)
      // More changes inside this column: the rest of it at once, from the indices (its highest
      // level, anyone waiting), and so the columns after it while each holds a step; then on
      // from the first that does not. Words need more room than a column.
      let colEndUs = pxToTime(scale, col + 1)
      if (segment.endUs < colEndUs && colEndUs < scale.endUs) {
        columnLevel = Math.max(columnLevel, levels.maxDuring(segment.startUs, colEndUs) ?? 0)
        if (waitIndex.anyDuring(segment.startUs, colEndUs, trace.lastUs)) strip(x0, col + 1)
        keep()
        run = null
        for (let c = col + 1; c + 1 <= scale.rightPx; c++) {
          const fromUs = colEndUs
          const toUs = pxToTime(scale, c + 1)
          if (!levels.anyStepBetween(fromUs, toUs)) break
          flush()
          column = c
          columnLevel = levels.maxDuring(fromUs, toUs) ?? 0
          if (waitIndex.anyDuring(fromUs, toUs, trace.lastUs)) strip(c, c + 1)
          colEndUs = toUs
        }
        return colEndUs
      }
    } else {
      flush()
      if (level > 0) bar(x0, x1 - x0, level)
    }

    if (segment.waiting.length) strip(x0, x1)

    const text = objectStateText(object, segment, name)
    if (run && run.text === text && x0 - run.x1 <= 0.5) {
      run.x1 = x1
      return
    }
    keep()
    run = { x0, x1, text, full: level > 0 }
  })
  flush()
  if (!Number.isNaN(stripX0)) strips.push(stripX0, stripX1)
  keep()

  // The capacity: a bounded queue's maxsize, a barrier's parties.
  if (capacity > 0) {
    const capY = Math.round(top + h - (h * capacity) / maxLevel) + 0.5
    p.lines([0, capY, rc.widthPx, capY], colours.text, 1, [4, 3])
  }

  for (let i = 0; i < strips.length; i += 2) {
    p.rect(
      strips[i],
      y + 1,
      Math.max(1, strips[i + 1] - strips[i]),
      WAIT_STRIP_PX,
      STATE_STYLES.blocked.colour,
    )
  }

  for (const { x0, x1, text: words, full } of runs) {
    const text = fitText(p, words, font, x1 - x0 - 8, MIN_TEXT_PX)
    if (!text) continue
    // A halo keeps the words legible over the bars and the lane alike: light on an owner's full
    // bar, as dark as the text elsewhere.
    const onBar = owned && full
    p.text(text, x0 + 4, top + h / 2, {
      font,
      fill: onBar ? '#ffffff' : colours.text,
      halo: { colour: onBar ? '#1f2937' : colours.lane, widthPx: 3 },
    })
  }
}

/** Past this many arrows in view, heads and dots are left out: the lines alone stay readable. */
const ARROW_HEADS_MAX = 400
/**
 * Past this many arrows in view, only every so many of them is drawn (and the picture says so):
 * thousands of lines fill the lanes with ink that tells nothing more, and cost a frame each.
 */
export const ARROW_LINES_MAX = 500
const ARROW_NOTE_FONT: PaintFont = { sizePx: 12, weight: 600 }

function drawArrows(
  p: Painter,
  rc: LaneFrame,
  layout: LaneLayout,
  trace: RunTrace,
): { arrows: number; drawn: number } {
  const { scale, colours, widthPx } = rc
  const index = linkIndexOf(trace)
  const shows = (placed: PlacedLink): boolean =>
    layout.byThread.has(placed.fromKey) && layout.byThread.has(placed.toKey)
  // Counted from the index when every thread has its lane (as on screen); else one by one.
  let everyLane = true
  for (const key of trace.threads.keys()) everyLane &&= layout.byThread.has(key)
  let count = 0
  if (everyLane) count = index.countIn(scale.startUs, scale.endUs)
  else index.forEachIn(scale.startUs, scale.endUs, (placed) => void (count += shows(placed) ? 1 : 0))
  if (!count) return { arrows: 0, drawn: 0 }
  // Thinned by their place in the index, so the same arrows stay while the view pans.
  const every = Math.ceil(count / ARROW_LINES_MAX)
  const lines: number[] = []
  const top = rc.visibleY?.top ?? -Infinity
  const bottom = rc.visibleY?.bottom ?? Infinity
  let drawn = 0
  index.forEachIn(
    scale.startUs,
    scale.endUs,
    (placed) => {
      const from = layout.byThread.get(placed.fromKey)
      const to = layout.byThread.get(placed.toKey)
      // The stride keeps up to one more per class of length than the cap: those go.
      if (!from || !to || drawn >= ARROW_LINES_MAX) return
      const y0 = laneMidY(from)
      const y1 = laneMidY(to)
      // Drawn, though it does not show when it stays above or below the lanes in view.
      drawn++
      if ((y0 < top && y1 < top) || (y0 > bottom && y1 > bottom)) return
      lines.push(timeToPx(scale, placed.fromUs), y0, timeToPx(scale, placed.toUs), y1)
    },
    every,
  )
  const shown = lines.length / 4
  p.lines(lines, colours.arrow, drawn > ARROW_HEADS_MAX ? 1 : 1.5)
  if (shown && drawn <= ARROW_HEADS_MAX) {
    const heads: number[][] = []
    const tails: number[] = []
    for (let i = 0; i < lines.length; i += 4) {
      heads.push(arrowHead(lines[i], lines[i + 1], lines[i + 2], lines[i + 3]))
      tails.push(lines[i], lines[i + 1])
    }
    p.polygons(heads, colours.arrow)
    p.dots(tails, 2.5, colours.arrow)
  }
  if (every > 1) {
    // Said where it shows: at the top of the lanes in view, on the right, as much as fits.
    const words = `${drawn.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} arrows`
    const note = fitText(p, words, ARROW_NOTE_FONT, widthPx - 12, 0)
    p.text(note, widthPx - 6, Math.max(0, top) + 10, {
      font: ARROW_NOTE_FONT,
      fill: colours.text,
      halo: { colour: colours.lane, widthPx: 3 },
      anchor: 'end',
    })
  }
  return { arrows: count, drawn }
}

/** The head of an arrow from (x0, y0) to (x1, y1): a triangle's corners, x y each. */
export function arrowHead(x0: number, y0: number, x1: number, y1: number, size = 9): number[] {
  const angle = Math.atan2(y1 - y0, x1 - x0)
  return [
    x1,
    y1,
    x1 - size * Math.cos(angle - 0.45),
    y1 - size * Math.sin(angle - 0.45),
    x1 - size * Math.cos(angle + 0.45),
    y1 - size * Math.sin(angle + 0.45),
  ]
}
