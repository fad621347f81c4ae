/**
 * `npm run bench`: what tracing costs and how fast a thread records; then, in Chromium, how soon a
 * run's first events show and how smooth the page stays (bench/browser.ts). Prints figures against
 * the targets; it does not fail on them (timings on a shared machine are for reading, not asserting).
 * Last, the soak (bench/soak.ts): 500 runs back to back, with memory, handles and processes flat.
 * `npm run bench -- engine`, `-- browser` or `-- soak` prints only that part.
 */
import { MessageChannel } from 'node:worker_threads'
import { makeClock, monotonicUs } from '../src/engine/clock'
import { code, RecordType, OP, RESULT, opSub } from '../src/engine/records'
import { Tracer } from '../src/engine/thread/tracer'
import { Run } from '../src/engine/run'
import { resolveParams } from '../src/shared/scenario'
import { findScenario } from '../src/scenarios/catalog'
import { localLauncher } from '../src/engine/localLauncher'
import { browserLines, measureBrowser } from './browser'
import { soakFigures, soakLines } from './soak'

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function recordingRate(): Promise<number> {
  const { port1, port2 } = new MessageChannel()
  let received = 0
  port2.on('message', (m: { records: Float64Array }) => (received += m.records.length))
  const tracer = new Tracer(0, 0, makeClock(monotonicUs()), (batch, transfer) =>
    port1.postMessage(batch, transfer),
  )
  const opCode = code(RecordType.Op, opSub(OP.read, RESULT.ok))
  const n = 5_000_000
  const rates: number[] = []
  for (let round = 0; round < 3; round++) {
    const t0 = performance.now()
    for (let i = 0; i < n; i++) tracer.record(opCode, 7, 18, i, 0, 0, -1, -1)
    tracer.flush()
    rates.push(n / ((performance.now() - t0) / 1000))
  }
  await new Promise((r) => setTimeout(r, 100))
  port1.close()
  port2.close()
  if (received === 0) throw new Error('the benchmark sink received nothing')
  return median(rates)
}

async function run(id: string, params: Record<string, string | number>, trace: boolean) {
  const def = findScenario(id)!
  const r = new Run(def, resolveParams(def.params, params), { trace, timeoutS: 120 }, await localLauncher())
  return r.start()
}

async function tracingOverhead(): Promise<{ traced: number; untraced: number; events: number }> {
  const traced: number[] = []
  const untraced: number[] = []
  let events = 0
  for (let i = 0; i < 5; i++) {
    const a = await run('countdown-gil', { count: 20_000_000 }, true)
    const b = await run('countdown-gil', { count: 20_000_000 }, false)
    traced.push(Number(a.result.elapsedS))
    untraced.push(Number(b.result.elapsedS))
    events = a.events.length
  }
  return { traced: median(traced), untraced: median(untraced), events }
}

async function endToEnd(): Promise<{ events: number; threadSeconds: number }> {
  const r = await run('race-counter', { threads: 2, iterations: 10000 }, true)
  const running = r.events.filter((e) => e.type === 'op').length
  const threadSeconds = r.final.reduce((a, t) => a + t.cpuUs, 0) / 1e6
  return { events: running, threadSeconds }
}

async function main(): Promise<void> {
  const only = process.argv[2]
  if (only !== undefined && only !== 'engine' && only !== 'browser' && only !== 'soak') {
    throw new Error(`unknown part '${only}': engine, browser, soak, or nothing for all three`)
  }
  console.log(
    'Interleave benchmarks (2 cores shared with whatever else runs; read the figures, do not gate on them)\n',
  )
  if (only === undefined || only === 'engine') await engineFigures()
  if (only === undefined || only === 'browser')
    for (const line of browserLines(await measureBrowser())) console.log(line)
  if (only === undefined || only === 'soak')
    for (const line of soakLines(await soakFigures())) console.log(line)
}

async function engineFigures(): Promise<void> {
  const rate = await recordingRate()
  console.log(
    `recording, one thread:        ${(rate / 1e6).toFixed(2)} M events/s   (target >= 1 M events/s: ${rate >= 1e6 ? 'met' : 'NOT met'})`,
  )
  const e2e = await endToEnd()
  console.log(
    `race-counter 2x10000, traced: ${e2e.events} operations recorded in ${e2e.threadSeconds.toFixed(2)} s of thread CPU`,
  )
  const o = await tracingOverhead()
  const pct = ((o.traced - o.untraced) / o.untraced) * 100
  console.log(
    `countdown-gil tracing cost:   traced ${o.traced.toFixed(3)} s, untraced ${o.untraced.toFixed(3)} s (median of 5), ` +
      `${pct.toFixed(1)} %   (target <= 5 %: ${pct <= 5 ? 'met' : 'NOT met'}; ${o.events} events)`,
  )
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
