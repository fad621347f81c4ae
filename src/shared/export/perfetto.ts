/**
 * A run as a Chrome/Perfetto trace (the trace event format's JSON Object Format): opens in
 * ui.perfetto.dev and chrome://tracing. Pure: a RunRecord in, a plain object out (JSON.stringify it).
 *
 * - Each Python process is a trace process, each Python thread a trace thread (tid: its thread key
 *   + 1; pid: the tid of the process's MainThread), named and ordered by metadata events.
 * - Thread states are complete (X) slices named by state; a state lasts until the thread's next
 *   state, its end, or the end of the run.
 * - Operations, thread ends and any other event that caused something are zero-length slices on
 *   the thread (markers); causal links are flows (s at the cause's marker, f at the effect's, bp 'e').
 * - Per-core CPU is a counter per core in a process of its own, "CPU"; queue depth a counter per
 *   queue in the process that made it. Printed lines are thread instants.
 *
 * Times are quantised to 1/8 µs: multiples of 0.125 are exact in binary, so ts + dur, here and in
 * a reader that converts them to integer nanoseconds, lands exactly where the next slice begins.
 */
import {
  eventId,
  objectKey,
  threadKey,
  type ObjectKind,
  type OpEvent,
  type RunRecord,
  type ThreadState,
  type TraceEvent,
} from '../trace'
import type { ChromeTrace, ChromeTraceEvent } from './traceFormat'

/** Ticks per microsecond of the exported clock. */
const TICKS_PER_US = 8

/** Brokered (multiprocessing) objects have run-wide ids from 2^31 (src/engine/broker.ts); others are per process. */

/** Object kinds whose depth is drawn as a counter. */
const QUEUE_KINDS = new Set<ObjectKind>(['queue', 'mp-queue', 'mp-joinable-queue'])

/** The slice name of each state. */
export const STATE_SLICE_NAMES: Record<Exclude<ThreadState, 'finished'>, string> = {
  running: 'running',
  'gil-wait': 'GIL wait',
  blocked: 'blocked',
  waiting: 'waiting',
  sleeping: 'sleeping',
  io: 'I/O',
}
/** Its colour in chrome://tracing's palette (Perfetto colours by name). */
const STATE_COLOURS: Record<Exclude<ThreadState, 'finished'>, string> = {
  running: 'thread_state_running',
  'gil-wait': 'thread_state_runnable',
  blocked: 'thread_state_uninterruptible',
  waiting: 'thread_state_sleeping',
  sleeping: 'thread_state_sleeping',
  io: 'thread_state_iowait',
}

/** Category of each kind of event, for filtering in the viewers. */
export const CATEGORIES = {
  state: 'state',
  op: 'op',
  thread: 'thread',
  print: 'print',
  link: 'causal',
  cpu: 'cpu',
  queue: 'queue',
} as const

/**
 * The trace pid of a Python process. Viewers number processes and threads from one system-wide
 * space, where a process's main thread has tid = pid: so a process is its MainThread's tid, and no
 * other thread's tid is ever a process's pid.
 */
export function tracePid(pid: number): number {
  return traceTid(pid, 0)
}

/** The trace tid of a Python thread: its thread key + 1, unique across the run and never 0. */
export function traceTid(pid: number, tid: number): number {
  return threadKey(pid, tid) + 1
}

function quantise(tUs: number): number {
  return Math.max(0, Math.round(tUs * TICKS_PER_US)) / TICKS_PER_US
}

interface ObjectInfo {
  name: string
  kind: ObjectKind
  pid: number
}

interface ThreadInfo {
  pid: number
  tid: number
  name: string
  /** Its events in the order it recorded them. */
  events: TraceEvent[]
}

/**
 * Events at one time on one thread that must stay together and in this order: a marker slice
 * followed by the flows bound to it.
 */
interface Group {
  ts: number
  /** At one time: state slices, then markers, then instants. */
  rank: number
  /** Creation order: the tie-break that keeps each thread's own order. */
  order: number
  events: ChromeTraceEvent[]
}

/** Converts a run to a Chrome/Perfetto trace. */
export function toChromeTrace(record: RunRecord): ChromeTrace {
  // Read once: a record held compactly (EventTable) makes its events each time they are read.
  const events = record.events
  const programLines = record.program.split('\n')
  const codeAt = (line: number): string | null => (line > 0 ? (programLines[line - 1]?.trim() ?? null) : null)

  // Index the run: threads, events by id, objects by key.
  const threads = new Map<number, ThreadInfo>()
  const byId = new Map<number, TraceEvent>()
  const objects = new Map<string, ObjectInfo>()
  for (const o of record.objects) {
    const key = objectKey(o.pid, o.obj)
    if (!objects.has(key)) objects.set(key, { name: o.name, kind: o.kind, pid: o.pid })
  }
  const created = new Map<string, number>()
  let lastUs = record.outcome.wallUs
  for (const e of events) {
    lastUs = Math.max(lastUs, e.tUs)
    byId.set(eventId(e.pid, e.tid, e.seq), e)
    const key = threadKey(e.pid, e.tid)
    let t = threads.get(key)
    if (!t) {
      t = { pid: e.pid, tid: e.tid, name: e.tid === 0 ? 'MainThread' : `Thread ${e.tid}`, events: [] }
      threads.set(key, t)
    }
    t.events.push(e)
    if (e.type === 'thread-start') t.name = e.name
    if (e.type === 'object') {
      const ok = objectKey(e.pid, e.obj)
      // The process that made it first names it and owns it.
      if ((created.get(ok) ?? Infinity) > e.tUs) {
        created.set(ok, e.tUs)
        objects.set(ok, { name: e.name, kind: e.kind, pid: e.pid })
      }
    }
  }
  for (const t of threads.values()) t.events.sort((a, b) => a.seq - b.seq)
  for (const s of record.cpu) lastUs = Math.max(lastUs, s.tUs)
  const endTs = quantise(lastUs)

  const objectName = (pid: number, obj: number | null): string | null =>
    obj === null ? null : (objects.get(objectKey(pid, obj))?.name ?? `object ${obj}`)
  const threadName = (key: number): string | null => threads.get(key)?.name ?? null

  // Processes: those the run knows and those that have threads.
  const processNames = new Map<number, { name: string; osPid: number | null }>()
  for (const p of record.processes) processNames.set(p.pid, { name: p.name, osPid: p.osPid })
  for (const t of threads.values()) {
    if (!processNames.has(t.pid))
      processNames.set(t.pid, { name: t.pid === 0 ? 'MainProcess' : `Process ${t.pid}`, osPid: null })
  }
  const pids = [...processNames.keys()].sort((a, b) => a - b)

  const meta: ChromeTraceEvent[] = []
  for (const pid of pids) {
    const p = processNames.get(pid)!
    const name = p.osPid === null ? p.name : `${p.name} (OS pid ${p.osPid})`
    meta.push({ ph: 'M', name: 'process_name', pid: tracePid(pid), ts: 0, args: { name } })
    meta.push({ ph: 'M', name: 'process_sort_index', pid: tracePid(pid), ts: 0, args: { sort_index: pid } })
  }
  const threadList = [...threads.values()].sort((a, b) => a.pid - b.pid || a.tid - b.tid)
  for (const t of threadList) {
    const ids = { pid: tracePid(t.pid), tid: traceTid(t.pid, t.tid), ts: 0 }
    meta.push({ ph: 'M', name: 'thread_name', ...ids, args: { name: t.name } })
    // tid 0 is the process's MainThread: first.
    meta.push({ ph: 'M', name: 'thread_sort_index', ...ids, args: { sort_index: t.tid } })
  }

  // The events that caused something get a marker, so that a flow can start there.
  const causes = new Set<number>()
  for (const e of events) if (e.type === 'op' && e.cause !== null && byId.has(e.cause)) causes.add(e.cause)

  const groups: Group[] = []
  const markers = new Map<number, Group>()
  const addGroup = (ts: number, rank: number, events: ChromeTraceEvent[]): Group => {
    const g = { ts, rank, order: groups.length, events }
    groups.push(g)
    return g
  }

  for (const t of threadList) {
    const pid = tracePid(t.pid)
    const tid = traceTid(t.pid, t.tid)
    let open: {
      ts: number
      state: Exclude<ThreadState, 'finished'>
      obj: number | null
      line: number
    } | null = null
    /** States and the end keep their thread's order even if two clocks' readings disagree. */
    let clock = 0
    const close = (at: number) => {
      if (!open) return
      if (at > open.ts) {
        const obj = objectName(t.pid, open.obj)
        addGroup(open.ts, 0, [
          {
            ph: 'X',
            name: STATE_SLICE_NAMES[open.state],
            cat: CATEGORIES.state,
            ts: open.ts,
            dur: at - open.ts,
            pid,
            tid,
            cname: STATE_COLOURS[open.state],
            args: {
              state: open.state,
              ...(obj === null ? {} : { object: obj }),
              line: open.line,
              ...(codeAt(open.line) ? { code: codeAt(open.line) } : {}),
            },
          },
        ])
      }
      open = null
    }
    for (const e of t.events) {
      const id = eventId(e.pid, e.tid, e.seq)
      if (e.type === 'state' || e.type === 'thread-end') {
        clock = Math.max(clock, quantise(e.tUs))
        close(clock)
        if (e.type === 'state' && e.state !== 'finished')
          open = { ts: clock, state: e.state, obj: e.obj, line: e.line }
      }
      if (e.type === 'print') {
        addGroup(quantise(e.tUs), 2, [
          {
            ph: 'i',
            s: 't',
            name: 'print',
            cat: CATEGORIES.print,
            ts: quantise(e.tUs),
            pid,
            tid,
            args: { text: e.text, line: e.line },
          },
        ])
      }
      if (e.type === 'op' || e.type === 'thread-end' || causes.has(id)) {
        const ts = e.type === 'thread-end' ? clock : quantise(e.tUs)
        markers.set(id, addGroup(ts, 1, [{ ...markerFor(e, codeAt, objectName, threadName), ts, pid, tid }]))
      }
    }
    close(Math.max(clock, endTs))
  }

  // Causal links: from the cause's marker to the effect's.
  let flowId = 0
  for (const e of events) {
    if (e.type !== 'op' || e.cause === null) continue
    const cause = byId.get(e.cause)
    const from = markers.get(e.cause)
    const to = markers.get(eventId(e.pid, e.tid, e.seq))
    if (!cause || !from || !to) continue
    const name = `${linkEnd(cause)} → ${e.op}`
    const id = ++flowId
    const common = { name, cat: CATEGORIES.link, id }
    from.events.push({
      ph: 's',
      ...common,
      ts: from.ts,
      pid: tracePid(cause.pid),
      tid: traceTid(cause.pid, cause.tid),
    })
    to.events.push({
      ph: 'f',
      bp: 'e',
      ...common,
      ts: to.ts,
      pid: tracePid(e.pid),
      tid: traceTid(e.pid, e.tid),
    })
  }

  const counters: ChromeTraceEvent[] = []

  // Queue depth, in the process that made each queue, after every operation that reports it.
  const depths = new Map<string, { ts: number; depth: number; order: number }[]>()
  events.forEach((e, order) => {
    if (e.type !== 'op') return
    const key = objectKey(e.pid, e.obj)
    const info = objects.get(key)
    const depth = e.after.depth
    if (!info || !QUEUE_KINDS.has(info.kind) || typeof depth !== 'number' || !Number.isFinite(depth)) return
    let list = depths.get(key)
    if (!list) depths.set(key, (list = []))
    list.push({ ts: quantise(e.tUs), depth, order })
  })
  const counterNames = new Set<string>()
  for (const [key, list] of depths) {
    const info = objects.get(key)!
    let name = `queue ${info.name}`
    if (counterNames.has(`${info.pid} ${name}`)) name += ` (${key})`
    counterNames.add(`${info.pid} ${name}`)
    list.sort((a, b) => a.ts - b.ts || a.order - b.order)
    for (const d of list) {
      counters.push({
        ph: 'C',
        name,
        cat: CATEGORIES.queue,
        ts: d.ts,
        pid: tracePid(info.pid),
        tid: traceTid(info.pid, 0),
        args: { depth: d.depth },
      })
    }
  }

  // Per-core CPU: each sample measured the time since the one before (the first, since the run began).
  const cpuProcess = (pids[pids.length - 1] ?? -1) + 1
  const cpuPid = tracePid(cpuProcess)
  if (record.cpu.length) {
    meta.push({ ph: 'M', name: 'process_name', pid: cpuPid, ts: 0, args: { name: 'CPU' } })
    meta.push({ ph: 'M', name: 'process_sort_index', pid: cpuPid, ts: 0, args: { sort_index: cpuProcess } })
    let from = 0
    for (const s of [...record.cpu].sort((a, b) => a.tUs - b.tUs)) {
      s.corePct.forEach((pct, core) => {
        if (!Number.isFinite(pct)) return
        counters.push({
          ph: 'C',
          name: `CPU ${core}`,
          cat: CATEGORIES.cpu,
          ts: from,
          pid: cpuPid,
          tid: cpuPid,
          args: { '%': Math.max(0, Math.min(100, pct)) },
        })
      })
      from = quantise(s.tUs)
    }
  }

  groups.sort((a, b) => a.ts - b.ts || a.rank - b.rank || a.order - b.order)
  const sliced = groups.flatMap((g) => g.events)

  return {
    traceEvents: [...meta, ...sliced, ...counters],
    displayTimeUnit: 'ms',
    metadata: {
      source: 'Interleave',
      traceVersion: record.version,
      scenario: record.scenario,
      params: record.params,
      options: record.options,
      outcome: record.outcome,
      result: record.result,
      startedAt: record.startedAt,
      machine: record.machine,
      clock: 'microseconds since the run started',
    },
  }
}

function stateName(state: ThreadState): string {
  return state === 'finished' ? 'finished' : STATE_SLICE_NAMES[state]
}

/** How a flow names the event it starts from. */
function linkEnd(e: TraceEvent): string {
  if (e.type === 'op') return e.op
  if (e.type === 'thread-end') return 'thread end'
  return e.type
}

/** The marker slice of an event (all but time, pid and tid). */
function markerFor(
  e: TraceEvent,
  codeAt: (line: number) => string | null,
  objectName: (pid: number, obj: number | null) => string | null,
  threadName: (key: number) => string | null,
): Omit<ChromeTraceEvent, 'ts' | 'pid' | 'tid'> {
  const at = (line: number) => (codeAt(line) ? { line, code: codeAt(line) } : { line })
  switch (e.type) {
    case 'op':
      return {
        ph: 'X',
        name: `${e.op} ${objectName(e.pid, e.obj)}`,
        cat: CATEGORIES.op,
        dur: 0,
        args: opArgs(e, objectName, threadName, at),
      }
    case 'thread-end':
      return {
        ph: 'X',
        name: e.reason === 'returned' ? 'thread end' : `thread end (${e.reason})`,
        cat: CATEGORIES.thread,
        dur: 0,
        args: { reason: e.reason, ...(e.error === null ? {} : { error: e.error }) },
      }
    case 'thread-start':
      return { ph: 'X', name: 'thread start', cat: CATEGORIES.thread, dur: 0, args: { daemon: e.daemon } }
    case 'state':
      return { ph: 'X', name: stateName(e.state), cat: CATEGORIES.state, dur: 0, args: at(e.line) }
    case 'print':
      return { ph: 'X', name: 'print', cat: CATEGORIES.print, dur: 0, args: { text: e.text, ...at(e.line) } }
    case 'object':
      return { ph: 'X', name: `new ${e.kind} ${e.name}`, cat: CATEGORIES.op, dur: 0, args: {} }
    case 'result':
      return { ph: 'X', name: `result ${e.key}`, cat: CATEGORIES.op, dur: 0, args: {} }
  }
}

function opArgs(
  e: OpEvent,
  objectName: (pid: number, obj: number | null) => string | null,
  threadName: (key: number) => string | null,
  at: (line: number) => Record<string, unknown>,
): Record<string, unknown> {
  const owner = typeof e.after.owner === 'number' ? threadName(e.after.owner) : null
  return {
    object: objectName(e.pid, e.obj),
    op: e.op,
    result: e.result,
    ...at(e.line),
    after: e.after,
    ...(owner === null ? {} : { owner }),
    ...(e.value === null ? {} : { value: e.value }),
  }
}
