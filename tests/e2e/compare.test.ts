/**
 * Compare: `countdown-gil` with threads, then with processes, and both on one time axis with their
 * CPU lanes, wall times and the sentence that compares them. At 1920x1080, as a projector shows it.
 */
import { mkdirSync } from 'node:fs'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHROMIUM, hasChromium, openBrowserMode, screenshots, waitFor, type BrowserMode } from './support'

const describeInChromium = hasChromium ? describe : describe.skip
if (!hasChromium) process.stderr.write(`SKIPPED compare tests: no Chromium at ${CHROMIUM}\n`)

/** Where each count takes about a second of CPU here: a run of about 1 to 3 s either way. */
const COUNT = '20000000'

/**
 * What a canvas shows, in CSS pixels: how many pixels are a state's colour (not a lane's grey),
 * how many are dark ink (the CPU's fill in the light theme), and the rightmost coloured column.
 */
function canvasFacts(canvas: Locator): Promise<{ coloured: number; dark: number; lastColouredX: number }> {
  return canvas.evaluate((element) => {
    // This runs in the page, where the element is a canvas (the tests' types know no DOM).
    const el = element as unknown as {
      width: number
      height: number
      clientWidth: number
      getContext(
        kind: '2d',
      ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null
    }
    const data = el.getContext('2d')?.getImageData(0, 0, el.width, el.height).data
    const scale = el.width / el.clientWidth
    let coloured = 0
    let dark = 0
    let last = -1
    if (data) {
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue
        const max = Math.max(data[i], data[i + 1], data[i + 2])
        const min = Math.min(data[i], data[i + 1], data[i + 2])
        if (max - min > 60) {
          coloured++
          last = Math.max(last, (i / 4) % el.width)
        }
        if (max < 110) dark++
      }
    }
    return { coloured, dark, lastColouredX: last / scale }
  })
}

/** A panel's figures from its data attributes. */
async function panelFacts(panel: Locator) {
  const n = async (name: string): Promise<number> => Number(await panel.getAttribute(`data-${name}`))
  return {
    wallUs: await n('wall-us'),
    startUs: await n('start-us'),
    endUs: await n('end-us'),
    zeroPx: await n('zero-px'),
    widthPx: await n('width-px'),
    cpuSamples: await n('cpu-samples'),
    slices: await n('slices'),
  }
}

describeInChromium('Compare', () => {
  let app: BrowserMode
  let page: Page

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true })
    app = await openBrowserMode({ width: 1920, height: 1080 })
    page = app.page
  })

  afterAll(async () => {
    await app?.close()
  })

  /** Runs countdown-gil in one mode; its wall time in seconds as the outcome says it. */
  async function runCountdown(mode: 'threads' | 'processes'): Promise<number> {
    await page.locator('#param-workers').fill('2')
    await page.locator('#param-count').fill(COUNT)
    await page.locator('#param-mode').selectOption(mode)
    await page.getByRole('button', { name: 'Run', exact: true }).click()
    await page.locator('.outcome--running').waitFor({ timeout: 30_000 })
    await page.locator('.outcome-verdict').waitFor({ timeout: 90_000 })
    const status = await page.locator('.outcome-status').innerText()
    const seconds = /finished in (\d+\.\d+) s/i.exec(status)?.[1]
    if (!seconds) throw new Error(`the ${mode} run did not finish: ${status}`)
    return Number(seconds)
  }

  /** The wall times the two runs' outcomes said, in seconds. */
  let walls = { threads: 0, processes: 0 }
  const view = (): Locator => page.locator('[data-testid="compare"]')
  const panel = (i: number): Locator => page.locator('.cmp-run').nth(i)

  it('runs countdown-gil with threads, then with processes', { timeout: 300_000 }, async () => {
    await page.locator('[data-scenario="countdown-gil"]').click()
    // Processes should win on two cores; on a machine busy with other work, try up to three pairs.
    const began = Date.now()
    for (let attempt = 0; attempt < 3 && Date.now() - began < 50_000; attempt++) {
      walls = { threads: await runCountdown('threads'), processes: await runCountdown('processes') }
      if (walls.processes < walls.threads / 1.05) break
    }
    // About 1 to 3 s each on an idle machine; much longer only when other work takes the cores.
    for (const wall of Object.values(walls)) {
      expect(wall).toBeGreaterThan(0.5)
      expect(wall).toBeLessThan(30)
    }
  })

  it('opens Compare on the last two runs, each with its lanes and CPU drawn', async () => {
    // C opens Compare on the last two runs: threads as A, processes as B.
    await page.locator('body').click({ position: { x: 5, y: 1070 } })
    await page.keyboard.press('c')
    await view().waitFor()
    expect(await page.locator('.layout').isVisible()).toBe(false)
    const panels = page.locator('.cmp-run')
    expect(await panels.count()).toBe(2)
    const [a, b] = [panel(0), panel(1)]
    expect(await a.getAttribute('data-run')).toBe('A')
    expect(await b.getAttribute('data-run')).toBe('B')
    await expect(a.locator('.cmp-run-title').innerText()).resolves.toMatch(/countdown-gil.*mode=threads/)
    await expect(b.locator('.cmp-run-title').innerText()).resolves.toMatch(/countdown-gil.*mode=processes/)
    // Each run's wall time is its own recording's, as its outcome said it (the outcome's words are
    // written a moment before the record's wall time is taken: within 0.05 s).
    const wallA = Number(await a.getAttribute('data-wall-us')) / 1e6
    const wallB = Number(await b.getAttribute('data-wall-us')) / 1e6
    expect(Math.abs(wallA - walls.threads)).toBeLessThan(0.05)
    expect(Math.abs(wallB - walls.processes)).toBeLessThan(0.05)
    walls = { threads: wallA, processes: wallB }
    await expect(a.locator('.cmp-run-wall').innerText()).resolves.toBe(`${wallA.toFixed(2)} s`)
    await expect(b.locator('.cmp-run-wall').innerText()).resolves.toBe(`${wallB.toFixed(2)} s`)
    // The pickers offer the runs kept, labelled by lesson, settings and wall time.
    const options = await page.locator('#compare-a option').allInnerTexts()
    expect(options.length).toBeGreaterThanOrEqual(2)
    expect(options.at(-1)).toMatch(/countdown-gil · mode=processes workers=2 count=20M · \d+\.\d\d s/)
    await expect(page.locator('.compare-kept').innerText()).resolves.toMatch(/last 8 runs/)

    // Thread lanes: the threads run's MainThread and two workers in one process; the processes run's
    // three processes, each with its MainThread.
    expect(await a.locator('.cmp-label--thread').count()).toBe(3)
    expect(await a.locator('.cmp-label--process').count()).toBe(1)
    expect(await b.locator('.cmp-label--thread').count()).toBe(3)
    expect(await b.locator('.cmp-label--process').count()).toBe(3)
    // Both drawn: coloured slices on the lanes, the CPU's samples and its ink under them.
    for (const run of [a, b]) {
      await waitFor('both runs drawn', async () => {
        const facts = await panelFacts(run)
        const lanes = await canvasFacts(run.locator('.cmp-lanes-canvas'))
        return facts.slices > 0 && facts.cpuSamples > 5 && lanes.coloured > 2000
      })
      expect(await run.locator('.cmp-cpu-labels li').count()).toBe(2)
      expect((await canvasFacts(run.locator('.cmp-cpu-canvas'))).dark).toBeGreaterThan(500)
    }
  })

  it('draws both on one time axis: the same window, from 0, on the same pixels', async () => {
    const [a, b] = [panel(0), panel(1)]

    // One axis: the same window for both, from 0, on canvases at the same x with the same width,
    // so that t = 0 (and every other time) falls on the same pixel column in both.
    const fa = await panelFacts(a)
    const fb = await panelFacts(b)
    const domainEnd = Number(await page.locator('.cmp-body').getAttribute('data-domain-end-us'))
    expect(fa.startUs).toBe(0)
    expect(fb.startUs).toBe(0)
    expect(fa.endUs).toBe(domainEnd)
    expect(fb.endUs).toBe(domainEnd)
    expect(domainEnd).toBeGreaterThanOrEqual(Math.max(fa.wallUs, fb.wallUs))
    expect(fa.zeroPx).toBe(0)
    expect(fb.zeroPx).toBe(0)
    const boxes = await Promise.all(
      [a, b].flatMap((p) =>
        [p.locator('.cmp-lanes-canvas'), p.locator('.cmp-cpu-canvas')].map((c) => c.boundingBox()),
      ),
    )
    for (const box of boxes) {
      expect(box?.x).toBe(boxes[0]?.x)
      expect(box?.width).toBe(boxes[0]?.width)
    }
    const pxPerUs = fa.widthPx / (fa.endUs - fa.startUs)
    // Nothing is drawn after a run's end, on the shared scale.
    for (const [run, facts] of [
      [a, fa],
      [b, fb],
    ] as const) {
      const lanes = await canvasFacts(run.locator('.cmp-lanes-canvas'))
      expect(lanes.lastColouredX).toBeLessThanOrEqual(facts.wallUs * pxPerUs + 3)
      expect(lanes.lastColouredX).toBeGreaterThan(facts.wallUs * pxPerUs * 0.4)
    }
  })

  it('says in one sentence which was faster, with both wall times and how busy the CPU was', async () => {
    const sentence = await page.locator('[data-testid="compare-sentence"]').innerText()
    expect(sentence).toContain(`${walls.threads.toFixed(2)} s`)
    expect(sentence).toContain(`${walls.processes.toFixed(2)} s`)
    expect(sentence).toMatch(/CPU busy \d+ % vs \d+ %/)
    const ratio = walls.threads / walls.processes
    if (ratio >= 1.05) {
      expect(sentence).toMatch(
        new RegExp(
          `^Processes finished in ${walls.processes.toFixed(2)} s, threads in .*: ${ratio.toFixed(1)}x faster`,
        ),
      )
    } else {
      // The honest case on a busy two-core machine: the figures as measured, the faster first.
      process.stderr.write(`compare: processes were not faster this time (${sentence})\n`)
      expect(sentence).toMatch(walls.threads <= walls.processes ? /^Threads finished/ : /^Processes finished/)
    }
  })

  it('hovers per run, and zooms and pans both with one transform', async () => {
    const [a, b] = [panel(0), panel(1)]
    const fa = await panelFacts(a)
    const domainEnd = Number(await page.locator('.cmp-body').getAttribute('data-domain-end-us'))
    const pxPerUs = fa.widthPx / (fa.endUs - fa.startUs)
    // Hovering a lane gives that run's details.
    const box = await a.locator('.cmp-lanes-canvas').boundingBox()
    if (!box) throw new Error('no lanes canvas')
    const lane = await a.locator('.cmp-label--thread').nth(1).boundingBox()
    await page.mouse.move(box.x + fa.wallUs * pxPerUs * 0.5, (lane?.y ?? 0) + (lane?.height ?? 0) / 2)
    await expect(a.locator('.cmp-tooltip').innerText()).resolves.toMatch(/^Thread-1/)
    expect(await b.locator('.cmp-tooltip').count()).toBe(0)
    await page.mouse.move(0, 0)

    // One zoom drives both: + narrows the window of both alike, 0 shows the whole of both.
    await page.locator('.cmp-body').focus()
    for (let i = 0; i < 3; i++) await page.keyboard.press('+')
    await waitFor('both zoomed', async () => {
      const zoomed = await panelFacts(a)
      return zoomed.endUs - zoomed.startUs < domainEnd * 0.5
    })
    const [za, zb] = [await panelFacts(a), await panelFacts(b)]
    expect(zb.startUs).toBe(za.startUs)
    expect(zb.endUs).toBe(za.endUs)
    await page.keyboard.press('0')
    await waitFor('the whole of both', async () => (await panelFacts(b)).endUs === domainEnd)
  })

  it('reads from the back of the room: presentation mode, and every theme', async () => {
    const a = panel(0)
    if (process.env.INTERLEAVE_SCREENSHOTS !== 'docs') {
      await page.screenshot({ path: `${screenshots}compare-window.png` })
    }
    // Large type for the room, in presentation mode: the picture.
    await page.keyboard.press('p')
    await waitFor('presentation mode', () =>
      page.evaluate('document.documentElement.hasAttribute("data-presentation")'),
    )
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
    expect(
      await page
        .locator('[data-testid="compare-sentence"]')
        .evaluate((el) => parseFloat(el.ownerDocument.defaultView!.getComputedStyle(el).fontSize)),
    ).toBeGreaterThanOrEqual(36)
    await page.screenshot({ path: `${screenshots}compare.png` })

    // The dark and projector themes draw it too.
    for (const theme of ['dark', 'projector']) {
      while ((await page.evaluate('document.documentElement.dataset.theme')) !== theme)
        await page.keyboard.press('t')
      await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))')
      expect((await canvasFacts(a.locator('.cmp-lanes-canvas'))).coloured).toBeGreaterThan(2000)
      if (process.env.INTERLEAVE_SCREENSHOTS !== 'docs') {
        await page.screenshot({ path: `${screenshots}compare-${theme}.png` })
      }
    }
    // From projector, T goes back to the system's theme.
    await page.keyboard.press('t')
    await page.keyboard.press('p')
  })

  it('leaves with Escape or Close', async () => {
    // Escape leaves Compare for the run; the Compare button opens it again, Close leaves.
    await page.keyboard.press('Escape')
    await waitFor('Compare to close', async () => (await view().count()) === 0)
    expect(await page.locator('.layout').isVisible()).toBe(true)
    await page.locator('#compare-button').click()
    await view().waitFor()
    await page.locator('#compare-close').click()
    await waitFor('Compare to close', async () => (await view().count()) === 0)
    expect(app.pageErrors).toEqual([])
  })
})
