/**
 * Draws the lanes from a render context, synchronously: slices with level of detail, operation
 * ticks, objects' states, causal arrows and the cursor. Fed data, no state of its own.
 */
import { lastAtOrBeforeBy, type ObjectTrack, type RunTrace, type ThreadTrack } from '../trace/runTrace'
import { laneMidY, type LaneLayout } from './laneLayout'
import {
  isOwnedKind,
  objectCapacity,
  objectSegments,
  objectStateText,
  type ObjectSegment,
} from './objectSegments'
import { printMarks } from './printMarks'
import { sliceRects } from './sliceRects'
import { STATE_STYLES, stateFill } from './statePalette'
import { timeToPx, type TimeScale } from './timeScale'

export interface LaneColours {
  lane: string
  laneAlt: string
  laneHeader: string
  arrow: string
  object: string
  text: string
  cursor: string
}

export interface RenderContext {
  ctx: CanvasRenderingContext2D
  dpr: number
  widthPx: number
  heightPx: number
  scale: TimeScale
  colours: LaneColours
}

/** Insets of a slice inside its lane, so that neighbouring lanes stay apart. */
const SLICE_INSET_PX = 5
/** Operation ticks are drawn while at most this many are in view per pixel of width. */
const TICKS_PER_PX = 0.25
/** Print markers closer than this to the previous one are left out: thousands stay cheap. */
const PRINT_GAP_PX = 7
/** The strip along an object's lane while threads wait on it. */
const WAIT_STRIP_PX = 4
const OBJECT_FONT = '600 14px system-ui, sans-serif'
/** Words are not squeezed narrower than this; shorter runs go without. */
const MIN_TEXT_PX = 40

export interface DrawStats {
  arrows: number
  rects: number
}

export function drawLanes(
  rc: RenderContext,
  layout: LaneLayout,
  trace: RunTrace,
  cursorUs: number | null,
): DrawStats {
  const { ctx, widthPx, heightPx, colours } = rc
  ctx.clearRect(0, 0, widthPx, heightPx)
  const stats: DrawStats = { arrows: 0, rects: 0 }
  let alt = false
  for (const lane of layout.lanes) {
    if (lane.kind === 'process') {
      ctx.fillStyle = colours.laneHeader
      ctx.fillRect(0, lane.y, widthPx, lane.height)
      drawLifetime(rc, trace, lane.pid, lane.y, lane.height)
      alt = false
      continue
    }
    ctx.fillStyle = alt ? colours.laneAlt : colours.lane
    alt = !alt
    ctx.fillRect(0, lane.y, widthPx, lane.height)
    if (lane.threadKey !== null) {
      const thread = trace.threads.get(lane.threadKey)
      if (thread) stats.rects += drawThread(rc, thread, lane.y, lane.height, trace.lastUs)
    } else if (lane.objectKey !== null) {
      const object = trace.objects.get(lane.objectKey)
      if (object) drawObject(rc, object, lane.y, lane.height, trace)
    }
  }
  stats.arrows = drawArrows(rc, layout, trace)
  if (cursorUs !== null) {
    const x = timeToPx(rc.scale, cursorUs)
    ctx.fillStyle = colours.cursor
    ctx.fillRect(Math.round(x) - 1, 0, 2, heightPx)
  }
  return stats
}

/** The OS process's life, as a bar along its header lane. */
function drawLifetime(rc: RenderContext, trace: RunTrace, pid: number, y: number, height: number): void {
  const info = trace.processes.get(pid)
  if (!info) return
  const { ctx, scale } = rc
  const x0 = Math.max(scale.leftPx, timeToPx(scale, info.startUs))
  const x1 = Math.min(scale.rightPx, timeToPx(scale, info.endUs ?? trace.lastUs))
  if (x1 <= x0) return
  ctx.fillStyle = rc.colours.object
  ctx.fillRect(x0, y + height / 2 - 3, x1 - x0, 6)
}

function drawThread(
  rc: RenderContext,
  thread: ThreadTrack,
  y: number,
  height: number,
  nowUs: number,
): number {
  const { ctx, scale, dpr } = rc
  const rects = sliceRects(thread.slices, scale, nowUs)
  const top = y + SLICE_INSET_PX
  const h = height - 2 * SLICE_INSET_PX
  for (const r of rects) {
    ctx.fillStyle = stateFill(ctx, r.state === 'finished' ? 'running' : r.state, dpr)
    ctx.fillRect(r.x0, top, Math.max(1, r.x1 - r.x0), h)
  }
  // Operation ticks, once zoomed in far enough to tell them apart.
  const first = lastAtOrBeforeBy(thread.ops, scale.startUs, (o) => o.tUs) + 1
  let last = first
  while (last < thread.ops.length && thread.ops[last].tUs <= scale.endUs) last++
  if (last - first > 0 && last - first <= rc.widthPx * TICKS_PER_PX) {
    ctx.fillStyle = rc.colours.text
    for (let i = first; i < last; i++) {
      const x = timeToPx(scale, thread.ops[i].tUs)
      ctx.fillRect(Math.round(x) - 1, y + 1, 2, SLICE_INSET_PX + 4)
    }
  }
  drawPrints(rc, thread, y + height)
  return rects.length
}

/** A speech bubble at the foot of the lane where the thread printed, its tail at the time. */
function drawPrints(rc: RenderContext, thread: ThreadTrack, bottom: number): void {
  const xs = printMarks(thread.prints, rc.scale, PRINT_GAP_PX)
  if (!xs.length) return
  const { ctx, colours } = rc
  ctx.fillStyle = colours.text
  ctx.strokeStyle = colours.lane
  ctx.lineWidth = 1.5
  ctx.beginPath()
  for (const x of xs) printGlyph(ctx, x, bottom)
  ctx.stroke()
  ctx.fill()
}

/** A speech bubble 10 px wide whose tail comes down to `bottom - 1` at `x`. */
export function printGlyph(ctx: CanvasRenderingContext2D | Path2D, x: number, bottom: number): void {
  const base = bottom - 5
  ctx.moveTo(x, bottom - 1)
  ctx.lineTo(x, base - 7)
  ctx.lineTo(x + 10, base - 7)
  ctx.lineTo(x + 10, base)
  ctx.lineTo(x + 5, base)
  ctx.closePath()
}

/**
 * An object's lane: its level as bars (owned, depth, set, arrived) against its capacity, its state
 * in words where there is room, and a strip over the times threads waited on it.
 */
function drawObject(
  rc: RenderContext,
  object: ObjectTrack,
  y: number,
  height: number,
  trace: RunTrace,
): void {
  const { ctx, scale, colours } = rc
  const top = y + WAIT_STRIP_PX + 1
  const h = height - WAIT_STRIP_PX - 4
  const capacity = objectCapacity(object)
  const maxLevel = Math.max(1, object.maxLevel, capacity)
  const owned = isOwnedKind(object.kind)
  const segments = objectSegments(object, trace.waitsOn(object.key), scale.startUs, scale.endUs, trace.lastUs)

  ctx.fillStyle = colours.object
  ctx.globalAlpha = 0.7
  // Level of detail: segments that share a pixel column draw as one column at their highest level.
  let column = NaN
  let columnLevel = 0
  const flush = (): void => {
    if (!Number.isNaN(column) && columnLevel > 0) {
      const barH = Math.max(2, (h * columnLevel) / maxLevel)
      ctx.fillRect(column, top + h - barH, 1, barH)
    }
    column = NaN
    columnLevel = 0
  }
  const spans: { x0: number; x1: number; segment: ObjectSegment }[] = []
  for (const segment of segments) {
    const x0 = Math.max(scale.leftPx, timeToPx(scale, segment.startUs))
    const x1 = Math.min(scale.rightPx, timeToPx(scale, segment.endUs))
    if (x1 <= x0) continue
    spans.push({ x0, x1, segment })
    const level = segment.level ?? 0
    if (x1 - x0 < 1) {
      const col = Math.floor(x0)
      if (col !== column) flush()
      column = col
      columnLevel = Math.max(columnLevel, level)
      continue
    }
    flush()
    if (level <= 0) continue
    const barH = Math.max(2, (h * level) / maxLevel)
    ctx.fillRect(x0, top + h - barH, x1 - x0, barH)
  }
  flush()
  ctx.globalAlpha = 1

  // The capacity: a bounded queue's maxsize, a barrier's parties.
  if (capacity > 0) {
    const capY = Math.round(top + h - (h * capacity) / maxLevel) + 0.5
    ctx.strokeStyle = colours.text
    ctx.lineWidth = 1
    ctx.setLineDash([4, 3])
    ctx.beginPath()
    ctx.moveTo(0, capY)
    ctx.lineTo(rc.widthPx, capY)
    ctx.stroke()
    ctx.setLineDash([])
  }

  // Who waits on it: a strip along the top of the lane, merged where it is unbroken.
  ctx.fillStyle = STATE_STYLES.blocked.colour
  let stripX0 = NaN
  let stripX1 = NaN
  for (const { x0, x1, segment } of spans) {
    if (!segment.waiting.length) continue
    if (x0 - stripX1 > 0.5) {
      ctx.fillRect(stripX0, y + 1, Math.max(1, stripX1 - stripX0), WAIT_STRIP_PX)
      stripX0 = x0
    } else if (Number.isNaN(stripX0)) stripX0 = x0
    stripX1 = x1
  }
  if (!Number.isNaN(stripX0)) ctx.fillRect(stripX0, y + 1, Math.max(1, stripX1 - stripX0), WAIT_STRIP_PX)

  // The state in words, over runs of the same words wide enough to hold them.
  ctx.font = OBJECT_FONT
  ctx.textBaseline = 'middle'
  const name = (key: number): string => trace.shortThreadLabel(key)
  let run: { x0: number; x1: number; text: string; full: boolean } | null = null
  const write = (): void => {
    if (!run || !run.text) return
    const room = run.x1 - run.x0 - 8
    const text = fitText(ctx, run.text, room)
    if (!text) return
    const x = run.x0 + 4
    const textY = top + h / 2
    // A halo keeps the words legible over the bars and the lane alike: light on an owner's full
    // bar, as dark as the text elsewhere.
    const onBar = owned && run.full
    ctx.strokeStyle = onBar ? '#1f2937' : colours.lane
    ctx.lineWidth = 3
    ctx.lineJoin = 'round'
    ctx.strokeText(text, x, textY)
    ctx.fillStyle = onBar ? '#ffffff' : colours.text
    ctx.fillText(text, x, textY)
  }
  for (const { x0, x1, segment } of spans) {
    const text = objectStateText(object, segment, name)
    const full = (segment.level ?? 0) > 0
    if (run && run.text === text && x0 - run.x1 <= 0.5) {
      run.x1 = x1
      continue
    }
    write()
    run = { x0, x1, text, full }
  }
  write()
}

/** `text` if it fits in `room`, else cut short with an ellipsis, else '' when too little would show. */
function fitText(ctx: CanvasRenderingContext2D, text: string, room: number): string {
  if (ctx.measureText(text).width <= room) return text
  if (room < MIN_TEXT_PX) return ''
  let end = text.length - 1
  while (end > 1 && ctx.measureText(`${text.slice(0, end)}…`).width > room) end--
  return end > 1 ? `${text.slice(0, end)}…` : ''
}

/** Past this many arrows in view, heads and dots are left out: the lines alone stay readable. */
const ARROW_HEADS_MAX = 400

function drawArrows(rc: RenderContext, layout: LaneLayout, trace: RunTrace): number {
  const { ctx, scale, colours, widthPx } = rc
  const visible: [number, number, number, number][] = []
  for (const link of trace.links) {
    if (link.toUs < scale.startUs) continue
    const cause = trace.causeOf(link)
    if (!cause || cause.threadKey === link.toKey || cause.tUs > scale.endUs) continue
    const from = layout.byThread.get(cause.threadKey)
    const to = layout.byThread.get(link.toKey)
    if (!from || !to) continue
    const x0 = timeToPx(scale, cause.tUs)
    const x1 = timeToPx(scale, link.toUs)
    if ((x0 < 0 && x1 < 0) || (x0 > widthPx && x1 > widthPx)) continue
    visible.push([x0, laneMidY(from), x1, laneMidY(to)])
  }
  ctx.strokeStyle = colours.arrow
  ctx.fillStyle = colours.arrow
  ctx.lineWidth = visible.length > ARROW_HEADS_MAX ? 1 : 1.5
  ctx.beginPath()
  for (const [x0, y0, x1, y1] of visible) {
    ctx.moveTo(x0, y0)
    ctx.lineTo(x1, y1)
  }
  ctx.stroke()
  if (visible.length <= ARROW_HEADS_MAX) {
    for (const [x0, y0, x1, y1] of visible) {
      drawHead(ctx, x0, y0, x1, y1)
      ctx.beginPath()
      ctx.arc(x0, y0, 2.5, 0, Math.PI * 2)
      ctx.fill()
    }
  }
  return visible.length
}

function drawHead(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  const angle = Math.atan2(y1 - y0, x1 - x0)
  const size = 9
  ctx.beginPath()
  ctx.moveTo(x1, y1)
  ctx.lineTo(x1 - size * Math.cos(angle - 0.45), y1 - size * Math.sin(angle - 0.45))
  ctx.lineTo(x1 - size * Math.cos(angle + 0.45), y1 - size * Math.sin(angle + 0.45))
  ctx.closePath()
  ctx.fill()
}
