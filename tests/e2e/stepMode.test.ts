/**
 * Step mode in a real browser (browser mode, Chromium): the teacher chooses who goes next, makes
 * race-counter lose an update on demand, and replays the recorded schedule on a fresh run, which
 * loses the same update. Also pause and resume of a live run. Needs `npm run build` first.
 */
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasChromium, openBrowserMode, screenshots, waitFor, type BrowserMode } from './support'

const READ = 18
const SLEEP = 19

interface Choice {
  id: string
  thread: string
  line: number
}

async function choices(page: Page): Promise<Choice[]> {
  return page.locator('.step-choice').evaluateAll((buttons) =>
    buttons.map((b) => ({
      id: b.id,
      thread: b.getAttribute('data-thread') ?? '',
      line: Number(b.getAttribute('data-line')),
    })),
  )
}

/** Both workers read (and yield) before either writes; MainThread starts and joins in between. */
function loseAnUpdate(options: Choice[]): Choice {
  const worker = (c: Choice): boolean => c.thread !== 'MainThread'
  return (
    options.find((c) => worker(c) && (c.line === READ || c.line === SLEEP)) ??
    options.find((c) => !worker(c)) ??
    options[0]
  )
}

const describeInChromium = hasChromium ? describe : describe.skip

describeInChromium('step mode and pause in Chromium', () => {
  let app: BrowserMode
  let page: Page

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    app = await openBrowserMode({ width: 1600, height: 900 })
    page = app.page
  })

  afterAll(async () => {
    await app?.close()
  })

  async function pickLesson(id: string, params: Record<string, string>): Promise<void> {
    const toggle = page.getByRole('button', { name: 'Lessons', exact: true })
    if (await toggle.isVisible()) await toggle.click()
    await page.locator(`[data-scenario="${id}"]`).click()
    for (const [name, value] of Object.entries(params)) {
      const field = page.locator(`#param-${name}`)
      if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value)
      else await field.fill(value)
    }
  }

  async function outcome(): Promise<string> {
    await page.locator('.outcome-verdict').waitFor({ timeout: 90_000 })
    return (await page.locator('[data-testid="outcome"]').innerText()).replace(/\s+/g, ' ')
  }

  it('loses an update in race-counter by the order the teacher chooses, then replays it', async () => {
    await pickLesson('race-counter', { threads: '2', iterations: '1', lock: 'off' })
    await page.locator('#option-step').check()
    await page.getByRole('button', { name: 'Run', exact: true }).click()

    let steps = 0
    let shot = false
    for (;;) {
      const state = await waitFor('the next choice or the end', async () => {
        if (await page.locator('.outcome-verdict').isVisible()) return 'ended'
        const text = await page
          .locator('#step-status')
          .textContent({ timeout: 100 })
          .catch(() => '')
        return text?.includes('choose who goes next') ? 'choose' : null
      })
      if (state === 'ended') break
      const options = await choices(page)
      const pick = loseAnUpdate(options)
      // The moment of the race: both workers have read; the picture for the docs.
      if (!shot && options.filter((c) => c.line === 20).length === 2) {
        await page.screenshot({ path: `${screenshots}step-mode.png` })
        shot = true
      }
      const before = await page.locator('#step-status').textContent()
      // Keys choose too: the first thread with N, the others with their number.
      if (pick.id === 'step-choice-1' && steps % 2 === 0) await page.keyboard.press('n')
      else await page.locator(`#${pick.id}`).click()
      steps++
      // The last step ends the run, and the step bar gives way to the outcome: that counts too.
      await waitFor(
        'the step to be taken, or the run to end',
        async () =>
          (await page.locator('.outcome-verdict').isVisible()) ||
          (await page
            .locator('#step-status')
            .textContent({ timeout: 100 })
            .catch(() => before)) !== before,
      )
      expect(steps).toBeLessThan(40)
    }
    const lost = await outcome()
    expect(lost).toMatch(/1 of 2 increments lost/)
    expect(shot).toBe(true)

    // The schedule was recorded: replay it on a fresh run, with no choices made here.
    const replay = page.locator('#replay-schedule-button')
    await expect(replay.innerText()).resolves.toMatch(/Replay this interleaving/)
    await replay.click()
    await waitFor('the replay to start', async () =>
      (
        (await page
          .locator('#step-status')
          .textContent({ timeout: 100 })
          .catch(() => '')) ?? ''
      ).includes('replaying'),
    ).catch(() => {}) // a quick replay may end before the page looks
    const again = await outcome()
    expect(again).toMatch(/1 of 2 increments lost/)
    await expect(page.locator('#replay-schedule-button').isVisible()).resolves.toBe(true)
    expect(app.pageErrors).toEqual([])
  }, 180_000)

  it('pauses a live run (the picture holds still) and resumes it', async () => {
    await pickLesson('bounded-buffer', { duration: '6' })
    await page.locator('#option-step').uncheck()
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.locator('.outcome--running').waitFor({ timeout: 30_000 })
    await new Promise((r) => setTimeout(r, 1500))
    await page.keyboard.press('Space')
    await waitFor('the run to say it is paused', async () =>
      (await page.locator('#pause-button').innerText()).includes('Resume'),
    )
    const samples = async (): Promise<number> =>
      Number(await page.locator('.cpu').getAttribute('data-samples'))
    await new Promise((r) => setTimeout(r, 500))
    const held = await samples()
    await new Promise((r) => setTimeout(r, 1500))
    expect(await samples()).toBe(held)
    await page.locator('#pause-button').click()
    await waitFor('samples again after resuming', async () => (await samples()) > held)
    // The run goes on to its end; the pause did not count against its timeout.
    expect(await outcome()).toMatch(/Finished/)
    expect(app.pageErrors).toEqual([])
  }, 120_000)
})
