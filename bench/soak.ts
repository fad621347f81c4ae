/**
 * The soak (`npm run bench -- soak`): 500 runs back to back through the engine, each awaited, with
 * the orchestrator's memory, open handles and file descriptors, and the OS processes below it,
 * taken after a warm-up and at points along the way. Every figure should stay flat: a run that
 * ends must leave nothing behind in the process that ran it, nor any process of its own.
 */
import { readdirSync, readFileSync } from 'node:fs'
import v8 from 'node:v8'
import vm from 'node:vm'
import type { LaunchedProcess, ProcessLauncher } from '../src/engine/launcher'
import { localLauncher } from '../src/engine/localLauncher'
import { Run } from '../src/engine/run'
import { resolveParams } from '../src/shared/scenario'
import { findScenario } from '../src/scenarios/catalog'
import { figure, type Figure, type Target } from './figures'
import {
  HEAP_BYTES_PER_RUN,
  RSS_GROWTH_BYTES,
  countByType,
  describeHandles,
  descendantsOf,
  judgeSoak,
  parseProcStat,
  type FailedRun,
  type SoakPoint,
  type SoakVerdict,
} from './soakCheck'

export const SOAK_RUNS = 500
/** Runs before the start is measured: the bundle loaded, the JIT warm, lazily built tables built. */
const WARMUP_RUNS = 6
/** Runs done at which the figures are taken, besides the start (0). */
const POINTS = [100, 200, 300, 400, 500]
/** After the last run before a point, time for closed handles' callbacks and late exits to land. */
const SETTLE_MS = 300

/**
 * The lessons, in turn: threads with the GIL and no lock, threads with a Lock, and every fifth run a
 * child process (a spare host, a multiprocessing Queue through the broker). Small parameters: a run
 * is mostly its hosts' start-up, about 1 s of CPU a run in all, so on 2 idle cores 500 runs take
 * about 4 minutes (more while other work shares the cores).
 */
const unlocked = {
  id: 'race-counter',
  label: 'race-counter 2x10',
  params: { threads: 2, iterations: 10, lock: 'off' },
}
const locked = {
  ...unlocked,
  label: 'race-counter 2x10 with lock',
  params: { ...unlocked.params, lock: 'on' },
}
const child = { id: 'queue-results', label: 'queue-results 1 square', params: { numbers: 1, work: 'square' } }
const LESSONS: { id: string; label: string; params: Record<string, string | number> }[] = [
  unlocked,
  locked,
  unlocked,
  locked,
  child,
]

export interface SoakFigures {
  runs: number
  warmupRuns: number
  lessons: string[]
  /** Wall time of the soak's runs, without the warm-up. */
  seconds: number
  failed: FailedRun[]
  points: SoakPoint[]
  verdicts: SoakVerdict[]
  /** Every verdict met (figures that cannot be taken here do not count). */
  flat: boolean
}

const hasProc = ((): boolean => {
  if (process.platform !== 'linux') return false
  try {
    readFileSync('/proc/self/stat', 'utf8')
    return true
  } catch {
    return false
  }
})()

function readStat(pid: number): ReturnType<typeof parseProcStat> {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return null // gone between the listing and the read
  }
}

/** Every live process's parent, from /proc. */
function processTable(): Map<number, number> {
  const parents = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(Number(name))
    if (stat) parents.set(stat.pid, stat.ppid)
  }
  return parents
}

/**
 * The launcher the runs get: the local one, noting every host it starts (a run's used hosts and its
 * spares) and, on Linux, the host's start time. Pids wrap around (often at 32768), so a pid alone
 * may name another process by the end of 500 runs; the pid with its start time names one.
 */
class WatchedLauncher implements ProcessLauncher {
  /** Each host's OS pid and start time (clock ticks after boot; -1 where there is no /proc). */
  readonly launched: { pid: number; startTime: number }[] = []

  constructor(private readonly inner: ProcessLauncher) {}

  get threadEntry(): string {
    return this.inner.threadEntry
  }

  launch(name: string): LaunchedProcess {
    const p = this.inner.launch(name)
    if (p.osPid !== null)
      this.launched.push({ pid: p.osPid, startTime: hasProc ? (readStat(p.osPid)?.startTime ?? -1) : -1 })
    return p
  }

  /** The launched processes that are still alive (zombies, not yet reaped, included). */
  alive(): number[] {
    return this.launched.filter((l) => isAlive(l.pid, l.startTime)).map((l) => l.pid)
  }
}

function isAlive(pid: number, startTime: number): boolean {
  if (hasProc && startTime >= 0) return readStat(pid)?.startTime === startTime
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A full, forced garbage collection: `gc` exposed at run time, since tsx starts the bench without flags. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as unknown
  if (typeof gc !== 'function') throw new Error('could not expose gc() for the soak')
  return gc as () => void
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function measure(
  runs: number,
  msPerRun: number | null,
  launcher: WatchedLauncher,
  gc: () => void,
  before: ReadonlySet<number> | null,
): Promise<{ point: SoakPoint; descendants: number[] | null }> {
  await sleep(SETTLE_MS)
  await new Promise((r) => setImmediate(r))
  // Twice: the first collection may leave finalizers whose objects only the second frees.
  gc()
  gc()
  const descendants = hasProc ? descendantsOf(process.pid, processTable()) : null
  const point: SoakPoint = {
    runs,
    heapUsedBytes: process.memoryUsage().heapUsed,
    rssBytes: process.memoryUsage.rss(),
    handles: countByType(process.getActiveResourcesInfo()),
    openFds: hasProc ? readdirSync('/proc/self/fd').length : null,
    descendants: descendants?.length ?? null,
    newDescendants: descendants && before ? descendants.filter((d) => !before.has(d)).length : null,
    runPidsAlive: launcher.alive().length,
    runPidsLaunched: launcher.launched.length,
    msPerRun,
  }
  return { point, descendants }
}

/** Runs the soak and returns its figures (for the bench's lines, and for bench/results.json later). */
export async function soakFigures(runs = SOAK_RUNS): Promise<SoakFigures> {
  const gc = collector()
  const launcher = new WatchedLauncher(await localLauncher())
  const defs = LESSONS.map((l) => {
    const def = findScenario(l.id)
    if (!def) throw new Error(`the soak's lesson ${l.id} is not in the catalogue`)
    return { def, params: resolveParams(def.params, l.params) }
  })
  const failed: FailedRun[] = []
  /** Run `i` of the soak (0-based), or a warm-up run (i < 0, numbered 0 in `failed`). */
  const once = async (i: number): Promise<void> => {
    const { def, params } = defs[(i + defs.length * WARMUP_RUNS) % defs.length]
    // Only the outcome is kept: the soak itself must not hold on to the records it measures.
    const { outcome } = await new Run(def, params, { timeoutS: 60 }, launcher).start()
    if (outcome.status !== 'finished')
      failed.push({
        run: Math.max(0, i + 1),
        scenario: def.id,
        status: outcome.status,
        message: outcome.message,
      })
  }

  for (let i = -WARMUP_RUNS; i < 0; i++) await once(i)
  // What the warm-up launched is not the soak's to account for (its failures are: a failure is one).
  launcher.launched.length = 0

  const first = await measure(0, null, launcher, gc, null)
  const before = new Set(first.descendants ?? [])
  first.point.newDescendants = first.descendants ? 0 : null
  const points = [first.point]
  const marks = POINTS.map((p) => Math.round((p / SOAK_RUNS) * runs)).filter((p) => p > 0 && p <= runs)
  // The runs' own wall time: the measuring (settling, GC, /proc) is left out.
  let runMs = 0
  let legMs = 0
  let legRuns = 0
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    await once(i)
    legMs += performance.now() - t0
    legRuns++
    if (marks.includes(i + 1)) {
      points.push((await measure(i + 1, legMs / legRuns, launcher, gc, before)).point)
      runMs += legMs
      legMs = 0
      legRuns = 0
    }
  }
  const seconds = (runMs + legMs) / 1000
  const verdicts = judgeSoak(points, failed.length, runs + WARMUP_RUNS)
  return {
    runs,
    warmupRuns: WARMUP_RUNS,
    lessons: LESSONS.map((l) => l.label),
    seconds,
    failed,
    points,
    verdicts,
    flat: verdicts.every((v) => v.met !== false),
  }
}

const MIB = 1024 * 1024

/** The soak's judged figures as the bench's table has them: a number each, judged by judgeSoak. */
export function soakTable(f: SoakFigures): Figure[] {
  const start = f.points[0]
  const later = f.points.slice(1)
  const firstLeg = f.points.length > 2 ? f.points[1] : start
  const end = f.points[f.points.length - 1]
  const verdict = (name: string): SoakVerdict | undefined => f.verdicts.find((v) => v.figure === name)
  const judged = (
    name: string,
    verdictName: string,
    value: number | null,
    unit: string,
    target: Target,
  ): Figure => {
    const v = verdict(verdictName)
    const row = figure(
      `soak, ${f.runs} runs: ${name}`,
      value,
      unit,
      target,
      v ? `${v.value}; ${v.target}` : undefined,
    )
    // judgeSoak's verdict is the one that counts; the number is its figure.
    return { ...row, met: v?.met ?? row.met }
  }
  const fds = start.openFds === null ? null : Math.max(...later.map((p) => p.openFds ?? 0)) - start.openFds
  const handles = new Set<string>()
  for (const p of later)
    for (const [kind, n] of Object.entries(p.handles)) if (n > (start.handles[kind] ?? 0)) handles.add(kind)
  const left = Math.max(...later.map((p) => (p.newDescendants ?? 0) + p.runPidsAlive))
  return [
    judged('failed runs', 'failed runs', f.failed.length, 'runs', { op: '<=', value: 0 }),
    judged(
      `JS heap growth a run after run ${firstLeg.runs}`,
      'JS heap after GC',
      (end.heapUsedBytes - firstLeg.heapUsedBytes) / Math.max(1, end.runs - firstLeg.runs),
      'B/run',
      { op: '<=', value: HEAP_BYTES_PER_RUN },
    ),
    judged(`RSS growth after run ${firstLeg.runs}`, 'RSS', (end.rssBytes - firstLeg.rssBytes) / MIB, 'MiB', {
      op: '<=',
      value: RSS_GROWTH_BYTES / MIB,
    }),
    judged('handle types above the start', 'active handles', handles.size, 'types', { op: '<=', value: 0 }),
    judged('file descriptors above the start', 'open file descriptors', fds, 'fds', { op: '<=', value: 0 }),
    judged('processes left behind (most at any point)', 'processes left', left, 'processes', {
      op: '<=',
      value: 0,
    }),
    figure(
      `soak, ${f.runs} runs: wall time a run`,
      (f.seconds / f.runs) * 1000,
      'ms',
      null,
      f.lessons.join(', '),
    ),
  ]
}

const LABEL = 30
const label = (s: string): string => `${s}:`.padEnd(LABEL)
const mb = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`

/** The soak's table (each figure at each point) and its verdicts, in the bench's style. */
export function soakLines(f: SoakFigures): string[] {
  const rows: [string, (p: SoakPoint) => string][] = [
    ['after run', (p) => String(p.runs)],
    ['JS heap after GC', (p) => mb(p.heapUsedBytes)],
    ['RSS', (p) => mb(p.rssBytes)],
    ['active handles', (p) => describeHandles(p.handles)],
    ['open file descriptors', (p) => (p.openFds === null ? 'n/a' : String(p.openFds))],
    [
      'descendant processes',
      (p) => (p.descendants === null ? 'n/a' : `${p.descendants} (${p.newDescendants ?? 0} new)`),
    ],
    ['run OS pids alive', (p) => `${p.runPidsAlive} of ${p.runPidsLaunched}`],
    ['ms a run, over the leg', (p) => (p.msPerRun === null ? '' : p.msPerRun.toFixed(0))],
  ]
  const cells = rows.map(([name, cell]) => [name, ...f.points.map(cell)])
  // One width for every column of points, so that a long cell (handles by type) cannot shift the rest.
  const width = Math.max(10, ...cells.flatMap(([, ...c]) => c.map((x) => x.length))) + 2
  const lines = [
    `soak: ${f.runs} runs back to back in ${f.seconds.toFixed(1)} s (${((f.seconds / f.runs) * 1000).toFixed(0)} ms a run), ` +
      `after ${f.warmupRuns} warm-up runs; in turn: ${f.lessons.join(', ')}`,
    ...cells.map(([name, ...c]) =>
      `  ${name.padEnd(LABEL - 2)}${c.map((x) => x.padEnd(width)).join('')}`.trimEnd(),
    ),
  ]
  for (const v of f.verdicts) {
    const verdict = v.met === null ? 'n/a' : v.met ? 'met' : 'NOT met'
    lines.push(`${label(`soak ${v.figure}`)}${v.value}   (target ${v.target}: ${verdict})`)
  }
  for (const r of f.failed.slice(0, 5))
    lines.push(
      `  failed: ${r.run ? `run ${r.run}` : 'a warm-up run'}, ${r.scenario}: ${r.status}, ${r.message}`,
    )
  if (f.failed.length > 5) lines.push(`  ... and ${f.failed.length - 5} more failed runs`)
  lines.push(`${label('soak')}${f.flat ? 'flat' : 'NOT flat'}`)
  return lines
}
