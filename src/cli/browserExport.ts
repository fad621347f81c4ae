/**
 * SVG, PNG and WebM from the command line: the run's HTML player opened in headless Chromium, which
 * draws and encodes them as the app does (window.interleaveExport). Needs Chromium
 * (`apt-get install chromium`, or CHROMIUM_PATH) and playwright-core (a dev dependency).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

export type BrowserFormat = 'svg' | 'png' | 'webm'

export interface BrowserExportOptions {
  widthPx?: number
  heightPx?: number
  /** PNG: pixels per CSS pixel. */
  scale?: number
  /** WebM: frames per second, and seconds of the run per second of video. */
  fps?: number
  speed?: number
}

export class BrowserExportError extends Error {
  override name = 'BrowserExportError'
}

/** The flags Chromium needs here: no sandbox (as root), no GPU, nothing fetched. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export async function exportInBrowser(
  playerHtml: string,
  format: BrowserFormat,
  options: BrowserExportOptions,
  progress: (line: string) => void,
): Promise<Buffer> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(executablePath)) {
    throw new BrowserExportError(
      `${format.toUpperCase()} is drawn in Chromium, and there is none at ${executablePath}: ` +
        'install it (apt-get install chromium) or set CHROMIUM_PATH',
    )
  }
  let chromium: typeof import('playwright-core').chromium
  try {
    ;({ chromium } = await import('playwright-core'))
  } catch {
    throw new BrowserExportError(`${format.toUpperCase()} needs playwright-core: run npm ci in the checkout`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'interleave-export-'))
  const file = join(dir, 'player.html')
  writeFileSync(file, playerHtml)
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    await page.goto(pathToFileURL(file).href)
    // Expressions in the page's own terms: this file is typed for Node, not the DOM.
    await page.waitForFunction('window.interleaveExport', null, { timeout: 60_000 }).catch(() => {
      throw new BrowserExportError(`the player did not start${errors.length ? `: ${errors.join('; ')}` : ''}`)
    })
    let polling: ReturnType<typeof setInterval> | null = null
    if (format === 'webm') {
      polling = setInterval(() => {
        page
          .evaluate<{ done: number; total: number } | null>('window.interleaveExportProgress ?? null')
          .then((p) => p && progress(`frame ${p.done} of ${p.total}`))
          .catch(() => {})
      }, 1000)
    }
    try {
      const result = await page.evaluate<string>(
        `window.interleaveExport.${format}(${JSON.stringify(options)})`,
      )
      return Buffer.from(result, format === 'svg' ? 'utf8' : 'base64')
    } catch (e) {
      // The page's own message (a size out of bounds, a video too long) is the one to show.
      const message = (e as Error).message.replace(/^page\.evaluate: (Error: )?/, '').split('\n')[0]
      throw new BrowserExportError(message)
    } finally {
      if (polling) clearInterval(polling)
    }
  } finally {
    await browser.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
