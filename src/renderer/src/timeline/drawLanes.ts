/**
 * Draws the lanes from a render context, synchronously: slices with level of detail, operation
 * ticks, objects' states, causal arrows and the cursor. Fed data, no state of its own.
 */
import type { ObjectKind } from '../../../shared/trace'
import { lastAtOrBeforeBy, type ObjectTrack, type RunTrace, type ThreadTrack } from '../trace/runTrace'
import { firstOpAtOrAfter, objectLevel } from './objectLevel'
import { laneMidY, type LaneLayout } from './laneLayout'
import { sliceRects } from './sliceRects'
import { stateFill } from './statePalette'
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
  const first = firstOpAtOrAfter(thread.ops, scale.startUs)
  let last = first
  while (last < thread.ops.length && thread.ops[last].tUs <= scale.endUs) last++
  if (last - first > 0 && last - first <= rc.widthPx * TICKS_PER_PX) {
    ctx.fillStyle = rc.colours.text
    for (let i = first; i < last; i++) {
      const x = timeToPx(scale, thread.ops[i].tUs)
      ctx.fillRect(Math.round(x) - 1, y + 1, 2, SLICE_INSET_PX + 4)
    }
  }
  return rects.length
}

const OWNED: ReadonlySet<ObjectKind> = new Set([
  'lock',
  'rlock',
  'condition',
  'mp-lock',
  'mp-rlock',
  'mp-condition',
])

function drawObject(
  rc: RenderContext,
  object: ObjectTrack,
  y: number,
  height: number,
  trace: RunTrace,
): void {
  const { ctx, scale, colours } = rc
  const top = y + 4
  const h = height - 8
  const steps = object.steps
  const maxLevel = Math.max(1, object.maxLevel, OWNED.has(object.kind) ? 0 : object.size)
  ctx.font = '600 14px system-ui, sans-serif'
  ctx.textBaseline = 'middle'
  ctx.fillStyle = colours.object
  ctx.globalAlpha = 0.7
  const labels: { x: number; width: number; owner: number }[] = []
  // Level of detail: steps that share a pixel column draw as one column at their highest level.
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
  const first = Math.max(
    0,
    lastAtOrBeforeBy(steps, scale.startUs, (s) => s.startUs),
  )
  let level: number | null = first > 0 ? objectLevelBefore(object, first) : null
  for (let i = first; i < steps.length && steps[i].startUs <= scale.endUs; i++) {
    const next = objectLevel(object.kind, steps[i].after)
    if (next !== null) level = next
    if (!level) continue
    const endUs = i + 1 < steps.length ? steps[i + 1].startUs : trace.lastUs
    const x0 = Math.max(scale.leftPx, timeToPx(scale, steps[i].startUs))
    const x1 = Math.min(scale.rightPx, timeToPx(scale, endUs))
    if (x1 <= x0) continue
    if (x1 - x0 < 1) {
      const col = Math.floor(x0)
      if (col !== column) flush()
      column = col
      columnLevel = Math.max(columnLevel, level)
      continue
    }
    flush()
    const barH = Math.max(2, (h * level) / maxLevel)
    ctx.fillRect(x0, top + h - barH, x1 - x0, barH)
    const owner = steps[i].after.owner
    if (OWNED.has(object.kind) && owner !== null && owner !== undefined && x1 - x0 > 90) {
      labels.push({ x: x0, width: x1 - x0, owner })
    }
  }
  flush()
  ctx.globalAlpha = 1
  ctx.fillStyle = '#ffffff'
  for (const label of labels) {
    ctx.fillText(trace.threadLabel(label.owner), label.x + 4, top + h / 2, label.width - 8)
  }
}

/** The level an object had before step `index`: from the latest step that set one. */
function objectLevelBefore(object: ObjectTrack, index: number): number | null {
  for (let i = index - 1; i >= 0; i--) {
    const level = objectLevel(object.kind, object.steps[i].after)
    if (level !== null) return level
  }
  return null
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
