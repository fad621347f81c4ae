/**
 * The HTML player: `interleave export --format html` makes one file that replays the run from
 * file:// in Chromium with the network off, in the app's views.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, interleave, waitFor } from './support'

const describeInChromium = hasChromium ? describe : describe.skip

describeInChromium('the HTML player', () => {
  const dir = mkdtempSync(join(tmpdir(), 'interleave-player-'))
  let browser: Browser
  let html = ''

  beforeAll(async () => {
    const recording = join(dir, 'bb.interleave.json.gz')
    const run = await interleave(
      'run',
      'bounded-buffer',
      '-p',
      'duration=1',
      '--out',
      recording,
      '--export',
      'html',
    )
    expect(run.code, run.stderr).toBe(0)
    html = join(dir, 'bb.html')
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('is one file that allows its own script and no connection', () => {
    const text = readFileSync(html, 'utf8')
    expect(text).toMatch(/Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'/)
    expect(text).toContain("connect-src 'none'")
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href="[^d]/)
  })

  it('replays the run from file:// with the network off', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, offline: true })
    const requests: string[] = []
    const page = await context.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url())
    })
    await page.goto(pathToFileURL(html).href)
    await page.getByRole('heading', { name: 'Producers and consumers on a bounded queue' }).waitFor()
    await waitFor('lanes', async () => (await page.locator('.timeline-label--thread').count()) >= 5)
    expect(await page.locator('[data-testid="outcome"]').innerText()).toMatch(/exactly once/)
    const events = Number(await page.locator('.timeline').getAttribute('data-events'))
    expect(events).toBeGreaterThan(100)
    // Play from the start: fewer events drawn, then more.
    await page.getByRole('button', { name: 'Play' }).click()
    await waitFor('the replay to begin', async () => {
      const drawn = Number(await page.locator('.timeline').getAttribute('data-events'))
      return drawn > 0 && drawn < events
    })
    await page.getByRole('button', { name: 'Pause' }).click()
    expect(await page.getByRole('button', { name: 'Run' }).count()).toBe(0)
    expect(requests).toEqual([])
    expect(errors).toEqual([])
    await context.close()
  })
})
