/** Per-core CPU use under the lanes, on the same time scale: one row per core, an area of 0-100 %. */
import type { CpuSample } from '../../../shared/trace'
import { timeToPx, type TimeScale } from './timeScale'

export interface CpuRenderContext {
  ctx: CanvasRenderingContext2D
  widthPx: number
  rowPx: number
  cores: number
  scale: TimeScale
  colours: { row: string; rowAlt: string; fill: string; grid: string }
}

/** Each sample covers the time since the one before it (the first, since the run started). */
export function drawCpu(rc: CpuRenderContext, samples: readonly CpuSample[]): number {
  const { ctx, widthPx, rowPx, cores, scale, colours } = rc
  ctx.clearRect(0, 0, widthPx, rowPx * cores)
  for (let c = 0; c < cores; c++) {
    ctx.fillStyle = c % 2 ? colours.rowAlt : colours.row
    ctx.fillRect(0, c * rowPx, widthPx, rowPx)
    ctx.fillStyle = colours.grid
    ctx.fillRect(0, c * rowPx + rowPx / 2, widthPx, 1)
  }
  let drawn = 0
  ctx.fillStyle = colours.fill
  let prevUs = 0
  for (const sample of samples) {
    const startUs = prevUs
    prevUs = sample.tUs
    if (sample.tUs < scale.startUs || startUs > scale.endUs) continue
    const x0 = Math.max(0, timeToPx(scale, startUs))
    const x1 = Math.min(widthPx, timeToPx(scale, sample.tUs))
    if (x1 <= x0) continue
    for (let c = 0; c < Math.min(cores, sample.corePct.length); c++) {
      const h = ((rowPx - 3) * Math.max(0, Math.min(100, sample.corePct[c]))) / 100
      ctx.fillRect(x0, (c + 1) * rowPx - 1 - h, Math.max(1, x1 - x0), h)
    }
    drawn++
  }
  return drawn
}
