/**
 * A recording of a million events, opened in the built page through its file input: the page says
 * how far it has got while it opens, then shows and draws every event. The time it took is printed
 * for people (the benchmark measures it; a timed assertion would flake on a shared machine).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recordingText } from '../../src/shared/recording'
import { MILLION_EVENTS, syntheticRecording } from '../support/syntheticRecording'
import { CHROMIUM, hasChromium, openBrowserMode, waitFor, type BrowserMode } from './support'

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) process.stderr.write(`SKIPPED large recording test: no Chromium at ${CHROMIUM}\n`)

const EVENTS = MILLION_EVENTS.events

describeInChromium('a million-event recording in the page', () => {
  let app: BrowserMode
  let path: string
  let version1Path: string

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-large-'))
    const recording = syntheticRecording(MILLION_EVENTS)
    // As the app saves one (version 2: the events as columns), and as version 1 wrote it (objects).
    path = join(dir, 'million.interleave.json.gz')
    writeFileSync(path, gzipSync(recordingText(recording)))
    version1Path = join(dir, 'million-v1.interleave.json.gz')
    writeFileSync(version1Path, gzipSync(JSON.stringify({ ...recording, version: 1 })))
    app = await openBrowserMode()
  })

  afterAll(async () => {
    await app?.close()
  })

  it('opens it with progress shown, and draws every event', async () => {
    const { page } = app
    // What the page says while it opens, and when it has drawn it all, as the page's clock has them.
    await page.evaluate(`(() => {
      const seen = (window.__opening = { said: [], changeAt: 0, drawnAt: 0 })
      document.querySelector('[data-testid="open-recording"]')
        .addEventListener('change', () => (seen.changeAt = performance.now()), { capture: true })
      new MutationObserver(() => {
        const status = document.querySelector('.files-status')?.textContent
        if (status && seen.said.at(-1) !== status) seen.said.push(status)
        const drawn = document.querySelector('.timeline')?.getAttribute('data-events')
        if (!seen.drawnAt && Number(drawn) === ${EVENTS}) seen.drawnAt = performance.now()
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true })
    })()`)
    await page.locator('[data-testid="open-recording"]').setInputFiles(path)
    await page.getByRole('region', { name: 'Recording' }).waitFor({ timeout: 120_000 })
    interface Seen {
      said: string[]
      changeAt: number
      drawnAt: number
    }
    const seen = (await page.evaluate('window.__opening')) as Seen
    await waitFor(
      'every event drawn',
      async () => Object.assign(seen, (await page.evaluate('window.__opening')) as Seen).drawnAt > 0,
      120_000,
    )
    expect(Number(await page.locator('.timeline').getAttribute('data-events'))).toBe(EVENTS)
    // The page painted its progress as it went: it was not frozen from the pick to the picture.
    const percents = seen.said.filter((s) => /^Opening million\.interleave\.json\.gz… \d+ %$/.test(s))
    expect(percents.length).toBeGreaterThan(2)
    expect(await page.getByRole('alert').count()).toBe(0)
    process.stdout.write(
      `opened ${EVENTS} events in ${Math.round(seen.drawnAt - seen.changeAt)} ms (file picked to every event drawn)\n`,
    )
    expect(app.pageErrors).toEqual([])
  })

  it('opens the same recording saved as version 1 (its events as objects), and draws every event', async () => {
    const { page } = app
    await page.reload()
    await page.locator('[data-testid="open-recording"]').waitFor({ state: 'attached' })
    await page.locator('[data-testid="open-recording"]').setInputFiles(version1Path)
    await waitFor(
      'every event of the version 1 file drawn',
      async () => Number(await page.locator('.timeline').getAttribute('data-events')) === EVENTS,
      120_000,
    )
    expect(await page.getByRole('alert').count()).toBe(0)
    expect(app.pageErrors).toEqual([])
  })
})
