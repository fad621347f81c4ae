import { Menu, shell, type MenuItemConstructorOptions } from 'electron'

const PYTHON_CONCURRENCY_DOCS = 'https://docs.python.org/3/library/concurrency.html'

/**
 * The application menu. Reload and the developer tools are for development only: in the app a
 * reload would only stop the page's runs.
 */
export function buildMenu(dev: boolean, platform: NodeJS.Platform = process.platform): Menu {
  const mac = platform === 'darwin'
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
    // Quit (on macOS, Close Window: Quit is in the app menu there).
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu', submenu: view },
    { role: 'windowMenu' },
    { role: 'help', submenu: help },
  ]
  return Menu.buildFromTemplate(template)
}
