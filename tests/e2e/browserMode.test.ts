/**
 * The whole stack in a real browser: browser mode's server (real runs, real processes) and the
 * built page, in Debian's Chromium through playwright-core. Needs `electron-vite build` first.
 * Screenshots of three lessons land in docs/screenshots/ for people to judge readability.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { localLauncher } from '../../src/engine/localLauncher'
import { startServer, type InterleaveServer } from '../../src/server/server'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))

/** Polls until `check` returns a truthy value; generous, since runs and CI machines vary. */
async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await check()
      if (value) return value
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** OS processes whose parent is this one (the runs' hosts are forked from here), as `pid command`. */
function childProcesses(): string[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s && !/^\d+ (ps |\S*esbuild)/.test(s)) // esbuild's service outlives builds by design
  } catch {
    return [] // ps exits 1 when there are none
  }
}

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

const describeInChromium = existsSync(CHROMIUM) ? describe : describe.skip
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`SKIPPED browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`)
}

describeInChromium('browser mode in Chromium', () => {
  let server: InterleaveServer
  let browser: Browser
  let page: Page
  const pageErrors: string[] = []

  beforeAll(async () => {
    if (!existsSync(`${rendererDir}/index.html`)) {
      throw new Error(`no built page in ${rendererDir}: run \`electron-vite build\` (npm test does) first`)
    }
    mkdirSync(screenshots, { recursive: true })
    server = await startServer({ port: 0, rendererDir, launcher: () => localLauncher() })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    page.on('pageerror', (e) => pageErrors.push(e.message))
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text())
    })
    await page.goto(server.url)
    await page.locator('[data-scenario="race-counter"]').waitFor({ timeout: 30_000 })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    // Every run's processes were killed and waited for: none of them is left.
    await waitFor('the runs’ processes to exit', () => childProcesses().length === 0, 15_000).catch(() => {
      throw new Error(`processes left behind:\n${childProcesses().join('\n')}`)
    })
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

  async function laneLabels(): Promise<string[]> {
    return page.locator('.timeline-label--thread').allInnerTexts()
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

    // Hovering a lane says what that thread was doing then.
    const lane = page.locator('.timeline-label--thread', { hasText: 'MainThread' })
    const laneBox = await lane.boundingBox()
    const plotBox = await page.locator('.timeline-canvas').boundingBox()
    if (!laneBox || !plotBox) throw new Error('no lane or canvas on the page')
    await page.mouse.move(plotBox.x + plotBox.width * 0.6, laneBox.y + laneBox.height / 2)
    await expect(page.locator('.timeline-tooltip').innerText()).resolves.toMatch(/MainThread/)
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
    await page.screenshot({ path: `${screenshots}writer-drawer-assembler.png` })
  })

  it('runs countdown-gil', async () => {
    await runLesson('countdown-gil')
    const outcome = await waitForEnd()
    expect(outcome).toMatch(/Finished/)
    await waitFor('coloured slices', async () => ((await page.evaluate(COLOURED_PIXELS)) as number) > 2000)
    await page.screenshot({ path: `${screenshots}countdown-gil.png` })
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
