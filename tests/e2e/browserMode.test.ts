/**
 * The whole stack in a real browser: browser mode's server (real runs, real processes) and the
 * built page, in Debian's Chromium through playwright-core. Needs `npm run build` first.
 * Screenshots of three lessons, for people to judge readability, land in test-results/screenshots/;
 * with INTERLEAVE_SCREENSHOTS=docs they replace the ones in docs/screenshots/.
 */
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, hasChromium, openBrowserMode, screenshots, waitFor, type BrowserMode } from './support'

/** Pixels of the lanes' canvas that are a state's colour, not a lane's grey. */
const COLOURED_PIXELS = `(() => {
  const canvas = document.querySelector('.timeline-canvas')
  if (!canvas || canvas.width === 0 || canvas.height === 0) return 0
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
  let coloured = 0
  for (let i = 0; i < data.length; i += 4) {
    const max = Math.max(data[i], data[i + 1], data[i + 2])
    const min = Math.min(data[i], data[i + 1], data[i + 2])
    if (data[i + 3] > 0 && max - min > 60) coloured++
  }
  return coloured
})()`

/**
 * Where a row of the lanes' canvas (`y` in CSS pixels from its top) is drawn in a state's colour
 * (`dark`: in near-black ink, as print markers are), as CSS x from the canvas's left: first and last.
 */
function rowSpan(y: number, dark: boolean): string {
  return `(() => {
    const canvas = document.querySelector('.timeline-canvas')
    const scale = canvas.width / canvas.clientWidth
    const row = Math.round(${y} * scale)
    const data = canvas.getContext('2d').getImageData(0, row, canvas.width, 1).data
    let first = -1
    let last = -1
    for (let x = 0; x < canvas.width; x++) {
      const [r, g, b] = [data[4 * x], data[4 * x + 1], data[4 * x + 2]]
      const hit = ${dark} ? Math.max(r, g, b) < 70 : Math.max(r, g, b) - Math.min(r, g, b) > 60
      if (!hit) continue
      if (first < 0) first = x
      last = x
    }
    return first < 0 ? null : [first / scale, last / scale]
  })()`
}

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) {
  process.stderr.write(`SKIPPED browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`)
}

describeInChromium('browser mode in Chromium', () => {
  let app: BrowserMode
  let page: Page
  let pageErrors: string[] = []

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    app = await openBrowserMode()
    page = app.page
    pageErrors = app.pageErrors
  })

  afterAll(async () => {
    await app?.close()
  })

  async function openLessons(): Promise<void> {
    const toggle = page.getByRole('button', { name: 'Lessons', exact: true })
    if (await toggle.isVisible()) await toggle.click()
  }

  async function runLesson(id: string, params: Record<string, string> = {}): Promise<void> {
    await openLessons()
    await page.locator(`[data-scenario="${id}"]`).click()
    for (const [name, value] of Object.entries(params)) {
      await page.locator(`#param-${name}`).selectOption(value)
    }
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.locator('.outcome--running').waitFor({ timeout: 30_000 })
  }

  async function waitForEnd(): Promise<string> {
    await page.locator('.outcome-verdict').waitFor({ timeout: 90_000 })
    return (await page.locator('[data-testid="outcome"]').innerText()).replace(/\s+/g, ' ')
  }

  /** Thread lanes' names (the first line of each label; CPU time and target are under it). */
  async function laneLabels(): Promise<string[]> {
    return page.locator('.timeline-label--thread .timeline-label-text').allInnerTexts()
  }

  /** A thread lane's box on the page, and its top relative to the lanes' canvas. */
  async function threadLane(name: string) {
    const lane = page.locator('.timeline-label--thread', {
      has: page.locator('.timeline-label-text', { hasText: name }),
    })
    const box = await lane.first().boundingBox()
    const canvas = await page.locator('.timeline-canvas').boundingBox()
    if (!box || !canvas) throw new Error(`no lane ${name} or no canvas on the page`)
    return { box, canvas, top: box.y - canvas.y }
  }

  async function tooltip(): Promise<string> {
    return page.locator('.timeline-tooltip').innerText()
  }

  it('runs race-counter: lanes, states, CPU, arrows and the outcome', async () => {
    await runLesson('race-counter')
    // Live: lanes and coloured slices appear while the run streams.
    await waitFor('thread lanes', async () => (await laneLabels()).length >= 3)
    const outcome = await waitForEnd()
    expect(outcome).toMatch(/Finished/)
    expect(outcome).toMatch(/increment/)

    const labels = await laneLabels()
    expect(labels).toContain('MainThread')
    expect(labels.some((l) => l.startsWith('Thread-1'))).toBe(true)
    expect(labels.some((l) => l.startsWith('Thread-2'))).toBe(true)
    await waitFor('coloured slices', async () => ((await page.evaluate(COLOURED_PIXELS)) as number) > 2000)
    await waitFor(
      'CPU samples',
      async () => Number(await page.locator('.cpu').getAttribute('data-samples')) > 0,
    )
    expect(await page.locator('.cpu-labels li').count()).toBeGreaterThan(0)
    // join() waits for each worker's end: two arrows from the workers to MainThread.
    await waitFor(
      'causal arrows',
      async () => Number(await page.locator('.timeline').getAttribute('data-arrows')) >= 2,
    )
    await expect(page.locator('.program-line--current').count()).resolves.toBeGreaterThan(0)
    await expect(page.locator('.console-line').first().innerText()).resolves.toMatch(/counter = \d+/)
    await expect(page.getByRole('list', { name: 'Legend' }).innerText()).resolves.toMatch(/GIL wait/)
    await page.screenshot({ path: `${screenshots}race-counter.png` })

    // Each thread's CPU time is on its lane's label.
    await waitFor('CPU times on the lanes', async () =>
      (await page.locator('.timeline-label--thread .timeline-label-detail').allInnerTexts()).some((t) =>
        /CPU \d/.test(t),
      ),
    )

    // Hovering a lane says what that thread was doing then: its program line with the source, and
    // its CPU time.
    const worker = await threadLane('Thread-1')
    const span = (await page.evaluate(rowSpan(worker.top + worker.box.height / 2, false))) as
      [number, number] | null
    if (!span) throw new Error('nothing drawn on the lane of Thread-1')
    // Whole pixels: a click's coordinates are whole, and a fraction of a pixel can be another slice.
    const midX = Math.round(worker.canvas.x + (span[0] + span[1]) / 2)
    const midY = Math.round(worker.box.y + worker.box.height / 2)
    await page.mouse.move(midX, midY)
    const hovered = await tooltip()
    expect(hovered).toMatch(/^Thread-1/)
    expect(hovered).toMatch(/CPU \d/)
    const line = Number(/line (\d+):/.exec(hovered)?.[1])
    expect(line).toBeGreaterThan(0)
    const source = (await page.locator(`.program-line[data-line="${line}"] .program-code`).innerText()).trim()
    expect(source.length).toBeGreaterThan(0)
    await expect(page.locator('.timeline-tooltip-code').innerText()).resolves.toBe(source)

    // A click pins the details: they stay when the pointer leaves, and the program marks the
    // thread on the line it was on at the clicked time, until Escape lets go.
    await page.mouse.click(midX, midY)
    await page.mouse.move(0, 0)
    const pinned = await tooltip()
    expect(pinned).toMatch(/^Thread-1.*\n[\s\S]*Pinned/)
    const pinnedLine = Number(/line (\d+):/.exec(pinned)?.[1])
    const pinnedSource = (
      await page.locator(`.program-line[data-line="${pinnedLine}"] .program-code`).innerText()
    ).trim()
    expect(pinned).toContain(pinnedSource)
    const marked = page.locator(`.program-line[data-line="${pinnedLine}"]`)
    await waitFor('the clicked line marked in the program', async () =>
      /program-line--current/.test((await marked.getAttribute('class')) ?? ''),
    )
    await expect(marked.locator('.program-thread').allInnerTexts()).resolves.toContain('Thread-1')
    await page.mouse.move(midX, midY + 200)
    await expect(tooltip()).resolves.toBe(pinned)
    await page.keyboard.press('Escape')
    await waitFor('the details to go', async () => (await page.locator('.timeline-tooltip').count()) === 0)

    // MainThread printed the result: its marker's tooltip shows the text. (Two frames first, so that
    // the cursor line is gone from the canvas.)
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
    const main = await threadLane('MainThread')
    const printed = (await page.evaluate(rowSpan(main.top + main.box.height - 4, true))) as
      [number, number] | null
    if (!printed) throw new Error('no print marker on the lane of MainThread')
    await page.mouse.move(main.canvas.x + printed[1] - 1, main.box.y + main.box.height / 2)
    await expect(tooltip()).resolves.toMatch(/printed: counter = \d+/)
    await page.mouse.move(0, 0)

    // After the run: the keyboard zooms the time axis.
    const ticksBefore = await page.locator('.axis .tick text').allTextContents()
    await page.locator('.timeline-plot').focus()
    for (let i = 0; i < 4; i++) await page.keyboard.press('+')
    await waitFor('a zoomed axis', async () => {
      const ticks = await page.locator('.axis .tick text').allTextContents()
      return ticks.join() !== ticksBefore.join()
    })
    await page.keyboard.press('0')
  })

  it('runs writer-drawer-assembler (fixed): three processes and the hand-offs between them', async () => {
    await runLesson('writer-drawer-assembler', { variant: 'fixed' })
    const outcome = await waitForEnd()
    expect(outcome).toMatch(/Finished/)
    const processes = await page.locator('.timeline-label--process').allInnerTexts()
    for (const name of ['MainProcess', 'Writer', 'Drawer', 'Assembler']) {
      expect(processes.some((p) => p.startsWith(name))).toBe(true)
    }
    await waitFor(
      'causal arrows',
      async () => Number(await page.locator('.timeline').getAttribute('data-arrows')) >= 2,
    )
    await expect(page.locator('.console-line').count()).resolves.toBeGreaterThanOrEqual(6)
  })

  it('runs writer-drawer-assembler (as-written): the lost wake-up, to its end or the timeout', async () => {
    await openLessons()
    await page.locator('[data-scenario="writer-drawer-assembler"]').click()
    await page.locator('#option-timeout').fill('12')
    await runLesson('writer-drawer-assembler', { variant: 'as-written' })
    // Both endings are the lesson: a missed notify waits until the timeout, a lucky order finishes.
    const outcome = await waitForEnd()
    expect(outcome).toMatch(/Finished|Timed out/)
    expect(await page.locator('.timeline-label--object').count()).toBeGreaterThanOrEqual(3)
    // The outcome and the lanes under it: what the lesson is about.
    await page.locator('[data-testid="outcome"]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.screenshot({ path: `${screenshots}writer-drawer-assembler.png` })
    await page.evaluate('window.scrollTo(0, 0)')
    await page.locator('#option-timeout').fill('')
  })

  it('runs countdown-gil', async () => {
    await runLesson('countdown-gil')
    const outcome = await waitForEnd()
    expect(outcome).toMatch(/Finished/)
    await waitFor('coloured slices', async () => ((await page.evaluate(COLOURED_PIXELS)) as number) > 2000)
    await page.screenshot({ path: `${screenshots}countdown-gil.png` })
  })

  it('says a deadlock as it forms, marks its threads, and keeps it in the outcome after Stop', async () => {
    await openLessons()
    await page.locator('[data-scenario="deadlock-two-locks"]').click()
    await page.locator('#param-order').selectOption('opposite')
    await page.locator('#option-timeout').fill('60')
    const began = Date.now()
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const live = page.locator('.outcome-deadlock--live')
    await live.waitFor({ timeout: 20_000 })
    // Long before the 60 s timeout: the run said it as it formed.
    expect(Date.now() - began).toBeLessThan(20_000)
    const text = (await live.innerText()).replace(/\s+/g, ' ')
    expect(text).toMatch(
      /T\d waits for lock_\w at line 16, held by MainProcess\/T\d waits for lock_\w at line 16/,
    )
    expect(await page.locator('.timeline-label--deadlocked').count()).toBe(2)
    await page.locator('#stop-button').click()
    await page.locator('.outcome-verdict').waitFor({ timeout: 30_000 })
    await expect(page.locator('.outcome-deadlock').innerText()).resolves.toMatch(/lock_a/)
    expect(await page.locator('.timeline-label--deadlocked').count()).toBe(2)
    await page.locator('#option-timeout').fill('')
    expect(pageErrors).toEqual([])
  })

  it('says a hang that is not a cycle once nothing has moved for the time set, and marks its threads', async () => {
    await openLessons()
    await page.locator('[data-scenario="fork-held-lock"]').click()
    await page.locator('#param-start_method').selectOption('fork')
    await page.locator('#option-timeout').fill('60')
    await page.locator('#option-hang-after').fill('1')
    const began = Date.now()
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    const live = page.locator('.outcome-hang[role="alert"]')
    await live.waitFor({ timeout: 20_000 })
    expect(Date.now() - began).toBeLessThan(20_000)
    const text = (await live.innerText()).replace(/\s+/g, ' ')
    expect(text).toMatch(/^Hung now: nothing has moved since \d/)
    expect(text).toContain('Child/MainThread waits at line 20 for a release of lock')
    expect(text).toContain('MainProcess/MainThread waits at line 31 for process Child to end')
    expect(await page.locator('.timeline-label--hung').count()).toBe(2)
    await page.locator('[data-testid="outcome"]').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.screenshot({ path: `${screenshots}hang.png` })
    await page.evaluate('window.scrollTo(0, 0)')
    await page.locator('#stop-button').click()
    await page.locator('.outcome-verdict').waitFor({ timeout: 30_000 })
    await expect(page.locator('.outcome-hang').innerText()).resolves.toMatch(/^Hung: nothing has moved/)
    expect(await page.locator('.timeline-label--hung').count()).toBe(2)
    await page.locator('#option-timeout').fill('')
    await page.locator('#option-hang-after').fill('')
    expect(pageErrors).toEqual([])
  })

  it('stops a run with Stop, and shows a rejected parameter', async () => {
    await runLesson('writer-drawer-assembler', { variant: 'as-written' })
    await waitFor('thread lanes', async () => (await laneLabels()).length >= 2)
    await page.getByRole('button', { name: 'Stop' }).click()
    expect(await waitForEnd()).toMatch(/Stopped/)

    await openLessons()
    await page.locator('[data-scenario="race-counter"]').click()
    await page.locator('#param-threads').fill('99')
    await expect(page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).resolves.toBe(true)
    await expect(page.locator('#param-threads-help').innerText()).resolves.toMatch(/from 2 to 16/)
    expect(pageErrors).toEqual([])
  })
})
