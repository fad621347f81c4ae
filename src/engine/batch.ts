/**
 * Run many: a lesson run N times, one run after another, through the launcher a window's runs use,
 * without streaming their events. Each run's outcome is reduced to one value (the verdict figure the
 * scenario names for its distribution, or the outcome's category) and tallied; the first run that gave
 * each value is kept as a gzipped recording, within a memory budget, so that a page can open it.
 */
import {
  batchRunsProblem,
  type BatchMeasure,
  type BatchRequest,
  type BatchStatus,
  type BatchStreamMessage,
  type BatchValue,
} from '../shared/batch'
import { makeRecording, writeRecording, type Recording } from '../shared/recording'
import { runRequest } from '../shared/requestSchema'
import { resolveParams } from '../shared/scenario'
import type { RunRecord } from '../shared/trace'
import { APP_NAME, APP_VERSION } from '../shared/version'
import type { LaunchedProcess, ProcessLauncher } from './launcher'
import { WARM_THREADS, warmThreadsFor } from './prelaunch'
import { Run } from './run'
import type { ScenarioDefinition, Verdict } from './scenario'

/** What the kept recordings of one batch may take, gzipped. */
export const KEEP_BUDGET_BYTES = 64 * 1024 ** 2

export interface BatchOptions {
  /** Bytes the kept recordings may take (default KEEP_BUDGET_BYTES). */
  keepBytes?: number
  /** The app a kept recording says made it. */
  app?: Recording['app']
}

export interface BatchSession {
  readonly batchId: string
  readonly total: number
  /** Stops the run under way (its processes are killed) and starts no other; the end says `cancelled`. */
  cancel(): void
  /** Resolves with the end message once the last run's processes have exited. Never rejects. */
  readonly done: Promise<Extract<BatchStreamMessage, { type: 'batch:end' }>>
  /** The gzipped recording of run `index` (0-based), if it was the first to give its value and was kept. */
  recording(index: number): Uint8Array | undefined
}

let batches = 0

/**
 * One host kept started ahead for the batch's next run: as a run takes its host, the next one starts
 * (Node booted, the runtime and its workers loaded), so that back-to-back runs do not each wait for a
 * process to boot. It boots while the current run runs, which shares the cores with it for a moment,
 * as any other program on the machine would. close() ends it and waits until it has exited.
 */
class LookAheadLauncher implements ProcessLauncher {
  private ahead: { process: LaunchedProcess; exited: boolean; gone: Promise<void> } | null = null
  /** Whether another run will follow the one starting now. */
  more = true
  /** Workers the host started ahead starts: as many as the batch's runs start in theirs. */
  private threads = WARM_THREADS

  constructor(private readonly inner: ProcessLauncher) {}

  get threadEntry(): string {
    return this.inner.threadEntry
  }

  warmFor(workers: number): void {
    this.threads = warmThreadsFor(workers)
    this.inner.warmFor?.(workers)
  }

  launch(name: string): LaunchedProcess {
    const taken = this.ahead
    this.ahead = null
    const process = taken && !taken.exited ? taken.process : this.inner.launch(name)
    if (this.more) this.startNext()
    return process
  }

  private startNext(): void {
    const process = this.inner.launch('interleave-host')
    // Idempotent on a host that is warm already (one the inner launcher kept ready).
    process.send({ type: 'host:warm', threadEntry: this.inner.threadEntry, threads: this.threads })
    const entry = { process, exited: false, gone: Promise.resolve() }
    entry.gone = new Promise((done) =>
      process.onExit(() => {
        entry.exited = true
        done()
      }),
    )
    this.ahead = entry
  }

  async close(): Promise<void> {
    const left = this.ahead
    this.ahead = null
    this.more = false
    if (!left || left.exited) return
    left.process.kill('SIGKILL')
    await left.gone
  }
}

/** The outcome's category when no figure is plotted, or the figure is missing. */
function categoryOf(record: RunRecord): string {
  return record.outcome.deadlock ? 'deadlock' : record.outcome.status
}

/** The value a run gave: its figure where the scenario names one and the run finished, else its category. */
export function batchValueOf(
  scenario: ScenarioDefinition,
  record: RunRecord,
  verdict: Verdict | null,
): number | string {
  const figure = scenario.distribution?.figure
  const value = figure !== undefined ? verdict?.figures[figure] : undefined
  if (record.outcome.status !== 'finished' || value === undefined) return categoryOf(record)
  if (typeof value === 'number') return Number.isFinite(value) ? value : categoryOf(record)
  return value
}

function expectedOf(scenario: ScenarioDefinition, verdict: Verdict | null): number | null {
  const expected = scenario.distribution?.expected
  if (typeof expected === 'number') return expected
  if (expected === undefined || !verdict) return null
  const value = Number(verdict.figures[expected])
  return Number.isFinite(value) ? value : null
}

/**
 * Starts a batch. Throws (ParamError, RangeError, Error) with a message for the user when the request
 * is bad: nothing is started then. `send` hears batch:started at once, batch:progress after each run,
 * then batch:end.
 */
export function startBatch(
  find: (id: string) => ScenarioDefinition | undefined,
  request: BatchRequest,
  launcher: ProcessLauncher,
  send: (message: BatchStreamMessage) => void,
  options: BatchOptions = {},
): BatchSession {
  if (typeof request !== 'object' || request === null) throw new Error('no batch was asked for')
  const problem = batchRunsProblem(request.runs)
  if (problem) throw new RangeError(problem)
  if (typeof request.run !== 'object' || request.run === null || typeof request.run.scenario !== 'string')
    throw new Error('no lesson was named to run')
  // Its shape as a run's (src/engine/session.ts): only the checked copy is read.
  const asked = runRequest(request.run, 'request.run')
  const found = find(asked.scenario)
  if (!found) throw new Error(`unknown scenario '${asked.scenario}'`)
  const scenario: ScenarioDefinition = found
  const params = resolveParams(scenario.params, asked.params)
  const runOptions = { ...asked.options }
  if (runOptions.timeoutS === undefined && scenario.timeoutS !== undefined)
    runOptions.timeoutS = scenario.timeoutS
  const ahead = new LookAheadLauncher(launcher)
  // The first run is made now: its constructor checks the options, so a bad one starts nothing.
  let next: Run | null = new Run(scenario, params, runOptions, ahead)
  const total = request.runs
  const budget = options.keepBytes ?? KEEP_BUDGET_BYTES
  const app = options.app ?? { name: APP_NAME, version: APP_VERSION, electron: null }
  const batchId = `batch-${process.pid}-${++batches}`
  const measure: BatchMeasure = {
    figure: scenario.distribution?.figure ?? null,
    label: scenario.distribution?.label ?? 'outcome',
    expected: typeof scenario.distribution?.expected === 'number' ? scenario.distribution.expected : null,
  }
  send({
    type: 'batch:started',
    batchId,
    scenario: scenario.id,
    params,
    options: next.options,
    total,
    measure,
  })

  const tally = new Map<number | string, BatchValue>()
  const kept = new Map<number, Uint8Array>()
  let keptBytes = 0
  let expected = measure.expected
  let current: Run | null = null
  let cancelled = false

  async function one(run: Run, index: number): Promise<boolean> {
    current = run
    const record = await run.start()
    current = null
    // A run cut short by Cancel is no outcome of the lesson: it is not counted.
    if (cancelled) return false
    let verdict: Verdict | null = null
    try {
      verdict = scenario.verdict(record)
    } catch {
      verdict = null // a verdict that cannot read a broken run: its category stands
    }
    expected ??= expectedOf(scenario, verdict)
    const value = batchValueOf(scenario, record, verdict)
    let entry = tally.get(value)
    if (entry) entry.count++
    else {
      entry = { value, count: 1, firstRun: index, kept: false }
      tally.set(value, entry)
      const text = verdict?.text ?? record.outcome.message
      const bytes = await writeRecording(makeRecording(record, text, app), true)
      if (keptBytes + bytes.byteLength <= budget) {
        kept.set(index, bytes)
        keptBytes += bytes.byteLength
        entry.kept = true
      }
    }
    send({ type: 'batch:progress', batchId, done: index + 1, total, value: { ...entry }, expected })
    return true
  }

  async function all(): Promise<Extract<BatchStreamMessage, { type: 'batch:end' }>> {
    let done = 0
    let status: BatchStatus = 'finished'
    let message = ''
    try {
      for (let i = 0; i < total && !cancelled; i++) {
        const run: Run = next ?? new Run(scenario, params, runOptions, ahead)
        next = null
        ahead.more = i < total - 1
        if (await one(run, i)) done++
      }
      if (cancelled) {
        status = 'cancelled'
        message = `cancelled after ${done} of ${total} runs`
      } else message = `${total} runs`
    } catch (e) {
      status = 'failed'
      message = `run ${done + 1} failed: ${e instanceof Error ? e.message : String(e)}`
    }
    // No process of the batch outlives its end.
    await ahead.close()
    const end = {
      type: 'batch:end' as const,
      batchId,
      status,
      message,
      done,
      total,
      values: [...tally.values()].map((v) => ({ ...v })),
      expected,
      keptBytes,
    }
    send(end)
    return end
  }

  return {
    batchId,
    total,
    cancel() {
      cancelled = true
      ahead.more = false
      current?.stop()
    },
    done: all(),
    recording: (index) => kept.get(index),
  }
}

/**
 * The batches of one page (a browser tab's socket, a window): one runs at a time, and the last one's
 * kept recordings stay to be opened until the next starts or the page goes.
 */
export class PageBatches {
  private running: BatchSession | null = null
  private last: BatchSession | null = null

  constructor(
    private readonly find: (id: string) => ScenarioDefinition | undefined,
    private readonly send: (message: BatchStreamMessage) => void,
    private readonly options: BatchOptions = {},
  ) {}

  /** Whether a batch is running (its runs' processes may be alive). */
  get busy(): boolean {
    return this.running !== null
  }

  /** Starts a batch; throws with a message for the user when the request is bad or one is running. */
  start(request: unknown, launcher: ProcessLauncher): { batchId: string } {
    if (this.running) throw new Error('a batch of runs is already under way: cancel it first')
    const session = startBatch(this.find, request as BatchRequest, launcher, this.send, this.options)
    this.running = session
    this.last = session
    void session.done.then(() => {
      if (this.running === session) this.running = null
    })
    return { batchId: session.batchId }
  }

  /** Cancels the page's batch by its id; another id is ignored. */
  cancel(batchId: unknown): void {
    if (this.running && this.running.batchId === batchId) this.running.cancel()
  }

  /** The recording kept for run `run` of batch `batchId`; throws with a message when there is none. */
  recording(batchId: unknown, run: unknown): Uint8Array {
    if (typeof batchId !== 'string' || typeof run !== 'number' || !Number.isInteger(run) || run < 0)
      throw new Error('a kept run is named by its batch and its number')
    if (this.last?.batchId !== batchId) throw new Error('that batch of runs is no longer kept')
    const bytes = this.last.recording(run)
    if (!bytes) throw new Error(`run ${run + 1} of that batch was not kept`)
    return bytes
  }

  /** The page has gone: its batch is cancelled, waited for, and its recordings let go. */
  async close(): Promise<void> {
    const running = this.running
    running?.cancel()
    this.last = null
    await running?.done
  }
}
