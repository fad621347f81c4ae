/**
 * Compare: two runs side by side on one time axis. The pure part: what a run's header says (its
 * settings, wall time, CPU time), the time window both are drawn on, the list of runs the page keeps,
 * and the sentence that compares them. No Vue, no DOM.
 */
import type { Recording } from '../../../shared/recording'
import { eventTableOf } from '../../../shared/eventTable'
import type { RunRecord, RunStatus } from '../../../shared/trace'
import { formatDuration } from '../timeline/timeScale'

/** How many runs the page keeps for Compare: the newest, in memory, until the page closes. */
export const HISTORY_LIMIT = 8

/** What Compare says about one run. */
export interface RunFacts {
  scenario: string
  params: Record<string, string | number>
  gil: boolean
  /** The engine's slowdown: 2 ran every sleep, wait and count twice as slowly (pace 0.5x). */
  speed: number
  status: RunStatus
  /** The run's own wall time, as its outcome measured it. */
  wallUs: number
  /** The CPU time its Python threads used, all of them together. */
  cpuUs: number
  cores: number
  verdict: string
  /** How far its picture runs: its wall time, or a later event or CPU sample. */
  endUs: number
}

export function runFacts(recording: Recording): RunFacts {
  const { record } = recording
  return {
    scenario: record.scenario,
    params: record.params,
    gil: record.options.gil,
    speed: record.options.speed,
    status: record.outcome.status,
    wallUs: record.outcome.wallUs,
    cpuUs: threadsCpuUs(record),
    cores: record.machine.cores,
    verdict: recording.verdict,
    endUs: Math.max(record.outcome.wallUs, eventsEndUs(record), record.cpu.at(-1)?.tUs ?? 0),
  }
}

/** The latest event's time, from the record's table if it has one (no event objects made). */
function eventsEndUs(record: RunRecord): number {
  const table = eventTableOf(record)
  if (table) return table.maxUs()
  return record.events.reduce((m, e) => Math.max(m, e.tUs), 0)
}

/**
 * The CPU time of the run's threads: their final figures, or where a run has none (it was cut
 * short), the latest sample of each thread.
 */
export function threadsCpuUs(record: Pick<RunRecord, 'final' | 'threadCpu'>): number {
  if (record.final.length) return record.final.reduce((sum, t) => sum + t.cpuUs, 0)
  const latest = new Map<string, number>()
  for (const s of record.threadCpu) {
    const key = `${s.pid}:${s.tid}`
    latest.set(key, Math.max(latest.get(key) ?? 0, s.cpuUs))
  }
  let sum = 0
  for (const us of latest.values()) sum += us
  return sum
}

/** CPU time over wall time, in per cent of one core: 200 is two cores busy all the time. */
export function busyPct(facts: Pick<RunFacts, 'cpuUs' | 'wallUs'>): number {
  return facts.wallUs > 0 ? Math.round((100 * facts.cpuUs) / facts.wallUs) : 0
}

/** Round numbers short: 20000000 is 20M, 2500000 is 2.5M, 30000 is 30k; others as they are. */
export function compactNumber(n: number): string {
  const abs = Math.abs(n)
  if (abs >= 1e6 && Number.isInteger(n / 1e5)) return `${n / 1e6}M`
  if (abs >= 1e4 && Number.isInteger(n / 100)) return `${n / 1e3}k`
  return String(n)
}

/** A wall time as the run's outcome says it: seconds to two places (`3.30 s`), shorter ones in ms. */
export function formatWall(us: number): string {
  return us >= 1_000_000 ? `${(us / 1_000_000).toFixed(2)} s` : formatDuration(us)
}

/** A run's pace, when it was not run at its own: `pace 0.5x` for a slowdown of 2. */
function paceText(speed: number): string | null {
  return speed === 1 || !(speed > 0) ? null : `pace ${Number((1 / speed).toFixed(2))}x`
}

/** The parameters, the GIL and a pace other than 1x: `workers=2 · count=10M · mode=threads · GIL on`. */
export function settingsText(facts: Pick<RunFacts, 'params' | 'gil' | 'speed'>, separator = ' · '): string {
  const params = Object.entries(facts.params).map(
    ([k, v]) => `${k}=${typeof v === 'number' ? compactNumber(v) : v}`,
  )
  const pace = paceText(facts.speed)
  return [...params, `GIL ${facts.gil ? 'on' : 'off'}`, ...(pace ? [pace] : [])].join(separator)
}

/**
 * How a run is listed: `#3 · countdown-gil · mode=threads workers=2 count=10M · 2.08 s`. Choices
 * (a mode, a variant, a lock on or off) come first: they tell runs apart, and a narrow list cuts the end.
 */
export function runLabel(facts: RunFacts, ordinal: number): string {
  const choicesFirst = Object.entries(facts.params).sort(
    ([, a], [, b]) => Number(typeof a === 'number') - Number(typeof b === 'number'),
  )
  const params = choicesFirst.map(([k, v]) => `${k}=${typeof v === 'number' ? compactNumber(v) : v}`)
  const parts = [`#${ordinal}`, facts.scenario]
  if (params.length) parts.push(params.join(' '))
  if (!facts.gil) parts.push('GIL off')
  const pace = paceText(facts.speed)
  if (pace) parts.push(pace)
  parts.push(formatWall(facts.wallUs))
  if (facts.status !== 'finished') parts.push(facts.status)
  return parts.join(' · ')
}

/** `list` with `item` at its end, the oldest dropped past `limit`. */
export function keepNewest<T>(list: readonly T[], item: T, limit = HISTORY_LIMIT): T[] {
  return [...list, item].slice(-Math.max(1, limit))
}

/** The pair shown when Compare opens: the two newest, the older as A. */
export function defaultPair<T>(list: readonly T[]): [T | null, T | null] {
  if (list.length === 0) return [null, null]
  if (list.length === 1) return [list[0], null]
  return [list[list.length - 2], list[list.length - 1]]
}

/**
 * The window both runs are drawn on: time since each run started, 0 at the left for both, to
 * where the longer one's picture ends (at least a millisecond).
 */
export function sharedDomain(a: Pick<RunFacts, 'endUs'>, b: Pick<RunFacts, 'endUs'>): [number, number] {
  return [0, Math.max(1000, a.endUs, b.endUs)]
}

/** Values that say themselves (`threads`) stand alone; a bare on/off needs its name (`lock=on`). */
function settingName(name: string, value: string | number): string {
  if (typeof value === 'string' && !/^(on|off|yes|no|true|false)$/i.test(value)) return value
  return `${name}=${typeof value === 'number' ? compactNumber(value) : value}`
}

/**
 * What tells the two runs apart, as names for each: `threads` and `processes`, `GIL on` and
 * `GIL off`, two lessons by their ids; `run A` and `run B` when nothing does.
 */
export function runNames(
  a: Pick<RunFacts, 'scenario' | 'params' | 'gil' | 'speed'>,
  b: Pick<RunFacts, 'scenario' | 'params' | 'gil' | 'speed'>,
): [string, string] {
  if (a.scenario !== b.scenario) return [a.scenario, b.scenario]
  const names: [string[], string[]] = [[], []]
  const keys = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])]
  for (const key of keys) {
    const [va, vb] = [a.params[key], b.params[key]]
    if (va === vb) continue
    names[0].push(va === undefined ? `no ${key}` : settingName(key, va))
    names[1].push(vb === undefined ? `no ${key}` : settingName(key, vb))
  }
  if (a.gil !== b.gil) {
    names[0].push(`GIL ${a.gil ? 'on' : 'off'}`)
    names[1].push(`GIL ${b.gil ? 'on' : 'off'}`)
  }
  if (a.speed !== b.speed) {
    names[0].push(paceText(a.speed) ?? 'pace 1x')
    names[1].push(paceText(b.speed) ?? 'pace 1x')
  }
  if (!names[0].length) return ['run A', 'run B']
  return [names[0].join(', '), names[1].join(', ')]
}

const ENDED: Record<RunStatus, string> = {
  finished: 'finished in',
  stopped: 'was stopped after',
  'timed-out': 'timed out after',
  failed: 'failed after',
}

/** Below this ratio two wall times are "about as fast": a run's own noise on a busy machine. */
const SAME_PACE = 1.05

/**
 * One line for the room: `Processes finished in 1.62 s, threads in 3.21 s: 1.98x faster; CPU busy
 * 190 % vs 100 %`. The faster run first; no "faster" unless both finished.
 */
export function comparisonSentence(a: RunFacts, b: RunFacts): string {
  const [nameA, nameB] = runNames(a, b)
  const runs = [
    { facts: a, name: nameA },
    { facts: b, name: nameB },
  ]
  if (b.wallUs < a.wallUs) runs.reverse()
  const [first, second] = runs
  const bothFinished = a.status === 'finished' && b.status === 'finished'
  const sameEnding = first.facts.status === second.facts.status
  const secondVerb = sameEnding ? 'in' : ENDED[second.facts.status]
  let text =
    `${capitalise(first.name)} ${ENDED[first.facts.status]} ${formatWall(first.facts.wallUs)}, ` +
    `${second.name} ${secondVerb} ${formatWall(second.facts.wallUs)}`
  if (bothFinished && first.facts.wallUs > 0) {
    const ratio = second.facts.wallUs / first.facts.wallUs
    text += ratio < SAME_PACE ? ': about as fast' : `: ${ratio.toFixed(1)}x faster`
  }
  return `${text}; CPU busy ${busyPct(first.facts)} % vs ${busyPct(second.facts)} %`
}

/** A plain word starts the sentence with a capital; `lock=on`, `GIL off` and lesson ids stay as they are. */
function capitalise(name: string): string {
  return /^[a-z]+(,|$)/.test(name) ? name.charAt(0).toUpperCase() + name.slice(1) : name
}
