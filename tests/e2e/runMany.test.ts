/**
 * Run many in a real browser against browser mode: race-counter run 200 times without the lock
 * gives more than one final counter; with the lock, one bar at the expected count; a bar (clicked, or
 * Enter on it) opens its run in the normal views. Needs `npm run build` first. A screenshot of the plot
 * lands in test-results/screenshots/ (docs/screenshots/ with INTERLEAVE_SCREENSHOTS=docs).
 */
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IDLE_HOSTS } from '../../src/engine/prelaunch'
import {
  CHROMIUM,
  hasChromium,
  openBrowserMode,
  runProcesses,
  screenshots,
  waitFor,
  type BrowserMode,
} from './support'

/**
 * Two threads of ITERATIONS increments: a run takes about 0.4 s on an idle 2-core machine, so the
 * 200 runs take a minute and a half; more when other work shares the cores.
 */
const ITERATIONS = 20
const EXPECTED = 2 * ITERATIONS
const RUNS_UNLOCKED = 200
const RUNS_LOCKED = 40
const BATCH_TIMEOUT_MS = 280_000

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) process.stderr.write(`SKIPPED run-many tests: no Chromium at ${CHROMIUM}\n`)

describeInChromium('run many in Chromium', () => {
  let app: BrowserMode
  let page: Page

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    app = await openBrowserMode({ width: 1280, height: 860 })
    page = app.page
  })

  afterAll(async () => {
    await app?.close()
  })

  const dialog = (): ReturnType<Page['locator']> => page.locator('[data-testid="run-many"]')
  const bars = (): ReturnType<Page['locator']> => dialog().locator('.histogram-bar')

  /** Runs the batch from the open dialog and waits for its end; returns how long it took. */
  async function runBatch(runs: number): Promise<number> {
    await page.locator('#run-many-runs').fill(String(runs))
    const t0 = Date.now()
    await page.locator('#run-many-start').click()
    await waitFor(
      `${runs} runs`,
      async () => (await page.locator('#run-many-count').innerText()) === `${runs} of ${runs} runs`,
      BATCH_TIMEOUT_MS,
    )
    await expect.poll(() => page.locator('#run-many-cancel').isDisabled()).toBe(true)
    return Date.now() - t0
  }

  async function pickRaceCounter(lock: 'on' | 'off'): Promise<void> {
    if (await dialog().isVisible()) await page.keyboard.press('Escape')
    const toggle = page.getByRole('button', { name: 'Lessons', exact: true })
    if (await toggle.isVisible()) await toggle.click()
    await page.locator('[data-scenario="race-counter"]').click()
    await page.locator('#param-iterations').fill(String(ITERATIONS))
    await page.locator('#param-lock').selectOption(lock)
    await page.locator('body').click({ position: { x: 5, y: 850 } })
  }

  it(
    `runs race-counter ${RUNS_UNLOCKED} times without the lock: more than one final counter`,
    async () => {
      await pickRaceCounter('off')
      // M opens the dialog, as the button does.
      await page.keyboard.press('m')
      await dialog().waitFor()
      expect(await dialog().locator('h2').innerText()).toMatch(/Run many: Race condition/)
      expect(await page.locator('#run-many-runs').inputValue()).toBe('100')

      const ms = await runBatch(RUNS_UNLOCKED)
      process.stdout.write(
        `run many: ${RUNS_UNLOCKED} runs of race-counter 2x${ITERATIONS} in ${(ms / 1000).toFixed(1)} s\n`,
      )
      const count = await bars().count()
      expect(count).toBeGreaterThan(1)
      const counts = (await bars().evaluateAll((els) =>
        els.map((e) => Number(e.getAttribute('data-count'))),
      )) as number[]
      expect(counts.reduce((a, b) => a + b, 0)).toBe(RUNS_UNLOCKED)
      const sentence = await page.locator('[data-testid="run-many-sentence"]').innerText()
      expect(sentence).toMatch(
        new RegExp(
          `^${RUNS_UNLOCKED} runs: ${count} different values of the final counter, from \\d+ to \\d+; a correct program gives ${EXPECTED}`,
        ),
      )
      // The expected count is marked on the axis.
      expect((await dialog().locator('.histogram-expected text').textContent())?.trim()).toBe(
        `expected ${EXPECTED}`,
      )
      await page.mouse.move(5, 5) // no bar under the pointer
      await page.screenshot({ path: `${screenshots}run-many.png` })
      // The same plot in the dark theme, for people to judge.
      const theme = (await page.evaluate('document.documentElement.dataset.theme')) as string | undefined
      await page.evaluate("document.documentElement.dataset.theme = 'dark'")
      await page.screenshot({ path: `${screenshots}run-many-dark.png` })
      await page.evaluate(`document.documentElement.dataset.theme = ${JSON.stringify(theme ?? 'light')}`)

      // A click on a bar opens the first run that gave its value, in the normal views.
      const most = counts.indexOf(Math.max(...counts))
      const bar = bars().nth(most)
      const value = Number(await bar.getAttribute('data-value'))
      await bar.click()
      await expect.poll(() => dialog().isVisible()).toBe(false)
      const verdict = await page.locator('.outcome-verdict').innerText()
      const lost = EXPECTED - value
      expect(verdict).toContain(
        lost > 0
          ? `${lost} of ${EXPECTED} increments lost`
          : `No increment lost this time (${EXPECTED} counted)`,
      )
      expect(await page.locator('.console-line').first().innerText()).toContain(`counter = ${value}`)
    },
    BATCH_TIMEOUT_MS + 60_000,
  )

  it(
    `runs it ${RUNS_LOCKED} times with the lock: one bar, at the expected count; Enter opens it`,
    async () => {
      await pickRaceCounter('on')
      await page.locator('#run-many-button').click()
      await dialog().waitFor()
      const ms = await runBatch(RUNS_LOCKED)
      process.stdout.write(
        `run many: ${RUNS_LOCKED} runs of race-counter 2x${ITERATIONS} with the lock in ${(ms / 1000).toFixed(1)} s\n`,
      )
      expect(await bars().count()).toBe(1)
      expect(await bars().first().getAttribute('data-value')).toBe(String(EXPECTED))
      expect(await bars().first().getAttribute('data-count')).toBe(String(RUNS_LOCKED))
      expect(await dialog().locator('.histogram-bar--expected').count()).toBe(1)
      expect(await page.locator('[data-testid="run-many-sentence"]').innerText()).toBe(
        `${RUNS_LOCKED} runs: all gave final counter ${EXPECTED}, what a correct program gives.`,
      )
      await page.mouse.move(5, 5)
      await page.screenshot({ path: `${screenshots}run-many-locked.png` })

      // Keyboard: the bar takes focus, and Enter opens its run.
      await bars().first().focus()
      await page.keyboard.press('Enter')
      await expect.poll(() => dialog().isVisible()).toBe(false)
      expect(await page.locator('.outcome-verdict').innerText()).toContain(
        `All ${EXPECTED} increments counted`,
      )
    },
    BATCH_TIMEOUT_MS + 60_000,
  )

  it('cancels a batch: the count stops, and no run process is left', async () => {
    await page.keyboard.press('m')
    await dialog().waitFor()
    await page.locator('#run-many-runs').fill('1000')
    await page.locator('#run-many-start').click()
    await waitFor('a few runs', async () => {
      const text = await page.locator('#run-many-count').innerText()
      return /^([3-9]|\d\d+) of 1000 runs$/.test(text)
    })
    await page.locator('#run-many-cancel').click()
    await waitFor('the batch to end', async () =>
      /^Cancelled after \d+ of 1000 runs\./.test(await dialog().locator('.run-many-hint').innerText()),
    )
    // What is left are the hosts the server keeps ready for the next run, once they have settled.
    let hosts: string[] = []
    await waitFor(
      'the hosts to settle',
      async () => {
        const before = runProcesses()
        await new Promise((r) => setTimeout(r, 2000))
        hosts = runProcesses()
        return before.join() === hosts.join()
      },
      20_000,
    )
    expect(hosts.length).toBeLessThanOrEqual(IDLE_HOSTS)
    // Refused in the page before it reaches the server.
    await page.locator('#run-many-runs').fill('1001')
    expect(await page.locator('#run-many-start').isDisabled()).toBe(true)
    expect(await dialog().locator('[role="alert"]').innerText()).toContain('from 1 to 1000')
    expect(app.pageErrors).toEqual([])
  })
})
