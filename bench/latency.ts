/**
 * Wake latency (`npm run bench -- latency`): how soon a thread blocked on a lock or a condition runs
 * after another thread releases or notifies it, read from the trace of a model that hands the
 * object back and forth (bench/models.ts, bench/wakes.ts). Measured in the same run against what
 * the OS and Node give without Interleave:
 *
 * - in one process: a bare Atomics.notify -> Atomics.wait wake between two worker threads (the
 *   primitive every in-process object blocks on);
 * - across processes: a bare message round trip between two Node processes over the IPC channel
 *   the hosts use (child_process with advanced serialization). A brokered wake is two such hops
 *   (waker's host -> orchestrator -> woken thread's host) and two in-process ones.
 */
import { spawn } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { Run } from '../src/engine/run'
import { resolveParams } from '../src/shared/scenario'
import type { ScenarioDefinition } from '../src/engine/scenario'
import { figure, formatValue, spread, type Figure, type Spread, type Target } from './figures'
import { benchLauncher } from './launcher'
import { MARK, wakeConditionModel, wakeLockModel, wakeMpConditionModel, wakeMpLockModel } from './models'
import { findWakes, type Wake } from './wakes'
import { loadNote } from './machine'

/** Handovers each way a model makes; the reference makes as many wakes. */
const ROUNDS = 2000
/** Wakes left out at the start of each series: the JIT warms up on the first ones. */
const WARMUP_WAKES = 100
/**
 * How long a bare waker runs on after its notify in the reference that does (µs): about what a
 * model's waker takes from its release() event to its own next wait (the median from release to
 * its blocked state in bench-wake-lock here: 4 to 5 µs).
 */
const WAKER_ON_US = 5

interface ModelWakes {
  latency: Spread
  /** Where the time goes, in the notes: each leg's median and p95, and the orchestrator's CPU. */
  legs: string
}

/** One model run; its wakes after the warm-up. */
async function modelWakes(model: ScenarioDefinition, gil: boolean): Promise<ModelWakes> {
  const run = new Run(
    model,
    resolveParams(model.params, { rounds: ROUNDS }),
    { gil, timeoutS: 120 },
    await benchLauncher(),
  )
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const record = await run.start()
  const wallS = (performance.now() - t0) / 1000
  const cpu = process.cpuUsage(cpu0)
  if (record.outcome.status !== 'finished')
    throw new Error(`${model.id} did not finish: ${record.outcome.message}`)
  const all = findWakes(record.events, MARK)
  if (all.length < ROUNDS) throw new Error(`${model.id}: only ${all.length} wakes found in its trace`)
  const wakes = all.slice(WARMUP_WAKES)
  const leg = (name: string, f: (w: Wake) => number): string => `${name} ${us(spread(wakes.map(f)))}`
  const share = (f: (w: Wake) => boolean): string =>
    `${formatValue((100 * wakes.filter(f).length) / wakes.length)} %`
  const parked = wakes.filter((w) => w.wakerParkedUs !== null)
  const wakerOn = spread(parked.map((w) => w.wakerParkedUs! - w.causeUs))
  return {
    latency: spread(wakes.map((w) => w.latencyUs)),
    legs:
      `legs: ${leg('call -> release/notify event', (w) => w.causeUs - w.callUs)}; ` +
      `${leg("-> woken thread's acquire/wait event", (w) => w.wokenUs - w.causeUs)}; ` +
      `${leg('-> running', (w) => w.runningUs - w.wokenUs)}; ` +
      // Where a woken thread finds no core free it runs once its waker parks: how long the waker
      // ran on, and how often the woken thread ran only after that.
      `the waker from its release/notify event to its own park ${us(wakerOn)}; the woken thread ran ` +
      `only after its waker had parked in ${share((w) => w.wakerParkedUs !== null && w.wakerParkedUs <= w.runningUs)} ` +
      `of wakes, and blocked again before it ran (the lock its notifier still held, or the GIL) in ` +
      `${share((w) => w.blockedAgain)}; the orchestrator (decoding the trace) used ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(1)} s of CPU in the run's ${wallS.toFixed(1)} s`,
  }
}

/**
 * Two worker threads wake each other in turn through Atomics.notify and Atomics.wait on one shared
 * word, as the engine's threads do, each noting on the system's monotonic clock (the trace's) when
 * it notified and when it woke. Only waits that really slept (Atomics.wait returned 'ok') count.
 */
const ATOMICS_WORKER = `
const { workerData } = require('node:worker_threads')
const { turn, notifiedUs, wokeUs, slept, me, rounds, onAfterUs } = workerData
const word = new Int32Array(turn)
const sent = new Float64Array(notifiedUs)
const woke = new Float64Array(wokeUs)
const sleptFlags = new Int32Array(slept)
const now = () => Number(process.hrtime.bigint()) / 1000
// Round r is worker (r % 2)'s to wake the other: it bumps the word to r + 1 and notifies.
for (let r = 0; r < rounds * 2; r++) {
  if (r % 2 === me) {
    sent[r] = now()
    Atomics.store(word, 0, r + 1)
    Atomics.notify(word, 0)
    // As a thread that releases a lock and goes on to its next call: it runs a while before it waits.
    if (onAfterUs > 0) {
      const t0 = performance.now()
      while ((performance.now() - t0) * 1000 < onAfterUs);
    }
  } else {
    let didSleep = false
    for (;;) {
      const v = Atomics.load(word, 0)
      if (v === r + 1) break
      if (Atomics.wait(word, 0, v) === 'ok') didSleep = true
    }
    woke[r] = now()
    sleptFlags[r] = didSleep ? 1 : 0
  }
}
`

/**
 * The bare wakes; with `busy`, while this process's main thread computes without a break, as the
 * orchestrator does while it decodes a run's trace: what two cores shared with a third busy thread
 * do to a wake, with no Interleave code in the way. With `onAfterUs`, the waker runs on for that
 * long after its notify before it waits in turn, as a model's thread does between its release()
 * and its next acquire() blocking (WAKER_ON_US).
 */
export async function atomicsWakes(busy = false, onAfterUs = 0): Promise<number[]> {
  const n = ROUNDS * 2
  const shared = {
    turn: new SharedArrayBuffer(4),
    notifiedUs: new SharedArrayBuffer(8 * n),
    wokeUs: new SharedArrayBuffer(8 * n),
    slept: new SharedArrayBuffer(4 * n),
    rounds: ROUNDS,
    onAfterUs,
  }
  const workers = [0, 1].map(
    (me) => new Worker(ATOMICS_WORKER, { eval: true, workerData: { ...shared, me } }),
  )
  let ended = 0
  const done = Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('error', reject)
          w.once('exit', (code) => {
            ended++
            if (code === 0) resolve()
            else reject(new Error(`atomics worker exited ${code}`))
          })
        }),
    ),
  )
  // Busy in slices of 50 ms, letting the workers' exits in between.
  while (busy && ended < workers.length) {
    const t0 = performance.now()
    while (performance.now() - t0 < 50) sink = (sink * 1103515245 + 12345) % 2147483648
    await new Promise((r) => setImmediate(r))
  }
  await done
  const sent = new Float64Array(shared.notifiedUs)
  const woke = new Float64Array(shared.wokeUs)
  const slept = new Int32Array(shared.slept)
  const out: number[] = []
  for (let r = WARMUP_WAKES; r < n; r++) if (slept[r]) out.push(woke[r] - sent[r])
  return out
}

let sink = 1

/** A child that answers every message at once with one of the same shape. */
const ECHO_CHILD = `process.on('message', (m) => process.send({ type: 'reply', tid: m.tid, reply: m.request }))`

/** Round trips of a small message between this process and a child, as a host talks to the orchestrator. */
async function processRoundTrips(): Promise<number[]> {
  const child = spawn(process.execPath, ['-e', ECHO_CHILD], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  })
  try {
    const rtts: number[] = []
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`the echo child exited early (${code})`)))
      let i = 0
      let t0 = 0
      const send = (): void => {
        t0 = performance.now()
        child.send({ type: 'broker:request', tid: 1, request: { op: 'release', obj: 1, args: [], event: i } })
      }
      child.on('message', () => {
        rtts.push((performance.now() - t0) * 1000)
        if (++i === ROUNDS * 2) resolve()
        else send()
      })
      send()
    })
    return rtts.slice(WARMUP_WAKES)
  } finally {
    child.removeAllListeners('exit')
    child.kill('SIGKILL')
  }
}

const us = (s: Spread): string => `median ${formatValue(s.median)} µs, p95 ${formatValue(s.p95)} µs`

export async function latencyFigures(): Promise<Figure[]> {
  const load = loadNote()
  // The references first and last would bracket drift; on a shared machine the order matters less
  // than the count, so each is taken once, right before the figures that are judged against it.
  const atomics = spread(await atomicsWakes())
  const atomicsBusy = spread(await atomicsWakes(true))
  const atomicsOn = spread(await atomicsWakes(true, WAKER_ON_US))
  const lock = await modelWakes(wakeLockModel, false)
  const cond = await modelWakes(wakeConditionModel, false)
  const lockGil = await modelWakes(wakeLockModel, true)
  // The same bare wake once more, after the models: on a VM a bare wake's cost depends on whether
  // the woken thread's virtual CPU had gone idle (the guest's halt polling adapts as it goes), so
  // the reference can change by several times within a minute; the two takes show by how much.
  const atomicsAfter = spread(await atomicsWakes())
  const rtt = spread(await processRoundTrips())
  const mpLock = await modelWakes(wakeMpLockModel, true)
  const mpCond = await modelWakes(wakeMpConditionModel, true)

  const ref = `bare Atomics.notify -> Atomics.wait between two worker threads, same run: ${us(atomics)} over ${atomics.n} wakes`
  const within2x = (what: 'median' | 'p95'): Target => ({
    op: '<=',
    value: 2 * atomics[what],
    text: `<= 2x bare Atomics (${formatValue(2 * atomics[what])} µs)`,
  })
  const inProcess = (name: string, m: ModelWakes): Figure[] => [
    figure(
      `wake: ${name}, median`,
      m.latency.median,
      'µs',
      within2x('median'),
      `GIL off; ${m.latency.n} wakes; ${ref}; ${m.legs}; ${load}`,
    ),
    figure(
      `wake: ${name}, p95`,
      m.latency.p95,
      'µs',
      within2x('p95'),
      `GIL off; ${m.latency.n} wakes; ${ref}`,
    ),
  ]
  const rttNote = `bare IPC round trip between two Node processes (advanced serialization), same run: ${us(rtt)} over ${rtt.n} round trips`
  const across = (name: string, m: ModelWakes): Figure[] => [
    figure(
      `wake: ${name}, median`,
      m.latency.median,
      'µs',
      null,
      `${m.latency.n} wakes; ${rttNote}; ${m.legs}; ${load}`,
    ),
    figure(`wake: ${name}, p95`, m.latency.p95, 'µs', null, `${m.latency.n} wakes; ${rttNote}`),
  ]
  return [
    figure(
      'wake reference: bare Atomics wake, median',
      atomics.median,
      'µs',
      null,
      `${atomics.n} wakes; p95 ${formatValue(atomics.p95)} µs; measured again after the in-process models: ` +
        `${us(atomicsAfter)} over ${atomicsAfter.n} wakes`,
    ),
    figure('wake reference: bare Atomics wake, p95', atomics.p95, 'µs', null, `${atomics.n} wakes`),
    figure(
      'wake reference: bare Atomics wake, a third thread busy, p95',
      atomicsBusy.p95,
      'µs',
      null,
      `the same wakes while this process's main thread computes without a break (as the orchestrator does ` +
        `while it decodes a trace): ${us(atomicsBusy)} over ${atomicsBusy.n} wakes`,
    ),
    figure(
      'wake reference: bare Atomics wake, a third thread busy, the waker running on after its notify, p95',
      atomicsOn.p95,
      'µs',
      null,
      `the same wakes with a third thread busy, each waker running ${WAKER_ON_US} µs on after its notify before ` +
        `it waits in turn (as a model's thread goes on from its release() to its next acquire()), so that the ` +
        `woken thread finds no core free until the waker waits or is preempted: ${us(atomicsOn)} over ` +
        `${atomicsOn.n} wakes`,
    ),
    ...inProcess('threading.Lock release -> woken thread running', lock),
    ...inProcess('threading.Condition notify -> woken thread running', cond),
    figure(
      'wake: threading.Lock, GIL on, median',
      lockGil.latency.median,
      'µs',
      null,
      `GIL on: the woken thread also waits for the waker to drop the GIL (it does when it blocks); ` +
        `p95 ${formatValue(lockGil.latency.p95)} µs; ${lockGil.legs}`,
    ),
    figure(
      'wake reference: bare IPC round trip, median',
      rtt.median,
      'µs',
      null,
      `${rtt.n} round trips; p95 ${formatValue(rtt.p95)} µs`,
    ),
    figure('wake reference: bare IPC round trip, p95', rtt.p95, 'µs', null, `${rtt.n} round trips`),
    ...across('multiprocessing.Lock release -> woken process running', mpLock),
    ...across('multiprocessing.Condition notify -> woken process running', mpCond),
  ]
}
