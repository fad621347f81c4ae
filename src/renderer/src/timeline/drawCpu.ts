/** Per-core CPU use under the lanes, on the same time scale: one row per core, an area of 0-100 %. */
import type { CpuSample } from '../../../shared/trace'
import { canvasPainter, type Painter } from './painter'
import { timeToPx, type TimeScale } from './timeScale'

export interface CpuFrame {
  widthPx: number
  rowPx: number
  cores: number
  scale: TimeScale
  colours: { row: string; rowAlt: string; fill: string; grid: string }
}

export interface CpuRenderContext extends CpuFrame {
  ctx: CanvasRenderingContext2D
}

export function drawCpu(rc: CpuRenderContext, samples: readonly CpuSample[]): number {
  rc.ctx.clearRect(0, 0, rc.widthPx, rc.rowPx * rc.cores)
  return paintCpu(canvasPainter(rc.ctx, 1), rc, samples)
}

/** Each sample covers the time since the one before it (the first, since the run started). */
export function paintCpu(p: Painter, rc: CpuFrame, samples: readonly CpuSample[]): number {
  const { widthPx, rowPx, cores, scale, colours } = rc
  for (let c = 0; c < cores; c++) {
    p.rect(0, c * rowPx, widthPx, rowPx, c % 2 ? colours.rowAlt : colours.row)
    p.rect(0, c * rowPx + rowPx / 2, widthPx, 1, colours.grid)
  }
  let drawn = 0
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
      if (h > 0) p.rect(x0, (c + 1) * rowPx - 1 - h, Math.max(1, x1 - x0), h, colours.fill)
    }
    drawn++
  }
  return drawn
}
