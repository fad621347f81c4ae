/**
 * The Chrome Trace Event Format (JSON Object Format), as far as Interleave writes it, and a checker of
 * its rules: what ui.perfetto.dev and chrome://tracing need to draw a trace as it was meant.
 * Pure: no Node, no DOM.
 */

/** One event of the trace event format. Times are microseconds. */
export interface ChromeTraceEvent {
  /** Phase: B/E begin and end, X complete, i instant, C counter, M metadata, s/t/f flow start, step, end. */
  ph: string
  name?: string
  cat?: string
  ts?: number
  /** X only: how long the slice lasts. */
  dur?: number
  pid: number
  tid?: number
  /** Flow events: the flow's id; with `cat` and `name` it pairs an s with its f. */
  id?: number | string
  /** Flow end: 'e' binds it to the slice enclosing it (else to the next slice that begins). */
  bp?: 'e'
  /** Instant scope: g global, p process, t thread. */
  s?: 'g' | 'p' | 't'
  args?: Record<string, unknown>
  /** A colour name of chrome://tracing's palette (Perfetto ignores it). */
  cname?: string
}

export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[]
  displayTimeUnit: 'ms' | 'ns'
  /** Free-form data about the whole trace (chrome://tracing shows it under Metadata). */
  metadata?: Record<string, unknown>
}

/** Phases the checker knows. */
const PHASES = new Set(['B', 'E', 'X', 'i', 'I', 'C', 'M', 's', 't', 'f'])
/** Phases drawn on a thread's track: their pid and tid need process_name and thread_name. */
const THREAD_PHASES = new Set(['B', 'E', 'X', 's', 't', 'f'])
/** Metadata events about a process (no tid needed). */
const PROCESS_METADATA = new Set(['process_name', 'process_sort_index', 'process_labels'])
const SORT_INDEX = new Set(['process_sort_index', 'thread_sort_index'])

/** At most this many violations are listed; a last entry says how many more there were. */
const MAX_REPORTED = 200

interface Interval {
  start: number
  end: number
  /** Where it came from, for messages. */
  what: string
}

type Rec = Record<string, unknown>

function isObject(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

function isInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v)
}

function threadOf(pid: number, tid: number): string {
  return `${pid}/${tid}`
}

/**
 * Checks a trace against the rules of the trace event format and returns what breaks them, one line
 * each; empty when the trace is valid. The rules:
 * - the document is an object with a `traceEvents` array (or is that array), `displayTimeUnit` ms or ns;
 * - every event has a known phase and the fields it needs with the right types: name, integer pid and
 *   tid, a finite timestamp >= 0, a finite dur >= 0 for X, an id and cat for flows, args an object;
 * - every B has an E on the same pid and tid, closed in stack order (an E closes the latest open B);
 * - the slices of one thread (X and B/E) nest: two of them are disjoint or one holds the other;
 * - flows: each id (with its cat) has one s and one f, any t between, one name; each point lies in a
 *   slice of its thread (an f without bp 'e' binds to the next slice, so one must begin at or after it);
 * - counters' args are finite numbers, at least one;
 * - metadata names every process that has events (process_name) and every thread that has slices,
 *   instants or flows (thread_name); sort indexes are integers.
 */
export function checkChromeTrace(trace: unknown): string[] {
  const problems: string[] = []
  const report = (msg: string) => {
    problems.push(msg)
  }

  let events: unknown[]
  if (Array.isArray(trace)) events = trace
  else if (isObject(trace)) {
    if (!Array.isArray(trace.traceEvents)) return ['the trace has no traceEvents array']
    events = trace.traceEvents
    if (
      trace.displayTimeUnit !== undefined &&
      trace.displayTimeUnit !== 'ms' &&
      trace.displayTimeUnit !== 'ns'
    )
      report(`displayTimeUnit must be 'ms' or 'ns' (got ${JSON.stringify(trace.displayTimeUnit)})`)
    if (trace.metadata !== undefined && !isObject(trace.metadata)) report('metadata must be an object')
  } else return ['the trace is neither an object nor an array of events']

  const processNames = new Set<number>()
  const threadNames = new Set<string>()
  /** Processes that have events, and where the first one is. */
  const usedProcesses = new Map<number, number>()
  const usedThreads = new Map<string, number>()
  /** Per thread: its slices, and its B/E events in file order (sorted by time later). */
  const slices = new Map<string, Interval[]>()
  const beginEnds = new Map<
    string,
    { index: number; ph: 'B' | 'E'; ts: number; name: string | undefined }[]
  >()
  const flowPoints: {
    index: number
    ph: string
    key: string
    thread: string
    ts: number
    name: string
    bp: unknown
  }[] = []

  const sliceList = (thread: string) => {
    let list = slices.get(thread)
    if (!list) slices.set(thread, (list = []))
    return list
  }

  events.forEach((raw, index) => {
    const at = `event ${index}`
    if (!isObject(raw)) {
      report(`${at}: not an object`)
      return
    }
    const e = raw
    const ph = e.ph
    if (typeof ph !== 'string' || !PHASES.has(ph)) {
      report(`${at}: unknown phase ${JSON.stringify(ph)}`)
      return
    }
    const label = `${at} (${ph}${typeof e.name === 'string' ? ` '${e.name}'` : ''})`
    let ok = true
    const fail = (msg: string) => {
      report(`${label}: ${msg}`)
      ok = false
    }

    if (ph !== 'E' && typeof e.name !== 'string') fail('name must be a string')
    if (ph === 'E' && e.name !== undefined && typeof e.name !== 'string') fail('name must be a string')
    if (!isInteger(e.pid)) fail('pid must be an integer')
    const processMetadata = ph === 'M' && PROCESS_METADATA.has(e.name as string)
    if (!processMetadata && !isInteger(e.tid)) fail('tid must be an integer')
    if (processMetadata && e.tid !== undefined && !isInteger(e.tid)) fail('tid must be an integer')
    if (ph !== 'M' || e.ts !== undefined) {
      if (!isFiniteNumber(e.ts)) fail('ts must be a finite number')
      else if (e.ts < 0) fail(`ts must be >= 0 (got ${e.ts})`)
    }
    if (e.args !== undefined && !isObject(e.args)) fail('args must be an object')
    if (e.cat !== undefined && typeof e.cat !== 'string') fail('cat must be a string')
    if (e.cname !== undefined && typeof e.cname !== 'string') fail('cname must be a string')
    if (!ok) return

    const pid = e.pid as number
    const tid = e.tid as number
    const ts = e.ts as number
    const thread = threadOf(pid, tid)
    const args = e.args as Rec | undefined

    switch (ph) {
      case 'M': {
        const name = e.name as string
        if (name === 'process_name' || name === 'thread_name') {
          if (typeof args?.name !== 'string' || args.name === '') {
            fail('args.name must be a non-empty string')
            return
          }
          if (name === 'process_name') processNames.add(pid)
          else threadNames.add(thread)
        } else if (SORT_INDEX.has(name) && !isInteger(args?.sort_index))
          fail('args.sort_index must be an integer')
        return
      }
      case 'X': {
        if (!isFiniteNumber(e.dur)) fail('dur must be a finite number')
        else if (e.dur < 0) fail(`dur must be >= 0 (got ${e.dur})`)
        else sliceList(thread).push({ start: ts, end: ts + e.dur, what: label })
        break
      }
      case 'B':
      case 'E': {
        let list = beginEnds.get(thread)
        if (!list) beginEnds.set(thread, (list = []))
        list.push({ index, ph, ts, name: e.name as string | undefined })
        break
      }
      case 'i':
      case 'I': {
        if (e.s !== undefined && e.s !== 'g' && e.s !== 'p' && e.s !== 't')
          fail(`s must be 'g', 'p' or 't' (got ${JSON.stringify(e.s)})`)
        break
      }
      case 'C': {
        const values = args ? Object.entries(args) : []
        if (values.length === 0) fail('a counter needs at least one value in args')
        for (const [k, v] of values)
          if (!isFiniteNumber(v)) fail(`counter value '${k}' must be a finite number`)
        break
      }
      case 's':
      case 't':
      case 'f': {
        const idOk = isFiniteNumber(e.id) || (typeof e.id === 'string' && e.id !== '')
        if (!idOk) fail('a flow event needs an id (a number or a string)')
        if (typeof e.cat !== 'string') fail('a flow event needs a cat')
        if (e.bp !== undefined && e.bp !== 'e') fail(`bp must be 'e' (got ${JSON.stringify(e.bp)})`)
        if (!ok) return
        flowPoints.push({
          index,
          ph,
          key: `${e.cat as string}#${String(e.id)}`,
          thread,
          ts,
          name: e.name as string,
          bp: e.bp,
        })
        break
      }
    }
    if (!ok) return
    if (!usedProcesses.has(pid)) usedProcesses.set(pid, index)
    const threadScoped =
      THREAD_PHASES.has(ph) || ((ph === 'i' || ph === 'I') && (e.s === undefined || e.s === 't'))
    if (threadScoped && !usedThreads.has(thread)) usedThreads.set(thread, index)
  })

  // B/E: an E closes the latest open B of its thread; every B is closed.
  for (const [thread, list] of beginEnds) {
    const sorted = list.map((x, order) => ({ ...x, order })).sort((a, b) => a.ts - b.ts || a.order - b.order)
    const open: typeof sorted = []
    for (const x of sorted) {
      if (x.ph === 'B') {
        open.push(x)
        continue
      }
      const b = open.pop()
      if (!b) {
        report(`event ${x.index} (E): no open B on thread ${thread} to end`)
        continue
      }
      if (x.name !== undefined && x.name !== b.name)
        report(
          `event ${x.index} (E '${x.name}'): ends '${b.name}' (event ${b.index}), the latest open B on thread ${thread}`,
        )
      sliceList(thread).push({ start: b.ts, end: x.ts, what: `event ${b.index} (B '${b.name}')` })
    }
    for (const b of open) report(`event ${b.index} (B '${b.name}'): never ended on thread ${thread}`)
  }

  // Nesting: sorted by start (longest first on a tie), each slice lies inside the innermost one still open.
  const sortedSlices = new Map<string, { list: Interval[]; maxEnd: number[] }>()
  for (const [thread, list] of slices) {
    list.sort((a, b) => a.start - b.start || b.end - a.end)
    const stack: Interval[] = []
    for (const s of list) {
      while (stack.length && stack[stack.length - 1].end <= s.start) stack.pop()
      const top = stack[stack.length - 1]
      if (top && s.end > top.end) {
        report(
          `${s.what} [${s.start}, ${s.end}] overlaps ${top.what} [${top.start}, ${top.end}] on thread ${thread} without nesting in it`,
        )
        continue
      }
      stack.push(s)
    }
    const maxEnd: number[] = []
    for (const s of list) maxEnd.push(Math.max(maxEnd[maxEnd.length - 1] ?? -Infinity, s.end))
    sortedSlices.set(thread, { list, maxEnd })
  }

  // Flows: one s and one f per id, one name, each point bound to a slice of its thread.
  const flows = new Map<string, typeof flowPoints>()
  for (const p of flowPoints) {
    let list = flows.get(p.key)
    if (!list) flows.set(p.key, (list = []))
    list.push(p)
  }
  for (const [key, points] of flows) {
    const starts = points.filter((p) => p.ph === 's')
    const ends = points.filter((p) => p.ph === 'f')
    if (starts.length !== 1) report(`flow ${key}: ${starts.length} start events (s), needs exactly 1`)
    if (ends.length !== 1) report(`flow ${key}: ${ends.length} end events (f), needs exactly 1`)
    const names = new Set(points.map((p) => p.name))
    if (names.size > 1) report(`flow ${key}: its events have different names (${[...names].join(', ')})`)
  }
  for (const p of flowPoints) {
    const s = sortedSlices.get(p.thread)
    const bindsNext = p.ph === 'f' && p.bp !== 'e'
    if (bindsNext) {
      if (!s || !s.list.some((x) => x.start >= p.ts))
        report(
          `event ${p.index} (f '${p.name}'): no slice begins at or after ts ${p.ts} on thread ${p.thread}`,
        )
      continue
    }
    if (!s || !enclosed(s.list, s.maxEnd, p.ts))
      report(`event ${p.index} (${p.ph} '${p.name}'): ts ${p.ts} lies in no slice of thread ${p.thread}`)
  }

  // Metadata names every lane that has events.
  for (const [pid, index] of usedProcesses)
    if (!processNames.has(pid)) report(`process ${pid} (first used by event ${index}) has no process_name`)
  for (const [thread, index] of usedThreads)
    if (!threadNames.has(thread)) report(`thread ${thread} (first used by event ${index}) has no thread_name`)

  if (problems.length > MAX_REPORTED) {
    const more = problems.length - MAX_REPORTED
    return [...problems.slice(0, MAX_REPORTED), `... and ${more} more`]
  }
  return problems
}

/** Whether some slice (sorted by start, with running maximum ends) holds the point `ts`. */
function enclosed(list: readonly Interval[], maxEnd: readonly number[], ts: number): boolean {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (list[mid].start <= ts) lo = mid + 1
    else hi = mid
  }
  return lo > 0 && maxEnd[lo - 1] >= ts
}
