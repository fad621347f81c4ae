/**
 * The soak's pure part (bench/soak.ts runs it): reading Linux's /proc/<pid>/stat, finding a process's
 * descendants, and judging whether the figures stayed flat. No I/O here, so tests/soak.test.ts can
 * check it quickly.
 */

/** The fields of /proc/<pid>/stat the soak uses. */
export interface ProcStat {
  pid: number
  ppid: number
  /** R, S, D, Z (a zombie: exited, not yet reaped by its parent), ... */
  state: string
  /** Clock ticks after boot at which it started: with the pid, it names one process even when pids are reused. */
  startTime: number
}

/**
 * Parses one /proc/<pid>/stat line. The second field, the command name, is in parentheses and may
 * itself hold spaces and parentheses, so the fields after it are found from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return null
  const pid = Number(text.slice(0, open).trim())
  // After the name: state (field 3), ppid (field 4), ..., starttime (field 22).
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/)
  const ppid = Number(rest[1])
  const startTime = Number(rest[19])
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(startTime) || !rest[0])
    return null
  return { pid, ppid, state: rest[0], startTime }
}

/** Every process below `root` (children, their children, ...), from a table of pid to parent pid. */
export function descendantsOf(root: number, parents: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>()
  for (const [pid, ppid] of parents) {
    const list = children.get(ppid)
    if (list) list.push(pid)
    else children.set(ppid, [pid])
  }
  const found: number[] = []
  const seen = new Set<number>([root])
  const todo = [root]
  while (todo.length) {
    for (const child of children.get(todo.pop()!) ?? []) {
      // A table read while processes come and go may be inconsistent; never loop on it.
      if (seen.has(child)) continue
      seen.add(child)
      found.push(child)
      todo.push(child)
    }
  }
  return found.sort((a, b) => a - b)
}

/** The figures taken at one point of the soak, once the last run has settled and after a full GC. */
export interface SoakPoint {
  /** Runs done when taken (0: after the warm-up, before the soak's first run). */
  runs: number
  /** JS heap in use after a forced full garbage collection. */
  heapUsedBytes: number
  rssBytes: number
  /** `process.getActiveResourcesInfo()`, counted by type (ref'd handles and requests, timers). */
  handles: Record<string, number>
  /** Entries of /proc/self/fd; null where there is no /proc. */
  openFds: number | null
  /** Live OS processes that descend from this one; null where there is no /proc. */
  descendants: number | null
  /** Of those, the ones that were not there at the start (esbuild's service is, for example). */
  newDescendants: number | null
  /** OS processes the runs launched (hosts, used or spare) that are still alive. */
  runPidsAlive: number
  /** How many OS processes the runs had launched by then. */
  runPidsLaunched: number
  /** Wall time a run took, on average, over the leg that ends here (null at the start). Not judged. */
  msPerRun: number | null
}

export interface FailedRun {
  /** 1-based, counting the soak's runs; 0 for a warm-up run. */
  run: number
  scenario: string
  status: string
  message: string
}

/** One judged figure: printed as `figure: value   (target ...: met | NOT met)`. */
export interface SoakVerdict {
  figure: string
  value: string
  target: string
  /** null: the figure cannot be taken on this platform (n/a). */
  met: boolean | null
}

/**
 * JS heap growth allowed per run. A run's record alone (events, CPU samples, program text) is tens of
 * kilobytes, so keeping anything of every run would show well above this; GC noise over 500 runs
 * stays far below it.
 */
export const HEAP_BYTES_PER_RUN = 2 * 1024
/**
 * RSS growth allowed from the first measuring point after the start to the end. RSS is not given
 * back to the OS promptly (allocator arenas, V8 keeping freed pages), so it gets a generous bound:
 * 16 MB over 400 runs is 40 KB a run, below what keeping every run's record or a leaked host (its
 * IPC pipe, buffers, ChildProcess) would cost.
 */
export const RSS_GROWTH_BYTES = 16 * 1024 * 1024

const MB = 1024 * 1024
const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`
const signedMb = (bytes: number): string => `${bytes >= 0 ? '+' : '-'}${mb(Math.abs(bytes))}`

/** `3 (2 Timeout, 1 PipeWrap)`, or `0`. */
export function describeHandles(handles: Record<string, number>): string {
  const kinds = Object.entries(handles).sort(([a], [b]) => a.localeCompare(b))
  const total = kinds.reduce((n, [, k]) => n + k, 0)
  return total ? `${total} (${kinds.map(([kind, k]) => `${k} ${kind}`).join(', ')})` : '0'
}

/** Counts a list of resource names by name. */
export function countByType(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const n of names) counts[n] = (counts[n] ?? 0) + 1
  return counts
}

/**
 * Judges the soak. Flat means: no run failed; after the first leg (points[1]), the heap after GC
 * grew by less than HEAP_BYTES_PER_RUN a run and RSS by less than RSS_GROWTH_BYTES; at every
 * point no type of handle, and no more file descriptors, than at the start; and at every point no
 * process left behind (no new descendant, no run's OS pid alive).
 */
export function judgeSoak(points: readonly SoakPoint[], failed: number, runs: number): SoakVerdict[] {
  if (points.length < 2) throw new Error('a soak is judged on at least two points: its start and its end')
  const start = points[0]
  const end = points[points.length - 1]
  const later = points.slice(1)
  const verdicts: SoakVerdict[] = []

  verdicts.push({ figure: 'failed runs', value: `${failed} of ${runs}`, target: '0', met: failed === 0 })

  // Memory is judged after the first leg: the first runs grow the heap once (code compiled, lazily
  // built tables, V8's feedback), which is not a leak; a leak goes on growing after it.
  const firstLeg = points.length > 2 ? points[1] : start
  const legRuns = Math.max(1, end.runs - firstLeg.runs)
  const heapGrowth = end.heapUsedBytes - firstLeg.heapUsedBytes
  const perRun = heapGrowth / legRuns
  verdicts.push({
    figure: 'JS heap after GC',
    value:
      `${mb(start.heapUsedBytes)} -> ${mb(end.heapUsedBytes)}; ${signedMb(heapGrowth)} from run ${firstLeg.runs} ` +
      `to run ${end.runs}, ${(perRun / 1024).toFixed(2)} KB/run`,
    target: `<= ${HEAP_BYTES_PER_RUN / 1024} KB/run after run ${firstLeg.runs}`,
    met: perRun <= HEAP_BYTES_PER_RUN,
  })

  const rssGrowth = end.rssBytes - firstLeg.rssBytes
  verdicts.push({
    figure: 'RSS',
    value:
      `${mb(start.rssBytes)} -> ${mb(end.rssBytes)}; ${signedMb(rssGrowth)} ` +
      `from run ${firstLeg.runs} to run ${end.runs}`,
    target: `<= ${mb(RSS_GROWTH_BYTES)} after run ${firstLeg.runs}`,
    met: rssGrowth <= RSS_GROWTH_BYTES,
  })

  // Per type: a handle type that grew is a leak even if another type shrank by as many.
  const grown = new Set<string>()
  for (const p of later)
    for (const [kind, n] of Object.entries(p.handles)) if (n > (start.handles[kind] ?? 0)) grown.add(kind)
  verdicts.push({
    figure: 'active handles',
    value:
      `start ${describeHandles(start.handles)}, end ${describeHandles(end.handles)}` +
      (grown.size ? `; above the start at some point: ${[...grown].sort().join(', ')}` : ''),
    target: 'back to the start count, by type, at every point',
    met: grown.size === 0,
  })

  if (start.openFds === null) {
    verdicts.push({ figure: 'open file descriptors', value: 'n/a (no /proc)', target: '', met: null })
  } else {
    const maxFds = Math.max(...later.map((p) => p.openFds ?? 0))
    verdicts.push({
      figure: 'open file descriptors',
      value: `start ${start.openFds}, end ${end.openFds}, most ${maxFds}`,
      target: 'no more than at the start, at every point',
      met: maxFds <= start.openFds,
    })
  }

  const maxAlive = Math.max(...later.map((p) => p.runPidsAlive))
  if (start.descendants === null) {
    verdicts.push({
      figure: 'processes left',
      value: `descendants n/a (no /proc); ${end.runPidsAlive} of ${end.runPidsLaunched} run pids alive`,
      target: '0 run pids alive at every point',
      met: maxAlive === 0,
    })
  } else {
    const maxNew = Math.max(...later.map((p) => p.newDescendants ?? 0))
    verdicts.push({
      figure: 'processes left',
      value:
        `${end.newDescendants} new descendants (${end.descendants} in all, ${start.descendants} at the start), ` +
        `${end.runPidsAlive} of ${end.runPidsLaunched} run pids alive; most at any point: ${maxNew} new, ${maxAlive} alive`,
      target: '0 at every point',
      met: maxNew === 0 && maxAlive === 0,
    })
  }
  return verdicts
}
