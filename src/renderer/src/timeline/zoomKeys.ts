import { zoomIdentity, type Selection, type ZoomBehavior } from 'd3'

/**
 * The timeline's keys, the same wherever lanes are drawn: + and − zoom by half as much again, the
 * arrows pan by 15 % of the plot's width, 0 or Home show the whole run. Says whether `key` was one.
 */
export function zoomByKey(
  zoomer: ZoomBehavior<HTMLDivElement, unknown>,
  sel: Selection<HTMLDivElement, unknown, null, undefined>,
  key: string,
  widthPx: number,
  scaleK: number,
): boolean {
  const panPx = (widthPx * 0.15) / scaleK
  switch (key) {
    case '+':
    case '=':
      zoomer.scaleBy(sel, 1.5)
      return true
    case '-':
    case '_':
      zoomer.scaleBy(sel, 1 / 1.5)
      return true
    case 'ArrowLeft':
      zoomer.translateBy(sel, panPx, 0)
      return true
    case 'ArrowRight':
      zoomer.translateBy(sel, -panPx, 0)
      return true
    case '0':
    case 'Home':
      zoomer.transform(sel, zoomIdentity)
      return true
    default:
      return false
  }
}
