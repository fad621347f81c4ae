/**
 * The whole pipeline, in Chromium (`npm run bench -- pipeline`): bench-flood's thread records as
 * fast as it can, and its events go the way every run's go, worker -> process host -> Run ->
 * session -> browser mode's server -> WebSocket -> the page's run store. Counted in the page, as
 * each message lands in the store; checked against what the run recorded (no loss).
 *
 * The reference, in the same run: the very messages the server sent (captured as they left it,
 * the same bytes: run:events as binary frames, src/shared/eventCodec.ts, the rest as JSON), pushed
 * back to back through the same WebSocket library to a page that only counts them. The pipeline is
 * judged against that raw rate, and against 500,000 events/s. Once they have all come, that page
 * decodes the frames with the app's own decoder: the page's decode rate.
 *
 * The server is the real one (src/server/server.ts). It serves the catalogue's lessons, so
 * bench-flood is added to the catalogue's list in this process for the while, and its runs get a
 * launcher whose thread entry knows the benchmark's models (bench/launcher.ts).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { Browser, Page } from 'playwright-core'
import { WebSocket, WebSocketServer } from 'ws'
import { PrelaunchingLauncher } from '../src/engine/prelaunch'
import { scenarios } from '../src/scenarios/catalog'
import { decodeRunEvents, isEventFrame } from '../src/shared/eventCodec'
import { startServer } from '../src/server/server'
import { rendererDir } from '../tests/e2e/support'
import { figure, formatValue, type Figure } from './figures'
import { benchLauncher } from './launcher'
import { loadNote } from './machine'
import { floodModel } from './models'
import { KEEP_SOCKETS, RUN_STORE, collectErrors, heapAfterGc } from './pageScripts'
import { profileHere, topFunctions, type CpuProfile, type ProfileLine } from './profile'

/** Operations bench-flood's one thread records. */
export const PIPELINE_OPS = 200_000

/**
 * In the page: listen to the app's socket after the app does (so the store has taken each message
 * by then), noting when the store's event count grows; then press Run and wait for the end.
 */
const PIPELINE_SCRIPT = `(async () => {
  const store = ${RUN_STORE}
  const socket = window.__benchSockets.at(-1)
  if (!store || !socket) throw new Error('no run store or no socket to watch')
  const arrivals = { first: null, last: null, events: 0, messages: 0 }
  socket.addEventListener('message', () => {
    arrivals.messages++
    const n = store.events.length
    if (n === arrivals.events) return
    const now = performance.now()
    if (arrivals.first === null) arrivals.first = { at: now, events: n }
    arrivals.last = now
    arrivals.events = n
  })
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Run')
  if (!button || button.disabled) throw new Error('no Run button to press')
  const t0 = performance.now()
  button.click()
  while (!store.ended) {
    await new Promise((r) => setTimeout(r, 50))
    if (performance.now() - t0 > 300000) throw new Error('the run did not end within 300 s')
  }
  return {
    ...arrivals,
    stored: store.events.length,
    missed: store.ended.missed,
    status: store.ended.record.outcome.status,
  }
})()`

interface PageArrivals {
  first: { at: number; events: number } | null
  last: number | null
  events: number
  messages: number
  stored: number
  missed: string | null
  status: string
}

/** A message as the server sent it: JSON text, or a run's events as a binary frame. */
type Sent = string | Buffer

/** The app's decoder of run:events frames, as a script for a page: `window.eventCodec`. */
async function codecScript(): Promise<string> {
  const entry = fileURLToPath(new URL('../src/shared/eventCodec.ts', import.meta.url))
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    globalName: 'eventCodec',
    write: false,
  })
  return out.outputFiles[0].text
}

/**
 * The page of the raw reference: counts the `expected` frames of its socket and notes when each
 * came, taking bytes as the app does (ArrayBuffers). Once all have come, `decodeAll` decodes the
 * frames with the app's decoder and says how long that took. The count is in the page from the
 * start: set afterwards, it could come after the last message, and the page then waited for ever.
 */
const rawPage = (codec: string, expected: number): string => `<!doctype html><meta charset="utf-8">
<title>raw</title><script>${codec}</script><script>
  const frames = []
  const expected = ${expected}
  window.rawResult = new Promise((resolve) => {
    const socket = new WebSocket('ws://' + location.host + '/raw')
    socket.binaryType = 'arraybuffer'
    const at = []
    socket.onmessage = (m) => {
      at.push(performance.now())
      if (typeof m.data !== 'string') frames.push(m.data)
      if (at.length === expected) resolve(at)
    }
    socket.onopen = () => socket.send('go')
  })
  window.decodeAll = () => {
    const t0 = performance.now()
    let events = 0
    for (const f of frames) events += eventCodec.decodeRunEvents(f).events.length
    return { events, ms: performance.now() - t0 }
  }
</script>`

/** The page's decode of every frame: its first pass (as a run meets them), and the best of three. */
interface PageDecode {
  events: number
  firstMs: number
  bestMs: number
}

/**
 * Sends `messages` back to back to a page that counts them: when each arrived there, ms; then
 * what the page's decoder took for the frames among them.
 */
async function rawTransport(
  browser: Browser,
  messages: readonly Sent[],
): Promise<{ at: number[]; decode: PageDecode }> {
  const page_ = rawPage(await codecScript(), messages.length)
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(page_)
  })
  // As the server's: no compression (ws's server default), and its frame limit for what it reads.
  const wss = new WebSocketServer({ server: http, path: '/raw', maxPayload: 256 * 1024 })
  wss.on('connection', (ws) => ws.once('message', () => messages.forEach((m) => ws.send(m))))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const page = await browser.newPage()
  try {
    const { port } = http.address() as AddressInfo
    await page.goto(`http://127.0.0.1:${port}/`)
    const at = (await page.evaluate('window.rawResult')) as number[]
    const passes: { events: number; ms: number }[] = []
    for (let i = 0; i < 3; i++)
      passes.push((await page.evaluate('window.decodeAll()')) as { events: number; ms: number })
    const decode = {
      events: passes[0].events,
      firstMs: passes[0].ms,
      bestMs: Math.min(...passes.map((p) => p.ms)),
    }
    return { at, decode }
  } finally {
    await page.close()
    for (const c of wss.clients) c.terminate()
    wss.close()
    await new Promise((resolve) => http.close(resolve))
  }
}

/** The same, to a Node client of the same library: what the bytes cost without Chromium's side, ms. */
async function rawToNode(messages: readonly Sent[]): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 256 * 1024 })
  await new Promise((resolve) => wss.once('listening', resolve))
  wss.on('connection', (ws) => ws.once('message', () => messages.forEach((m) => ws.send(m))))
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, {
    maxPayload: 1024 ** 3,
  })
  try {
    await new Promise((resolve, reject) => {
      client.once('open', resolve)
      client.once('error', reject)
    })
    let first = 0
    let n = 0
    await new Promise<void>((resolve) => {
      client.on('message', (data) => {
        if (n === 0) first = performance.now()
        void data // a Buffer, text or not: the page's decoding is measured apart
        if (++n === messages.length) resolve()
      })
      client.send('go')
    })
    return performance.now() - first
  } finally {
    client.terminate()
    await new Promise((resolve) => wss.close(resolve))
  }
}

/** How many events a stream message (as sent) carries: 0 unless it is a run's events, a frame. */
function eventsIn(message: Sent): number {
  return typeof message !== 'string' && isEventFrame(message) ? decodeRunEvents(message).events.length : 0
}

/** The bytes of a run:events frame as the JSON message it replaced (a run:stream of run:events). */
function asJsonBytes(message: Sent): number {
  if (typeof message === 'string' || !isEventFrame(message)) return 0
  const decoded = { type: 'run:events', ...decodeRunEvents(message) }
  return Buffer.byteLength(JSON.stringify({ type: 'run:stream', message: decoded }))
}

export interface PipelineResult {
  figures: Figure[]
  profiles: { title: string; lines: ProfileLine[] }[]
}

export async function pipelineFigures(
  browser: Browser,
  errors: string[],
  profile = false,
): Promise<PipelineResult> {
  const load = loadNote()
  // Everything the server's sockets send while the run goes on, as sent: the raw reference's bytes.
  const sent: Sent[] = []
  /** When each left the server (performance.now() here, ms). */
  const sentAt: number[] = []
  let capturing = false
  const send = WebSocket.prototype.send
  WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
    if (capturing && (typeof data === 'string' || data instanceof Uint8Array)) {
      sent.push(typeof data === 'string' ? data : Buffer.from(data)) // a copy: the bytes as they left
      sentAt.push(performance.now())
    }
    return (send as (...a: unknown[]) => void).call(this, data, ...rest)
  } as typeof send
  scenarios.push(floodModel)
  const server = await startServer({
    port: 0,
    rendererDir,
    launcher: async () => new PrelaunchingLauncher(await benchLauncher()),
  })
  let page: Page | null = null
  try {
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
    collectErrors(page, 'the pipeline page', errors)
    await page.addInitScript(KEEP_SOCKETS)
    await page.goto(server.url)
    await page.locator(`[data-scenario="${floodModel.id}"]`).click({ timeout: 30_000 })
    await page.locator('#param-ops').fill(String(PIPELINE_OPS))
    await page.locator('section.timeline[data-events="0"]').waitFor({ timeout: 30_000 })
    const cdp = await page.context().newCDPSession(page)
    const before = await heapAfterGc(cdp)
    if (profile) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.start')
    }
    capturing = true
    const onPage = page
    const run = async (): Promise<PageArrivals> => (await onPage.evaluate(PIPELINE_SCRIPT)) as PageArrivals
    // With --profile, this process too: the orchestrator and the server, which run here.
    const here = profile ? await profileHere(run) : null
    const arrivals = here ? here.result : await run()
    capturing = false
    const profiles: { title: string; lines: ProfileLine[] }[] = []
    if (profile) {
      const { profile: p } = await cdp.send('Profiler.stop')
      profiles.push({
        title: 'Chromium, while bench-flood streams into the page',
        lines: topFunctions(p as unknown as CpuProfile, 15),
      })
    }
    if (here)
      profiles.push({
        title: 'the orchestrator and the server (this process), while bench-flood streams into the page',
        lines: topFunctions(here.profile, 15),
      })
    // The end's own draw and the history's copy settle before the heap is read.
    await page.waitForTimeout(500)
    const after = await heapAfterGc(cdp)
    if (!arrivals.first || arrivals.last === null) throw new Error('no event reached the store')
    if (arrivals.status !== 'finished') throw new Error(`bench-flood ended ${arrivals.status}`)

    const perMessage = sent.map(eventsIn)
    const recorded = perMessage.reduce((a, n) => a + n, 0)
    const lossless = arrivals.missed === null && arrivals.stored === recorded
    // From the first message that brought events to the last: the events after the first message.
    const carried = arrivals.stored - arrivals.first.events
    const pipelineRate = carried / ((arrivals.last - arrivals.first.at) / 1000)

    const { at, decode } = await rawTransport(browser, sent)
    const firstIdx = perMessage.findIndex((n) => n > 0)
    let lastIdx = perMessage.length - 1
    while (lastIdx > 0 && perMessage[lastIdx] === 0) lastIdx--
    // As for the pipeline: what came after the first message with events, up to the last one.
    const rawS = (at[lastIdx] - at[firstIdx]) / 1000
    const rawRate = (recorded - perMessage[firstIdx]) / rawS
    // Measured the same way where the events left the server: what the page could have had at most.
    const serverRate = (recorded - perMessage[firstIdx]) / ((sentAt[lastIdx] - sentAt[firstIdx]) / 1000)
    const rawBytes = sent.slice(firstIdx + 1, lastIdx + 1).reduce((a, m) => a + Buffer.byteLength(m), 0)
    const bytes = sent.reduce((a, m) => a + Buffer.byteLength(m), 0)
    const nodeMs = await rawToNode(sent)
    const frames = sent.filter((m) => eventsIn(m) > 0)
    const frameBytes = frames.reduce((a, m) => a + Buffer.byteLength(m), 0)
    const jsonBytes = frames.reduce((a, m) => a + asJsonBytes(m), 0)

    const what =
      `bench-flood, one thread, ${recorded} events in ${sent.length} messages (${(bytes / 1e6).toFixed(1)} MB; ` +
      `run:events as ${frames.length} binary frames, the rest JSON)` +
      `; the store got ${arrivals.stored} (${lossless ? 'all of them' : `LOST ${recorded - arrivals.stored}: ${arrivals.missed}`})`
    const ratio = pipelineRate / rawRate
    return {
      figures: [
        figure(
          'pipeline, worker thread -> page store (Chromium), events a second',
          lossless ? pipelineRate : null,
          'events/s',
          { op: '>=', value: 500_000 },
          `${what}; the server sent them at ${formatValue(serverRate)} events/s (its first frame with events ` +
            `to its last); ${load}`,
        ),
        figure(
          'pipeline / raw WebSocket carrying the same bytes',
          lossless ? ratio : null,
          'ratio',
          { op: '>=', value: 0.5 },
          `raw: the same ${sent.length} messages sent back to back to a page that counts them, ` +
            `${formatValue(rawRate)} events/s (${(rawBytes / 1e6 / rawS).toFixed(1)} MB/s); ` +
            `the same messages to a Node client of the same library: ${formatValue(nodeMs)} ms in all, ` +
            `${(bytes / 1e6 / (nodeMs / 1000)).toFixed(0)} MB/s; ${loadNote()}`,
        ),
        figure(
          'run:events on the wire (binary frames), bytes per event',
          frameBytes / recorded,
          'B/event',
          null,
          `${recorded} events in ${frames.length} frames, ${(frameBytes / 1e6).toFixed(2)} MB; the same messages ` +
            `as JSON (as they went before): ${formatValue(jsonBytes / recorded)} B/event, ` +
            `${(jsonBytes / 1e6).toFixed(1)} MB, ${formatValue(jsonBytes / frameBytes)}x as many bytes`,
        ),
        figure(
          'page decodes run:events frames (Chromium), events a second',
          decode.events / (decode.firstMs / 1000),
          'events/s',
          null,
          `the app's decoder (src/shared/eventCodec.ts) over the raw page's ${frames.length} frames once they ` +
            `had all come: ${decode.events} events in ${formatValue(decode.firstMs)} ms, the first pass (as a run ` +
            `meets them); the best of three passes ${formatValue(decode.events / (decode.bestMs / 1000))} events/s`,
        ),
        figure(
          'renderer memory, live run, per event',
          (after - before) / recorded,
          'B/event',
          { op: '<=', value: 64 },
          `JS heap after GC with ArrayBuffers (CDP) before Run and after the end: ${(before / 1e6).toFixed(1)} -> ` +
            `${(after / 1e6).toFixed(1)} MB over ${recorded} events`,
        ),
      ],
      profiles,
    }
  } finally {
    capturing = false
    WebSocket.prototype.send = send
    const at = scenarios.indexOf(floodModel)
    if (at >= 0) scenarios.splice(at, 1)
    await page?.close().catch(() => {})
    await server.close().catch(() => {})
  }
}
