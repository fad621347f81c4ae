/**
 * The classroom's view: presentation mode (large type, chrome back), themes, remembered settings,
 * the keyboard, with `?` listing every shortcut, and the lessons' captions, large enough to read from
 * the back of the room and moving on as the run does. At 1920x1080, as a projector shows it.
 */
import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, hasChromium, openBrowserMode, screenshots, waitFor, type BrowserMode } from './support'

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) process.stderr.write(`SKIPPED presentation tests: no Chromium at ${CHROMIUM}\n`)

/** The font size an element is drawn at, in CSS pixels. */
const fontPx = (selector: string): string =>
  `parseFloat(getComputedStyle(document.querySelector(${JSON.stringify(selector)})).fontSize)`

describeInChromium('presentation mode and the keyboard', () => {
  let app: BrowserMode

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    app = await openBrowserMode({ width: 1920, height: 1080 })
  })

  afterAll(async () => {
    await app?.close()
  })

  it('lists every shortcut on ?, and closes the list on Escape', async () => {
    const { page } = app
    await page.locator('body').press('?')
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await dialog.waitFor()
    const rows = await dialog.locator('tbody tr').allInnerTexts()
    expect(rows.length).toBeGreaterThanOrEqual(10)
    expect(rows.join('\n')).toMatch(/P\s+Presentation mode/)
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.isVisible()).toBe(false)
  })

  it('runs a lesson from the keyboard in presentation mode, with type a room can read', async () => {
    const { page } = app
    await page.locator('[data-scenario="race-counter"]').click()
    await page.locator('#param-iterations').fill('300')
    await page.locator('body').click({ position: { x: 5, y: 1070 } })
    const normalLabel = (await page.evaluate(fontPx('.lesson-title'))) as number
    await page.keyboard.press('p')
    await expect
      .poll(() => page.evaluate('document.documentElement.hasAttribute("data-presentation")'))
      .toBe(true)
    expect(await page.evaluate(fontPx('.lesson-title'))).toBeGreaterThanOrEqual(normalLabel * 1.5)
    // The bar slides out of sight but for a strip at the top; pointing there brings it back.
    const barY = async (): Promise<number> => (await page.locator('.app-bar').boundingBox())?.y ?? 0
    await waitFor('the bar to go', async () => (await barY()) < -20)
    await page.mouse.move(960, 2)
    await waitFor('the bar to come back', async () => (await barY()) === 0)
    await page.mouse.move(960, 600)
    await waitFor('the bar to go again', async () => (await barY()) < -20)
    // The lessons fold away; R runs the one chosen.
    expect(await page.locator('[data-scenario="race-counter"]').isVisible()).toBe(false)
    await page.keyboard.press('r')
    await page.locator('.outcome-verdict').waitFor({ timeout: 90_000 })
    expect(
      await page.evaluate(fontPx('.timeline-label--thread .timeline-label-text')),
    ).toBeGreaterThanOrEqual(24)
    expect(await page.evaluate(fontPx('.outcome-verdict'))).toBeGreaterThanOrEqual(24)
    expect(await page.evaluate(fontPx('.legend, [aria-label="Legend"]'))).toBeGreaterThanOrEqual(20)
    // Lanes grow with the type, so two-line labels still fit.
    const lane = await page.locator('.timeline-label--thread').first().boundingBox()
    expect(lane?.height ?? 0).toBeGreaterThanOrEqual(58)
    // The settings fold into one line that says what was run, so every lane and the CPU below them
    // fit the screen; `,` opens them and folds them again.
    expect(await page.locator('#param-iterations').isVisible()).toBe(false)
    expect(await page.locator('#settings-button').innerText()).toMatch(
      /threads 2 · iterations 300 · lock off/,
    )
    const bottoms = await page
      .locator('.timeline-label--thread, .cpu-canvas')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().bottom))
    expect(bottoms.length).toBeGreaterThanOrEqual(4)
    for (const bottom of bottoms) expect(bottom).toBeLessThanOrEqual(1080)
    await page.keyboard.press(',')
    expect(await page.locator('#param-iterations').isVisible()).toBe(true)
    await page.keyboard.press(',')
    expect(await page.locator('#param-iterations').isVisible()).toBe(false)
    await page.screenshot({ path: `${screenshots}presentation.png` })
  })

  it('changes theme with T, and remembers the theme and presentation mode', async () => {
    const { page } = app
    const background = (): Promise<unknown> =>
      page.evaluate('getComputedStyle(document.documentElement).backgroundColor')
    const before = await background()
    const themes: string[] = []
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('t')
      themes.push((await page.evaluate('document.documentElement.dataset.theme')) as string)
    }
    // From the system's (light here): light, dark, projector.
    expect(themes).toEqual(['light', 'dark', 'projector'])
    await page.keyboard.press('t')
    await page.keyboard.press('t')
    await page.keyboard.press('t')
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark')
    expect(await background()).not.toBe(before)
    await page.reload()
    await page.locator('[data-scenario="race-counter"]').waitFor({ state: 'attached' })
    expect(await page.evaluate('document.documentElement.dataset.theme')).toBe('dark')
    expect(await page.evaluate('document.documentElement.hasAttribute("data-presentation")')).toBe(true)
    await page.keyboard.press('p')
    expect(await page.evaluate('document.documentElement.hasAttribute("data-presentation")')).toBe(false)
    expect(app.pageErrors).toEqual([])
  })

  it('shows the lesson’s captions in presentation mode, at 24 px or more, moving on with the run', async () => {
    const { page } = app
    const lessons = page.getByRole('button', { name: 'Lessons', exact: true })
    if (await lessons.isVisible()) await lessons.click()
    await page.locator('[data-scenario="writer-drawer-assembler"]').click()
    await page.locator('#param-variant').selectOption('fixed')
    await page.locator('body').click({ position: { x: 5, y: 1070 } })
    // Outside presentation mode no captions; P turns them on with the large type.
    await page.keyboard.press('p')
    await expect
      .poll(() => page.evaluate('document.documentElement.hasAttribute("data-presentation")'))
      .toBe(true)
    await page.keyboard.press('r')
    const caption = page.locator('[data-testid="narration"] .narration-text[data-moment]')
    await caption.waitFor({ timeout: 60_000 })
    const first = await caption.innerText()
    expect(first).toMatch(/The Writer writes/)
    const px = (await caption.evaluate((el) =>
      parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize),
    )) as number
    expect(px).toBeGreaterThanOrEqual(24)
    // As the run goes on, later moments take over: the hand-offs, then the end.
    const seen = new Set([first])
    await waitFor(
      'the last caption',
      async () => {
        seen.add(await caption.innerText())
        return seen.has('All three are done, one after another: each hand-off was an event.')
      },
      60_000,
    )
    expect(seen.size).toBeGreaterThanOrEqual(3)
    await page.locator('.outcome-verdict').waitFor({ timeout: 60_000 })
    // The caption bar is in view, at the bottom, and wide: a room reads it.
    const box = await page.locator('[data-testid="narration"]').boundingBox()
    expect(box).not.toBeNull()
    expect(box!.y + box!.height).toBeLessThanOrEqual(1080)
    expect(box!.width).toBeGreaterThan(900)
    // Below the timeline, never over its lanes, which scroll in the height left to them.
    const timeline = await page.locator('section.timeline').boundingBox()
    expect(box!.y).toBeGreaterThanOrEqual(timeline!.y + timeline!.height)
    // Pointing at an earlier time shows that time's caption.
    await page.screenshot({ path: `${screenshots}narration.png` })
    // K turns the captions off and on again.
    await page.keyboard.press('k')
    await expect.poll(() => page.locator('[data-testid="narration"]').count()).toBe(0)
    await page.keyboard.press('k')
    await page.locator('[data-testid="narration"]').waitFor()
    await page.keyboard.press('p')
    expect(app.pageErrors).toEqual([])
  })
})
