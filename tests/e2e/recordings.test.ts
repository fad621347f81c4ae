/**
 * A run kept and reopened in the page: Save downloads a recording, Open (or a drop) shows it again in
 * the same views without running anything, and it plays back. A damaged file is refused in words.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRecordingFile } from '../../src/engine/recordingFile'
import { CHROMIUM, hasChromium, openBrowserMode, runProcesses, waitFor, type BrowserMode } from './support'

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) process.stderr.write(`SKIPPED recording tests: no Chromium at ${CHROMIUM}\n`)

describeInChromium('recordings in the page', () => {
  let app: BrowserMode
  const dir = mkdtempSync(join(tmpdir(), 'interleave-e2e-'))

  beforeAll(async () => {
    app = await openBrowserMode()
  })

  afterAll(async () => {
    await app?.close()
  })

  it('saves a run, opens it again in the same views, and plays it back', async () => {
    const { page } = app
    await page.locator('[data-scenario="race-counter"]').click()
    await page.locator('#param-iterations').fill('200')
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.locator('.outcome-verdict').waitFor({ timeout: 90_000 })
    const outcome = await page.locator('[data-testid="outcome"]').innerText()
    // The labels carry CPU times, refreshed a moment after the last batch: read them once settled.
    await new Promise((r) => setTimeout(r, 500))
    const lanes = await page.locator('.timeline-label--thread').allInnerTexts()
    const shownEvents = Number(await page.locator('.timeline').getAttribute('data-events'))
    expect(shownEvents).toBeGreaterThan(100)

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save', exact: true }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^race-counter-.*\.interleave\.json\.gz$/)
    const path = join(dir, download.suggestedFilename())
    await download.saveAs(path)
    const saved = await readRecordingFile(path)
    // The file holds every event the page drew, and the run as the page said it.
    expect(saved.record.events).toHaveLength(shownEvents)
    expect(saved.record.scenario).toBe('race-counter')
    expect(saved.record.params.iterations).toBe(200)
    expect(outcome.replace(/\s+/g, ' ')).toContain(saved.verdict)

    // A fresh page opens it: the same lanes, events and outcome, and no run is started.
    await page.reload()
    await page.locator('[data-scenario="race-counter"]').waitFor()
    // The hosts alive now (the server keeps a couple ready between runs), once they have settled.
    let hosts: string[] = []
    await waitFor('the hosts to settle', async () => {
      const a = runProcesses()
      await new Promise((r) => setTimeout(r, 700))
      hosts = runProcesses()
      return a.join() === hosts.join()
    })
    await page.locator('[data-testid="open-recording"]').setInputFiles(path)
    await page.getByRole('region', { name: 'Recording' }).waitFor()
    await waitFor('the recording’s outcome', async () =>
      (await page.locator('[data-testid="outcome"]').innerText()).includes(saved.verdict),
    )
    await waitFor(
      'the same lanes',
      async () =>
        (await page.locator('.timeline-label--thread').allInnerTexts()).join('|') === lanes.join('|'),
      10_000,
    )
    await waitFor(
      'every event drawn',
      async () => Number(await page.locator('.timeline').getAttribute('data-events')) === shownEvents,
    )
    // Nothing ran: no host was taken or started.
    expect(runProcesses()).toEqual(hosts)

    // Play from the start: the playhead moves, and the view shows only what had happened by then.
    // At a tenth of real time: at 1x this short run plays through between two looks (it did in CI).
    await page.locator('.replay-speed select').selectOption('0.1')
    await page.getByRole('button', { name: 'Play' }).click()
    const scrubber = page.getByRole('slider', { name: 'Playhead' })
    await waitFor('the playhead to move', async () => {
      const at = Number(await scrubber.inputValue())
      const drawn = Number(await page.locator('.timeline').getAttribute('data-events'))
      return at > 0 && drawn < shownEvents
    })
    // The replay bar's Pause (the run controls have one for live runs).
    await page.locator('.replay').getByRole('button', { name: 'Pause' }).click()
    const paused = await scrubber.inputValue()
    await new Promise((r) => setTimeout(r, 300))
    expect(await scrubber.inputValue()).toBe(paused)
    // Scrub to the end: the whole run again.
    await scrubber.fill(String(await scrubber.getAttribute('max')))
    await waitFor(
      'the whole run',
      async () => Number(await page.locator('.timeline').getAttribute('data-events')) === shownEvents,
    )
    // The page remembers it: after a reload, Recent opens it again without the file.
    await page.reload()
    await page.locator('[data-scenario="race-counter"]').waitFor()
    await page.getByRole('button', { name: 'Recent' }).click()
    await page
      .getByRole('menuitem', { name: new RegExp(download.suggestedFilename().replace(/\./g, '\\.')) })
      .click()
    await page.getByRole('region', { name: 'Recording' }).waitFor()
    await waitFor(
      'every event drawn from the recent list',
      async () => Number(await page.locator('.timeline').getAttribute('data-events')) === shownEvents,
    )
    expect(app.pageErrors).toEqual([])
  })

  it('refuses a damaged file with a message, and keeps what was on screen', async () => {
    const { page } = app
    const bad = join(dir, 'damaged.interleave.json')
    writeFileSync(bad, '{"format": "interleave-recording", "version": 1, "record": {"events": "lots"}}')
    await page.locator('[data-testid="open-recording"]').setInputFiles(bad)
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.innerText()).toMatch(/damaged\.interleave\.json: This recording is damaged/)
    await expect(page.locator('.timeline-label--thread').count()).resolves.toBeGreaterThan(0)
  })
})
