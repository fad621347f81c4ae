import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { BrowserWindow, Rectangle } from 'electron'

/** Where the window was, as saved: its bounds when neither maximised nor full screen, and whether it was maximised. */
export interface WindowState {
  bounds: Rectangle
  maximized: boolean
}

/** How much of a window must lie on one display for it to count as on screen: enough to grab and drag it. */
const MIN_VISIBLE_PX = { width: 100, height: 50 }

/**
 * The saved state, or null when there is none, the file is corrupt, or the window would be off
 * every display (a monitor unplugged since): the caller then uses its defaults.
 */
export function readWindowState(file: string, workAreas: readonly Rectangle[]): WindowState | null {
  let saved: unknown
  try {
    saved = JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
  const state = asWindowState(saved)
  if (!state || !workAreas.some((area) => visibleOn(state.bounds, area))) return null
  return state
}

export function writeWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true })
  // Written aside, then renamed over the old file: a crash mid-write never leaves half a file.
  const aside = `${file}.tmp`
  writeFileSync(aside, `${JSON.stringify(state)}\n`)
  renameSync(aside, file)
}

/**
 * Saves the window's state to `file` while it is moved, resized or maximised (once it has been
 * still for `delayMs`), and when it closes.
 */
export function rememberWindowState(window: BrowserWindow, file: string, delayMs = 500): void {
  let timer: NodeJS.Timeout | undefined
  const save = (): void => {
    clearTimeout(timer)
    timer = undefined
    if (window.isDestroyed()) return
    try {
      writeWindowState(file, { bounds: window.getNormalBounds(), maximized: window.isMaximized() })
    } catch (e) {
      // Not remembering where the window was is no reason to stop the app.
      console.warn(`interleave: could not save the window's place to ${file}: ${(e as Error).message}`)
    }
  }
  const saveSoon = (): void => {
    clearTimeout(timer)
    timer = setTimeout(save, delayMs)
  }
  window.on('resize', saveSoon)
  window.on('move', saveSoon)
  window.on('maximize', saveSoon)
  window.on('unmaximize', saveSoon)
  window.on('close', save)
}

function asWindowState(value: unknown): WindowState | null {
  if (typeof value !== 'object' || value === null) return null
  const { bounds, maximized } = value as Record<string, unknown>
  if (typeof maximized !== 'boolean' || typeof bounds !== 'object' || bounds === null) return null
  const { x, y, width, height } = bounds as Record<string, unknown>
  const whole = [x, y, width, height].every((n) => typeof n === 'number' && Number.isSafeInteger(n))
  if (!whole || (width as number) <= 0 || (height as number) <= 0) return null
  return { bounds: { x, y, width, height } as Rectangle, maximized }
}

function visibleOn(window: Rectangle, area: Rectangle): boolean {
  const width = Math.min(window.x + window.width, area.x + area.width) - Math.max(window.x, area.x)
  const height = Math.min(window.y + window.height, area.y + area.height) - Math.max(window.y, area.y)
  return (
    width >= Math.min(MIN_VISIBLE_PX.width, window.width) &&
    height >= Math.min(MIN_VISIBLE_PX.height, window.height)
  )
}
