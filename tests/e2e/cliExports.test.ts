/**
 * A 60-second recording of bounded-buffer, exported to every format from the command line:
 * Perfetto, the HTML player, SVG, PNG and WebM (the last three drawn in headless Chromium).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { readRecordingFile } from '../../src/engine/recordingFile'
import { checkChromeTrace } from '../../src/shared/export/traceFormat'
import { readEbml, WEBM_IDS } from '../../src/shared/export/webm'
import { CHROMIUM, CHROMIUM_ARGS, hasChromium, interleave, videoFacts } from './support'

const describeInChromium = hasChromium ? describe : describe.skip

describeInChromium('every export of a 60-second recording, from the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'interleave-cli-exports-'))
  const recording = join(dir, 'bb60.interleave.json.gz')

  beforeAll(async () => {
    const run = await interleave('run', 'bounded-buffer', '-p', 'duration=60', '--out', recording)
    expect(run.code, run.stderr).toBe(0)
  }, 200_000)

  async function exported(format: string, ...extra: string[]): Promise<Buffer> {
    const out = join(dir, `bb60.${format}`)
    const r = await interleave('export', recording, '--format', format, '--out', out, ...extra)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`Wrote ${out} (${format}).`)
    return readFileSync(out)
  }

  it('the recording holds a minute of the run', async () => {
    const saved = await readRecordingFile(recording)
    expect(saved.record.outcome.wallUs).toBeGreaterThan(60e6)
    expect(saved.record.events.length).toBeGreaterThan(1000)
  })

  it('perfetto: a trace that keeps the format’s rules', async () => {
    expect(checkChromeTrace(JSON.parse((await exported('perfetto')).toString('utf8')))).toEqual([])
  })

  it('html: one file carrying the recording', async () => {
    const html = (await exported('html')).toString('utf8')
    expect(html).toContain('id="interleave-recording"')
    expect(html).toContain("connect-src 'none'")
  })

  it('svg: the timeline with its title', async () => {
    const svg = (await exported('svg', '--size', '1600x900')).toString('utf8')
    expect(svg).toMatch(/^<\?xml [^>]*>\s*<svg[^>]* width="1600" height="900"/)
    expect(svg).toContain('Producers and consumers on a bounded queue')
    expect(svg).toContain('<pattern')
  })

  it('png: the picture at the size and scale asked for', async () => {
    const png = await exported('png', '--size', '1280x720', '--scale', '2')
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(png.readUInt32BE(16)).toBe(2560)
    expect(png.readUInt32BE(20)).toBe(1440)
    const bad = await interleave('export', recording, '--format', 'png', '--size', '100000x10')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/width must be from/)
  })

  it('webm: a video of the replay that Chromium plays', async () => {
    const webm = await exported('webm', '--size', '640x360', '--fps', '5', '--playback', '10')
    const [header, segment] = readEbml(new Uint8Array(webm))
    expect(header.id).toBe(WEBM_IDS.EBML)
    expect(segment.id).toBe(WEBM_IDS.Segment)
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
    try {
      const page = await browser.newPage()
      const meta = await videoFacts(page, join(dir, 'bb60.webm'))
      expect(meta.width).toBe(640)
      expect(meta.height).toBe(360)
      // About 62 s of run at 10x: about 6 s of video.
      expect(meta.duration).toBeGreaterThan(5)
      expect(meta.duration).toBeLessThan(9)
    } finally {
      await browser.close()
    }
  })
})
