/**
 * The Export menu in the page: a run of race-counter exported as a Perfetto trace, an SVG of the
 * whole run, a PNG of the current view and the HTML player, whose `window.interleaveExport` draws
 * the same pictures from file:// for a command line. A long PNG export can be cancelled.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Download, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkChromeTrace } from '../../src/shared/export/traceFormat'
import { CHROMIUM, hasChromium, openBrowserMode, videoFacts, type BrowserMode } from './support'

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) process.stderr.write(`SKIPPED export tests: no Chromium at ${CHROMIUM}\n`)

/** The player's `window.interleaveExport` (src/renderer/src/player/exportApi.ts), as seen from here. */
interface PlayerExport {
  svg(options: object): string
  png(options: object): Promise<string>
}
type PlayerWindow = { interleaveExport?: PlayerExport }

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]

/** A PNG's size from its IHDR chunk, after checking the signature. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  expect(new TextDecoder().decode(bytes.subarray(12, 16))).toBe('IHDR')
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

describeInChromium('exports from the page', () => {
  let app: BrowserMode
  let title = ''
  const dir = mkdtempSync(join(tmpdir(), 'interleave-exports-'))

  /** Clicks `item` in the Export menu; resolves to the file it downloads, saved in `dir`. */
  async function download(
    page: Page,
    act: () => Promise<void>,
  ): Promise<{ download: Download; path: string }> {
    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), act()])
    const path = join(dir, file.suggestedFilename())
    await file.saveAs(path)
    return { download: file, path }
  }

  async function chooseExport(page: Page, item: string): Promise<void> {
    await page.getByRole('button', { name: 'Export', exact: true }).click()
    await page.getByRole('menuitem', { name: item }).click()
  }

  async function fillImageDialog(
    page: Page,
    format: 'SVG' | 'PNG',
    choice: { view: 'The current view' | 'The whole run'; width: number; height: number; scale?: string },
  ): Promise<void> {
    const dialog = page.getByRole('dialog', { name: `Export the timeline as ${format}` })
    await dialog.waitFor()
    await dialog.getByLabel(choice.view).check()
    await dialog.getByLabel('Width').fill(String(choice.width))
    await dialog.getByLabel('Height').fill(String(choice.height))
    if (choice.scale) await dialog.getByLabel(choice.scale).check()
  }

  beforeAll(async () => {
    app = await openBrowserMode()
    const { page } = app
    await page.locator('[data-scenario="race-counter"]').click()
    await page.locator('#param-iterations').fill('200')
    // Nothing to export before a run has ended.
    expect(await page.getByRole('button', { name: 'Export', exact: true }).isDisabled()).toBe(true)
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.locator('.outcome-verdict').waitFor({ timeout: 90_000 })
    title = (await page.locator('#lesson-title').innerText()).trim()
  })

  afterAll(async () => {
    await app?.close()
  })

  it('exports a Perfetto trace that keeps the format’s rules', async () => {
    const { page } = app
    const { download: file, path } = await download(page, () => chooseExport(page, 'Perfetto trace (.json)'))
    expect(file.suggestedFilename()).toMatch(/^race-counter-[\dT-]+\.perfetto\.json$/)
    const trace = JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: unknown[] }
    expect(checkChromeTrace(trace)).toEqual([])
    expect(trace.traceEvents.length).toBeGreaterThan(100)
  })

  it('exports a video of the replay that Chromium plays, with progress by frames', async () => {
    const { page } = app
    await chooseExport(page, 'Video of the replay (.webm)…')
    const dialog = page.getByRole('dialog', { name: 'Export a video of the replay' })
    await dialog.waitFor()
    await dialog.getByLabel('Width').fill('640')
    await dialog.getByLabel('Height').fill('360')
    await dialog.getByLabel('Frames per second').fill('10')
    await dialog.getByLabel('Speed').selectOption('0.5')
    const { download: file, path } = await download(page, async () => {
      await dialog.getByRole('button', { name: 'Export video' }).click()
      await expect
        .poll(
          async () =>
            (await page
              .locator('.export-status')
              .innerText()
              .catch(() => '')) ?? '',
        )
        .toMatch(/Exporting video: frame \d+ of \d+/)
    })
    expect(file.suggestedFilename()).toMatch(/^race-counter-[\dT-]+\.webm$/)
    const video = await app.browser.newPage()
    try {
      const meta = await videoFacts(video, path)
      expect(meta).toMatchObject({ width: 640, height: 360 })
      expect(meta.duration).toBeGreaterThan(0.2)
    } finally {
      await video.close()
    }
  })

  it('exports the whole run as SVG, from the keyboard', async () => {
    const { page } = app
    // The menu by keys: the first item, down to the third (SVG), Enter.
    await page.getByRole('button', { name: 'Export', exact: true }).focus()
    await page.keyboard.press('ArrowDown')
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent?.trim()'))
      .toBe('Perfetto trace (.json)')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await fillImageDialog(page, 'SVG', { view: 'The whole run', width: 1920, height: 1080 })
    const { download: file, path } = await download(page, () =>
      page.getByRole('button', { name: 'Export SVG' }).click(),
    )
    expect(file.suggestedFilename()).toMatch(/^race-counter-[\dT-]+\.svg$/)
    const svg = readFileSync(path, 'utf8')
    expect(
      svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
    ).toBe(true)
    expect(svg).toContain('width="1920" height="1080"')
    expect(svg).toContain('>MainThread</text>')
    expect(svg).toContain(`<title>${title}</title>`)
    expect(svg).toContain('<pattern id="state-gil-wait"')
    expect(svg).toContain('data-state="running"')
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
  })

  it('exports the current view as PNG at 1280 x 720', async () => {
    const { page } = app
    // Zoom in: the current view is now part of the run.
    await page.locator('.timeline-plot').focus()
    await page.keyboard.press('+')
    await page.keyboard.press('+')
    await chooseExport(page, 'PNG picture…')
    await fillImageDialog(page, 'PNG', { view: 'The current view', width: 1280, height: 720, scale: '1x' })
    const { download: file, path } = await download(page, () =>
      page.getByRole('button', { name: 'Export PNG' }).click(),
    )
    expect(file.suggestedFilename()).toMatch(/^race-counter-[\dT-]+\.png$/)
    expect(pngSize(readFileSync(path))).toEqual({ width: 1280, height: 720 })
  })

  it('refuses a PNG larger than a canvas holds, in words, and exports nothing', async () => {
    const { page } = app
    await chooseExport(page, 'PNG picture…')
    await fillImageDialog(page, 'PNG', { view: 'The whole run', width: 12_000, height: 10_000, scale: '2x' })
    const dialog = page.getByRole('dialog', { name: 'Export the timeline as PNG' })
    await dialog.getByRole('button', { name: 'Export PNG' }).click()
    await expect
      .poll(() => dialog.getByRole('alert').innerText())
      .toMatch(/^A PNG of 12000 x 10000 at 2x is 24000 x 20000 pixels, more than a canvas can hold/)
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => dialog.isVisible()).toBe(false)
  })

  it('exports the HTML player, which draws the same pictures for a command line', async () => {
    const { page, browser } = app
    const { download: file, path } = await download(page, () => chooseExport(page, 'HTML player (.html)'))
    expect(file.suggestedFilename()).toMatch(/^race-counter-[\dT-]+\.html$/)
    expect(readFileSync(path, 'utf8')).toContain('id="interleave-recording"')

    // The player from file://, offline, as a command line would drive it in headless Chromium.
    const context = await browser.newContext({ offline: true, viewport: { width: 1280, height: 720 } })
    const player = await context.newPage()
    const errors: string[] = []
    player.on('pageerror', (e) => errors.push(e.message))
    await player.goto(pathToFileURL(path).href)
    await player.waitForFunction('window.interleaveExport !== undefined', undefined, { timeout: 30_000 })
    const svg = await player.evaluate(
      (options) => (globalThis as PlayerWindow).interleaveExport?.svg(options),
      { view: 'run', widthPx: 1280, heightPx: 720 },
    )
    expect(svg).toContain('viewBox="0 0 1280 720"')
    expect(svg).toContain('>MainThread</text>')
    expect(svg).toContain(`<title>${title}</title>`)
    const png = await player.evaluate(
      (options) => (globalThis as PlayerWindow).interleaveExport?.png(options),
      { view: 'current', widthPx: 800, heightPx: 600, scale: 2 },
    )
    expect(pngSize(Buffer.from(png ?? '', 'base64'))).toEqual({ width: 1600, height: 1200 })
    await expect(
      player.evaluate(() => (globalThis as PlayerWindow).interleaveExport?.svg({ widthPx: 10 })),
    ).rejects.toThrow(/width must be from 480 to 16384 pixels, not 10/)
    expect(errors).toEqual([])
    await context.close()
  })

  it('cancels a PNG export: no file, and it says so', async () => {
    const { page } = app
    const downloads: string[] = []
    page.on('download', (d) => downloads.push(d.suggestedFilename()))
    // Time stands still in the page: the export waits at its first step until the clock moves, so
    // Cancel is pressed while it works, every time.
    await page.clock.install()
    await page.clock.pauseAt(Date.now() + 60_000)
    await chooseExport(page, 'PNG picture…')
    await fillImageDialog(page, 'PNG', { view: 'The whole run', width: 4000, height: 3000, scale: '2x' })
    await page.getByRole('button', { name: 'Export PNG' }).click()
    const status = page.getByRole('status').filter({ hasText: 'Exporting PNG' })
    await expect.poll(() => status.innerText()).toMatch(/^Exporting PNG: reading the run…/)
    await status.getByRole('button', { name: 'Cancel' }).click()
    await page.clock.resume()
    await page.getByRole('status').filter({ hasText: 'PNG export cancelled.' }).waitFor()
    expect(await page.getByRole('button', { name: 'Cancel' }).count()).toBe(0)
    expect(downloads).toEqual([])
    expect(app.pageErrors).toEqual([])
  })
})
