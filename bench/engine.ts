/**
 * The engine's figures (`npm run bench -- engine`), in Node with real processes and threads:
 *
 * - tracing overhead: countdown-gil's wall time traced against untraced, with processes and with
 *   threads under GIL off (the cases where the workers run side by side, so tracing cost cannot
 *   hide behind the GIL), traced and untraced runs interleaved;
 * - how many events one thread records a second (its tracer into a MessageChannel);
 * - how many events a second reach the orchestrator (a Run's update listener) from a thread that
 *   records as fast as it can (bench-flood), and how far behind the recording they arrive;
 * - what a real run's recording weighs on disk, per event.
 */
import { cpus } from 'node:os'
import { MessageChannel } from 'node:worker_threads'
import { gzipSync } from 'node:zlib'
import { makeClock, monotonicUs } from '../src/engine/clock'
import { localLauncher } from '../src/engine/localLauncher'
import { code, OP, RESULT, RecordType, opSub } from '../src/engine/records'
import type { ProcessLauncher } from '../src/engine/launcher'
import { Run } from '../src/engine/run'
import type { ScenarioDefinition } from '../src/engine/scenario'
import { Tracer } from '../src/engine/thread/tracer'
import { findScenario } from '../src/scenarios/catalog'
import { makeRecording } from '../src/shared/recording'
import { resolveParams } from '../src/shared/scenario'
import type { RunOptions, RunRecord } from '../src/shared/trace'
import { figure, formatValue, median, spread, type Figure } from './figures'
import { benchLauncher } from './launcher'
import { loadNote } from './machine'
import { floodModel } from './models'
import { profileHere, profileLines, topFunctions } from './profile'

/** Traced/untraced pairs per mode; each pair runs in alternating order (ABBA) against drift. */
const OVERHEAD_PAIRS = 6
/** Where each countdown starts: about a second of counting per worker on an idle core. */
const OVERHEAD_COUNT = 10_000_000
/** Operations the flood thread records for the orchestrator's figure. */
const FLOOD_OPS = 200_000

let stock: ReturnType<typeof localLauncher> | undefined

/** One run of a catalogue lesson with the runtime as the CLI and the server run it. */
async function runOnce(
  def: ScenarioDefinition,
  params: Record<string, string | number>,
  options: Partial<RunOptions>,
): Promise<RunRecord> {
  stock ??= localLauncher()
  const run = new Run(def, resolveParams(def.params, params), { timeoutS: 120, ...options }, await stock)
  const record = await run.start()
  if (record.outcome.status !== 'finished')
    throw new Error(`${def.id} did not finish: ${record.outcome.message}`)
  return record
}

function catalogue(id: string): ScenarioDefinition {
  const def = findScenario(id)
  if (!def) throw new Error(`no scenario ${id} in the catalogue`)
  return def
}

/** Events one thread records a second, into a real MessageChannel (what a worker's tracer posts to). */
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

/**
 * The countdown's wall time: from the first worker's start to the last one's end, by the workers'
 * thread-start and thread-end events (kept when a run is not traced too). countdown-gil's own
 * figure (perf_counter around start() and join()) also holds the start of a process, whose spread
 * from one run to the next on a busy machine is larger than the cost being measured.
 */
function countdownS(r: RunRecord): number {
  let first = Infinity
  let last = -Infinity
  for (const e of r.events) {
    if (e.pid === 0 && e.tid === 0) continue // MainThread of MainProcess starts and joins, it does not count
    if (e.type === 'thread-start') first = Math.min(first, e.tUs)
    if (e.type === 'thread-end') last = Math.max(last, e.tUs)
  }
  if (!(last > first)) throw new Error('countdown-gil: no worker started and ended')
  return (last - first) / 1e6
}

async function tracingOverhead(mode: 'processes' | 'threads'): Promise<Figure> {
  const load = loadNote()
  const def = catalogue('countdown-gil')
  const params = { workers: 2, count: OVERHEAD_COUNT, mode }
  const options = { gil: mode === 'processes' }
  const traced: number[] = []
  const untraced: number[] = []
  let events = 0
  for (let i = 0; i < OVERHEAD_PAIRS; i++) {
    for (const trace of i % 2 === 0 ? [true, false] : [false, true]) {
      const r = await runOnce(def, params, { ...options, trace })
      ;(trace ? traced : untraced).push(countdownS(r))
      if (trace) events = r.events.length
    }
  }
  const ratio = median(traced) / median(untraced)
  const pairRatios = spread(traced.map((t, i) => t / untraced[i]))
  const name =
    mode === 'processes'
      ? 'tracing overhead: countdown-gil, 2 processes, traced / untraced wall time'
      : 'tracing overhead: countdown-gil, 2 threads, GIL off, traced / untraced wall time'
  const s = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ')
  return figure(
    name,
    ratio,
    'ratio',
    { op: '<=', value: 1.05 },
    `median of ${OVERHEAD_PAIRS} traced runs ${median(traced).toFixed(3)} s / median of ${OVERHEAD_PAIRS} untraced ` +
      `${median(untraced).toFixed(3)} s, run in turns (count ${OVERHEAD_COUNT.toLocaleString('en-US')} on each of 2 ` +
      `workers, timed from the first worker's start to the last one's end); traced ${s(traced)} s, untraced ` +
      `${s(untraced)} s; fastest / fastest ${formatValue(Math.min(...traced) / Math.min(...untraced))}, pair by pair ` +
      `${formatValue(pairRatios.min)} to ${formatValue(pairRatios.max)}; ${events} events traced; ${load}`,
  )
}

interface PipelineRun {
  /** The flood thread's events. */
  events: number
  /** Its events over the time it took to record them, a second. */
  recordedPerS: number
  /** Its events over the time from its first event recorded to the last one's arrival, a second. */
  carriedPerS: number
  /** How long after the last event was recorded it arrived, ms. */
  lagMs: number
  /** CPU the orchestrator (this process) used meanwhile, s, and the run's wall time, s. */
  orchestratorCpuS: number
  wallS: number
  /** CPU the run's process host used from its first batch of events to its last, s, and the flood thread's own, s. */
  hostCpuS: number
  threadCpuS: number
}

/** The bench's launcher, noting the CPU time each host reports with its first and its last batch of events. */
function watchedLauncher(inner: ProcessLauncher): { launcher: ProcessLauncher; hostCpuUs: () => number } {
  const spans: { first: number; last: number }[] = []
  const launcher: ProcessLauncher = {
    threadEntry: inner.threadEntry,
    launch(name) {
      const process = inner.launch(name)
      const span = { first: -1, last: -1 }
      spans.push(span)
      process.onMessage((m) => {
        if (m.type !== 'trace:batch' || m.batches.length === 0) return
        if (span.first < 0) span.first = m.processCpuUs
        span.last = m.processCpuUs
      })
      return process
    },
  }
  return { launcher, hostCpuUs: () => spans.reduce((sum, s) => sum + (s.last - s.first), 0) }
}

/** bench-flood through a Run; events counted as its update listener gets them (the stream a window gets). */
async function floodThroughRun(): Promise<PipelineRun> {
  const hosts = watchedLauncher(await benchLauncher())
  const run = new Run(
    floodModel,
    resolveParams(floodModel.params, { threads: 1, ops: FLOOD_OPS }),
    { gil: true, timeoutS: 300 },
    hosts.launcher,
  )
  let lastArrivalUs = 0
  run.onUpdate((u) => {
    if (u.events.length) lastArrivalUs = run.nowUs()
  })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const record = await run.start()
  const wallS = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  // The flood thread is the run's second thread (tid 1) of its only process.
  let first = Infinity
  let last = -Infinity
  let events = 0
  for (const e of record.events) {
    if (e.pid !== 0 || e.tid !== 1) continue
    events++
    if (e.tUs < first) first = e.tUs
    if (e.tUs > last) last = e.tUs
  }
  if (events < FLOOD_OPS)
    throw new Error(`bench-flood recorded ${events} events, fewer than its ${FLOOD_OPS} ops`)
  let threadCpuUs = 0
  for (const c of record.threadCpu)
    if (c.pid === 0 && c.tid === 1) threadCpuUs = Math.max(threadCpuUs, c.cpuUs)
  return {
    events,
    recordedPerS: events / ((last - first) / 1e6),
    carriedPerS: events / ((lastArrivalUs - first) / 1e6),
    lagMs: (lastArrivalUs - last) / 1000,
    orchestratorCpuS: (cpu.user + cpu.system) / 1e6,
    wallS,
    hostCpuS: hosts.hostCpuUs() / 1e6,
    threadCpuS: threadCpuUs / 1e6,
  }
}

/** A real lesson's recording (race-counter, two threads of 10,000 increments), its bytes per event. */
async function recordingSizes(): Promise<Figure[]> {
  const load = loadNote()
  const def = catalogue('race-counter')
  const record = await runOnce(def, { threads: 2, iterations: 10000 }, {})
  const recording = makeRecording(record, def.verdict(record).text, {
    name: 'interleave',
    version: 'bench',
    electron: null,
  })
  // As writeRecording makes the file: JSON, gzip-compressed when saved from the app.
  const json = Buffer.from(JSON.stringify(recording))
  const gz = gzipSync(json)
  const n = record.events.length
  const what = `race-counter 2x10000, ${n} events (${(json.length / 1e6).toFixed(1)} MB JSON, ${(gz.length / 1e6).toFixed(2)} MB gzip)`
  return [
    figure(
      'recording file, .interleave.json.gz, per event',
      gz.length / n,
      'B/event',
      null,
      `${what}; ${load}`,
    ),
    figure('recording file, uncompressed JSON, per event', json.length / n, 'B/event', null, what),
  ]
}

/** The engine's figures; with `profile`, where the orchestrator's time goes while bench-flood streams, into `lines`. */
export async function engineFigures(profile = false, lines: string[] = []): Promise<Figure[]> {
  const figures: Figure[] = []
  const rate = await recordingRate()
  figures.push(
    figure(
      'events one thread records',
      rate,
      'events/s',
      { op: '>=', value: 1_000_000 },
      `Tracer.record into a MessageChannel, median of 3 rounds of 5 M; ${loadNote()}`,
    ),
  )

  const load = loadNote()
  let p: PipelineRun
  if (profile) {
    const profiled = await profileHere(floodThroughRun)
    p = profiled.result
    lines.push(
      ...profileLines(
        'the orchestrator (this process) while bench-flood streams',
        topFunctions(profiled.profile),
      ),
    )
  } else p = await floodThroughRun()
  figures.push(
    figure(
      'pipeline, worker thread -> orchestrator (Run update listener)',
      p.carriedPerS,
      'events/s',
      { op: '>=', value: 500_000 },
      `bench-flood, one thread, ${p.events} events: recorded at ${formatValue(p.recordedPerS)}/s, the last arrived ` +
        `${formatValue(p.lagMs)} ms after it was recorded; the orchestrator used ${p.orchestratorCpuS.toFixed(1)} s of CPU ` +
        `in ${p.wallS.toFixed(1)} s (${cpus().length} cores), the process host ${p.hostCpuS.toFixed(2)} s from its first ` +
        `batch to its last, the flood thread ${p.threadCpuS.toFixed(2)} s; ${load}`,
    ),
  )

  figures.push(await tracingOverhead('processes'))
  figures.push(await tracingOverhead('threads'))
  figures.push(...(await recordingSizes()))
  return figures
}
