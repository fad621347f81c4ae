import { basename } from 'node:path'
import { Menu, shell, type MenuItemConstructorOptions } from 'electron'

/** What the File menu does with recordings. */
export interface MenuFiles {
  open(): void
  /** Newest first. */
  recent: readonly string[]
  openRecent(path: string): void
  clearRecent(): void
}

const PYTHON_CONCURRENCY_DOCS = 'https://docs.python.org/3/library/concurrency.html'

/**
 * The application menu. Reload and the developer tools are for development only: in the app a
 * reload would only stop the page's runs.
 */
export function buildMenu(
  dev: boolean,
  platform: NodeJS.Platform = process.platform,
  files?: MenuFiles,
): Menu {
  const mac = platform === 'darwin'
  const recent: MenuItemConstructorOptions[] = files?.recent.length
    ? [
        ...files.recent.map((path) => ({
          label: basename(path),
          toolTip: path,
          click: () => files.openRecent(path),
        })),
        { type: 'separator' },
        { label: 'Clear Recent', click: () => files.clearRecent() },
      ]
    : [{ label: 'No recent recordings', enabled: false }]
  const file: MenuItemConstructorOptions[] = [
    ...(files
      ? ([
          { label: 'Open Recording…', accelerator: 'CmdOrCtrl+O', click: () => files.open() },
          { label: 'Open Recent', submenu: recent },
          { type: 'separator' },
        ] as const)
      : []),
    // Quit (on macOS, Close Window: Quit is in the app menu there).
    mac ? { role: 'close' } : { role: 'quit' },
  ]
  const view: MenuItemConstructorOptions[] = [
    ...(dev
      ? ([
          { role: 'reload' },
          { role: 'forceReload' },
          { role: 'toggleDevTools' },
          { type: 'separator' },
        ] as const)
      : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  const help: MenuItemConstructorOptions[] = [
    { label: "Python's Concurrency Docs", click: () => void shell.openExternal(PYTHON_CONCURRENCY_DOCS) },
    // On macOS, About is in the app menu.
    ...(mac ? [] : ([{ type: 'separator' }, { role: 'about' }] as const)),
  ]
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    { role: 'fileMenu', submenu: file },
    { role: 'editMenu' },
    { role: 'viewMenu', submenu: view },
    { role: 'windowMenu' },
    { role: 'help', submenu: help },
  ]
  return Menu.buildFromTemplate(template)
}
