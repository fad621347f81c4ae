import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MenuItemConstructorOptions } from 'electron'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { IPC, type RecordingFile } from '../shared/protocol'
import { app, BrowserWindow, fake } from '../../tests/fakes/electron'
import { handleRecordings } from './index'
import { RECENT_MAX, RecentRecordings, readRecordingForPage, recordingPathsIn } from './recordings'

// The catalogue is not needed here; index.ts imports it for IPC.
vi.mock('../scenarios/catalog', () => ({ scenarios: [], findScenario: () => undefined }))

const dir = mkdtempSync(join(tmpdir(), 'interleave-main-recordings-'))
const recording = join(dir, 'lesson.interleave.json')
writeFileSync(recording, '{"format":"interleave-recording"}')

function fileMenu(): MenuItemConstructorOptions[] {
  const file = fake.menu?.template.find((item) => item.role === 'fileMenu')
  return (file?.submenu ?? []) as MenuItemConstructorOptions[]
}

function item(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = items.find((i) => i.label === label)
  if (!found) throw new Error(`no menu item '${label}' in ${items.map((i) => i.label ?? i.role).join(', ')}`)
  return found
}

function opened(): RecordingFile[] {
  return fake.windows.flatMap((w) =>
    w.webContents.sent.filter((m) => m.channel === IPC.recordingOpen).map((m) => m.args[0] as RecordingFile),
  )
}

describe('recordings in the desktop app', () => {
  beforeEach(() => {
    fake.reset()
    // Each test's handleRecordings listens on the one app: only the newest may answer.
    app.removeAllListeners('second-instance')
    app.removeAllListeners('browser-window-created')
  })

  it('finds recordings among the command line’s arguments', () => {
    expect(
      recordingPathsIn([
        '--inspect',
        'out/main/index.js',
        'a.interleave.json',
        'b.INTERLEAVE.JSON.GZ',
        'c.json',
      ]),
    ).toEqual(['a.interleave.json', 'b.INTERLEAVE.JSON.GZ'])
  })

  it('reads a file for the page, or says why it cannot', () => {
    const ok = readRecordingForPage(recording)
    expect(ok.name).toBe('lesson.interleave.json')
    expect(new TextDecoder().decode(ok.bytes)).toBe('{"format":"interleave-recording"}')
    expect(readRecordingForPage(join(dir, 'gone.interleave.json')).error).toMatch(/no such file/)
    expect(readRecordingForPage(recording, 10).error).toMatch(/more than Interleave opens/)
  })

  it('keeps the recent list newest first, without repeats, within its size, across starts', () => {
    const file = join(dir, 'recent.json')
    const recent = new RecentRecordings(file)
    for (let i = 0; i < RECENT_MAX + 3; i++) recent.add(`/r/${i}.interleave.json`)
    recent.add('/r/5.interleave.json')
    expect(recent.list()[0]).toBe('/r/5.interleave.json')
    expect(recent.list()).toHaveLength(RECENT_MAX)
    expect(new Set(recent.list()).size).toBe(RECENT_MAX)
    expect(new RecentRecordings(file).list()).toEqual(recent.list())
    writeFileSync(file, '{not json')
    expect(new RecentRecordings(file).list()).toEqual([])
    writeFileSync(file, '[1, "/ok.interleave.json", null]')
    expect(new RecentRecordings(file).list()).toEqual(['/ok.interleave.json'])
  })

  it('opens a recording named on the command line once the page has loaded', () => {
    const recent = new RecentRecordings(join(dir, 'recent-cli.json'))
    handleRecordings(recent, ['app', recording])
    // No window yet: nothing is sent until one has loaded its page.
    expect(opened()).toEqual([])
    const window = new BrowserWindow({})
    expect(opened()).toEqual([])
    window.webContents.emit('did-finish-load')
    expect(opened()).toHaveLength(1)
    expect(opened()[0].name).toBe('lesson.interleave.json')
    expect(recent.list()).toEqual([recording])
    // It is now in Open Recent.
    const recentItems = item(fileMenu(), 'Open Recent').submenu as MenuItemConstructorOptions[]
    expect(recentItems[0]).toMatchObject({ label: 'lesson.interleave.json', toolTip: recording })
  })

  it('opens a recording a second launch was given in the running app, and brings its window forward', () => {
    const recent = new RecentRecordings(join(dir, 'recent-second.json'))
    handleRecordings(recent, ['app'])
    const window = new BrowserWindow({})
    window.webContents.emit('did-finish-load')
    window.minimize()
    app.emit('second-instance', {}, ['/opt/Interleave/interleave', '--no-sandbox', recording], '/home')
    expect(opened()).toHaveLength(1)
    expect(opened()[0].name).toBe('lesson.interleave.json')
    expect(window.isMinimized()).toBe(false)
    expect(window.focused).toBe(true)
    // A second launch with no recording only brings the window forward.
    app.emit('second-instance', {}, ['/opt/Interleave/interleave'], '/home')
    expect(opened()).toHaveLength(1)
  })

  it('opens one chosen from File > Open Recording…, and does nothing on Cancel', async () => {
    const recent = new RecentRecordings(join(dir, 'recent-menu.json'))
    handleRecordings(recent, [])
    const window = new BrowserWindow({})
    window.webContents.emit('did-finish-load')
    const open = item(fileMenu(), 'Open Recording…')
    expect(open.accelerator).toBe('CmdOrCtrl+O')
    ;(open.click as () => void)()
    await vi.waitFor(() => expect(fake.openDialogs).toHaveLength(1))
    expect(opened()).toEqual([])
    fake.openDialogAnswer = join(dir, 'missing.interleave.json')
    ;(open.click as () => void)()
    await vi.waitFor(() => expect(opened()).toHaveLength(1))
    // A file that cannot be read reaches the page as an error to show, and stays out of the recent list.
    expect(opened()[0]).toMatchObject({
      name: 'missing.interleave.json',
      error: expect.stringMatching(/no such file/),
    })
    expect(recent.list()).toEqual([])
    // A readable one joins Open Recent, which opens it again.
    fake.openDialogAnswer = recording
    ;(open.click as () => void)()
    await vi.waitFor(() => expect(opened()).toHaveLength(2))
    expect(recent.list()).toEqual([recording])
    ;(
      item(item(fileMenu(), 'Open Recent').submenu as MenuItemConstructorOptions[], 'lesson.interleave.json')
        .click as () => void
    )()
    expect(opened()).toHaveLength(3)
    // Clear Recent empties the list and the menu.
    ;(
      item(item(fileMenu(), 'Open Recent').submenu as MenuItemConstructorOptions[], 'Clear Recent')
        .click as () => void
    )()
    expect(recent.list()).toEqual([])
    expect(JSON.parse(readFileSync(join(dir, 'recent-menu.json'), 'utf8'))).toEqual([])
    expect(item(fileMenu(), 'Open Recent').submenu).toEqual([
      { label: 'No recent recordings', enabled: false },
    ])
  })
})
