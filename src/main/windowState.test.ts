import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserWindow as ElectronWindow } from 'electron'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { BrowserWindow, fake } from '../../tests/fakes/electron'
import { readWindowState, rememberWindowState, writeWindowState, type WindowState } from './windowState'

const laptop = { x: 0, y: 0, width: 1440, height: 875 }
const rightMonitor = { x: 1440, y: 0, width: 2560, height: 1410 }

describe('window state', () => {
  let dir: string
  let file: string

  beforeEach(() => {
    fake.reset()
    dir = mkdtempSync(join(tmpdir(), 'interleave-window-state-'))
    file = join(dir, 'window-state.json')
  })
  afterEach(() => {
    vi.useRealTimers()
    rmSync(dir, { recursive: true, force: true })
  })

  const saved = (): WindowState => JSON.parse(readFileSync(file, 'utf8')) as WindowState

  it('reads back what it wrote, into a folder it makes if need be', () => {
    const state = { bounds: { x: 1500, y: 40, width: 1200, height: 800 }, maximized: true }
    const nested = join(dir, 'new', 'window-state.json')
    writeWindowState(nested, state)
    expect(readWindowState(nested, [laptop, rightMonitor])).toEqual(state)
    expect(existsSync(`${nested}.tmp`)).toBe(false)
  })

  it('is null when there is no file, or it is not a window state', () => {
    expect(readWindowState(file, [laptop])).toBeNull()
    for (const corrupt of [
      '',
      'not json',
      'null',
      '[]',
      '{"bounds": {"x": 0, "y": 0, "width": 800, "height": 600}}',
      '{"bounds": {"x": 0, "y": 0, "width": "800", "height": 600}, "maximized": false}',
      '{"bounds": {"x": 0, "y": 0, "width": 0, "height": 600}, "maximized": false}',
      '{"bounds": {"x": 0.5, "y": 0, "width": 800, "height": 600}, "maximized": false}',
    ]) {
      writeFileSync(file, corrupt)
      expect(readWindowState(file, [laptop]), corrupt).toBeNull()
    }
  })

  it('is null when the window would be off every display, and kept when enough of it shows', () => {
    const at = (x: number, y: number): WindowState => ({
      bounds: { x, y, width: 1000, height: 700 },
      maximized: false,
    })
    const check = (state: WindowState, areas = [laptop]) => {
      writeWindowState(file, state)
      return readWindowState(file, areas)
    }
    // On the monitor that has since been unplugged.
    expect(check(at(2000, 100))).toBeNull()
    expect(check(at(2000, 100), [laptop, rightMonitor])).toEqual(at(2000, 100))
    // Hanging off the left edge, but with its right side still on screen.
    expect(check(at(-800, 100))).toEqual(at(-800, 100))
    // Only a sliver showing: not enough to grab.
    expect(check(at(-990, 100))).toBeNull()
    expect(check(at(100, 860))).toBeNull()
  })

  it('saves once the window has been still for a moment, not on every resize', () => {
    vi.useFakeTimers()
    const window = new BrowserWindow({ width: 1000, height: 700, x: 10, y: 10 })
    rememberWindowState(window as unknown as ElectronWindow, file, 500)
    for (const width of [1010, 1020, 1030]) {
      window.bounds = { ...window.bounds, width }
      window.emit('resize')
      vi.advanceTimersByTime(200)
    }
    expect(existsSync(file)).toBe(false)
    vi.advanceTimersByTime(300)
    expect(saved()).toEqual({ bounds: { x: 10, y: 10, width: 1030, height: 700 }, maximized: false })

    window.bounds = { ...window.bounds, x: 300 }
    window.emit('move')
    window.maximize()
    vi.advanceTimersByTime(500)
    expect(saved()).toEqual({ bounds: { x: 300, y: 10, width: 1030, height: 700 }, maximized: true })
  })

  it('saves at once when the window closes, and not again after', () => {
    vi.useFakeTimers()
    const window = new BrowserWindow({ width: 1000, height: 700, x: 10, y: 10 })
    rememberWindowState(window as unknown as ElectronWindow, file, 500)
    window.bounds = { ...window.bounds, height: 720 }
    window.emit('resize')
    window.close()
    expect(saved().bounds.height).toBe(720)
    rmSync(file)
    vi.advanceTimersByTime(1000)
    expect(existsSync(file)).toBe(false)
  })
})
