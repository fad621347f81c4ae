/**
 * Narration: a lesson's captions, each tied to a moment of its run that proves it ("the Drawer
 * notifies now, but nobody is waiting yet" appears at the Drawer's notify that woke nobody).
 *
 * A scenario's narration is a list of steps. A step is a cue (a caption and the event it waits for)
 * or a choice between branches, for captions that fit one ending only. Steps happen in order: a
 * step is looked for only after the previous step's moment. An `optional` step may not happen at
 * all: while one is awaited, the steps after it (up to the next required one) are looked for too,
 * and the first to happen wins; the optional steps it passed are skipped. A required step that
 * never happens leaves the captions after it unshown.
 *
 * Plain data (it travels to the page with the scenario's summary): patterns are strings, not RegExps.
 */
import type { Op, OpResult, RunStatus, ThreadEndReason, ThreadState, TraceEvent } from './trace'
import { objectKey } from './trace'

/** Which thread and object an event is about. */
interface Where {
  /**
   * Part of the thread's name as "Process/Thread" ("Drawer", "Thread-1", "MainProcess/MainThread").
   * Case-sensitive; any thread when left out.
   */
  who?: string
  /** The object's name, exactly ("cond", "pool._inqueue"); any object when left out. */
  object?: string
  /** The program line (program.py) the event is at. */
  line?: number
}

/** The event a cue waits for: the first one, after the previous step's moment, that fits all it says. */
export type CueAt =
  | (Where & {
      kind: 'op'
      op: Op | readonly Op[]
      result?: OpResult
      /** A regular expression the op's value (as Python prints it) must match in whole: "woke 0". */
      value?: string
      /** Only a value the same op on the same object has had before (a counter written twice with 3). */
      repeatsValue?: boolean
      /** Fields of the object's state right after the op, as OBJECT_STATE_FIELDS names them. */
      after?: Record<string, number | null>
    })
  | (Where & { kind: 'state'; state: ThreadState })
  /** A print; `text` is a regular expression the whole line must match. */
  | (Where & { kind: 'print'; text?: string })
  | { kind: 'thread-start'; who?: string }
  | { kind: 'thread-end'; who?: string; reason?: ThreadEndReason }
  /** The run's end, with one of these statuses if given. */
  | { kind: 'run-end'; status?: RunStatus | readonly RunStatus[] }

/** Only for runs with these parameter values (`{ variant: 'fixed' }`; a list allows any of its values). */
type ForParams = Record<string, string | number | readonly (string | number)[]>

export interface Cue {
  at: CueAt
  /**
   * The caption: short, for a student, true of every run that reaches the moment. Placeholders
   * from the event: {who} (the thread, or a child process by its name), {thread}, {process},
   * {object}, {value}, {text} (a print), {line}; at the run's end {status} and {seconds}.
   */
  text: string
  optional?: boolean
  params?: ForParams
}

/** Alternative endings: the first cue of a branch to happen chooses it, and the rest of it follows. */
export interface CueBranches {
  branches: NarrationStep[][]
  optional?: boolean
  params?: ForParams
}

export type NarrationStep = Cue | CueBranches

/** A cue that happened: when, the event that proves it (null for the run's end), and its caption. */
export interface Moment {
  tUs: number
  event: TraceEvent | null
  cue: Cue
  text: string
}

/** What the events alone do not say. */
export interface NarrationContext {
  /** The run's parameters: steps for other values are left out. */
  params?: Record<string, string | number>
  /** Process names by pid ("Writer"); otherwise MainProcess for 0 and "Process <pid>". */
  processNames?: ReadonlyMap<number, string>
  /** The run's end, once it has ended. */
  end?: { status: RunStatus; wallUs: number } | null
}

export function isBranches(step: NarrationStep): step is CueBranches {
  return 'branches' in step
}

/** Every cue of a narration, in branches too, in the order written. */
export function allCues(steps: readonly NarrationStep[]): Cue[] {
  return steps.flatMap((s) => (isBranches(s) ? s.branches.flatMap(allCues) : [s]))
}

/** The moments of `events` (in any order: they are sorted by time), as the cues say. */
export function narrate(
  events: readonly TraceEvent[],
  steps: readonly NarrationStep[],
  context: NarrationContext = {},
): Moment[] {
  const narrator = new Narrator(steps)
  narrator.add(events)
  return narrator.moments(context)
}

/** The caption to show at `atUs`: that of the latest moment at or before it, or null. */
export function momentAt(moments: readonly Moment[], atUs: number): Moment | null {
  let found: Moment | null = null
  for (const m of moments) {
    if (m.tUs > atUs) break
    found = m
  }
  return found
}

interface Candidate {
  e: TraceEvent
  order: number
}

/**
 * The same, fed as events arrive (in batches, threads out of step with each other): it keeps only
 * the events some cue could take, in time order, and finds the moments again when asked.
 */
export class Narrator {
  private readonly cues: Cue[]
  private readonly ops = new Set<string>()
  private readonly states = new Set<string>()
  private readonly kinds = new Set<string>()
  private readonly candidates: Candidate[] = []
  private readonly threadNames = new Map<string, string>()
  private readonly objectNames = new Map<string, string>()
  private count = 0

  constructor(private readonly steps: readonly NarrationStep[]) {
    this.cues = allCues(steps)
    for (const { at } of this.cues) {
      this.kinds.add(at.kind)
      if (at.kind === 'op') for (const op of typeof at.op === 'string' ? [at.op] : at.op) this.ops.add(op)
      if (at.kind === 'state') this.states.add(at.state)
    }
  }

  add(events: readonly TraceEvent[]): void {
    for (const e of events) {
      const order = this.count++
      if (e.type === 'thread-start') this.threadNames.set(`${e.pid}/${e.tid}`, e.name)
      else if (e.type === 'object') this.objectNames.set(objectKey(e.pid, e.obj), e.name)
      if (!this.mayMatter(e)) continue
      // Threads' batches arrive out of step: keep time order (stable), inserting from the end.
      const list = this.candidates
      let i = list.length
      while (i > 0 && list[i - 1].e.tUs > e.tUs) i--
      if (i === list.length) list.push({ e, order })
      else list.splice(i, 0, { e, order })
    }
  }

  /** The moments so far, in order. */
  moments(context: NarrationContext = {}): Moment[] {
    const names = new Names(this.threadNames, this.objectNames, context.processNames)
    let pending: NarrationStep[] = forParams(this.steps, context.params)
    const out: Moment[] = []
    /** Values each repeatsValue cue's op has had, by object. */
    const seen = new Map<Cue, Map<string, Set<string | null>>>()
    const repeating = this.cues.filter((c) => c.at.kind === 'op' && c.at.repeatsValue)
    for (const c of repeating) seen.set(c, new Map())

    const offer = (probe: Probe, tUs: number, event: TraceEvent | null): void => {
      for (let j = 0; j < pending.length; j++) {
        const hit = take(pending[j], probe)
        if (hit) {
          out.push({ tUs, event, cue: hit.cue, text: fill(hit.cue.text, probe, names) })
          pending = [...hit.rest, ...pending.slice(j + 1)]
          return
        }
        if (!pending[j].optional) return
      }
    }

    for (const { e } of this.candidates) {
      const probe: Probe = { e, names, seen, end: null }
      if (pending.length > 0) offer(probe, e.tUs, e)
      if (e.type === 'op') {
        for (const c of repeating) {
          if (!matches(c.at, probe)) continue
          const byObject = seen.get(c)!
          const key = objectKey(e.pid, e.obj)
          let values = byObject.get(key)
          if (!values) byObject.set(key, (values = new Set()))
          values.add(e.value)
        }
      }
    }
    const end = context.end
    if (end && pending.length > 0) {
      const lastUs = this.candidates.at(-1)?.e.tUs ?? 0
      offer({ e: null, names, seen, end }, Math.max(end.wallUs, lastUs, out.at(-1)?.tUs ?? 0), null)
    }
    return out
  }

  private mayMatter(e: TraceEvent): boolean {
    switch (e.type) {
      case 'op':
        return this.ops.has(e.op)
      case 'state':
        return this.states.has(e.state)
      case 'print':
      case 'thread-start':
      case 'thread-end':
        return this.kinds.has(e.type)
      default:
        return false
    }
  }
}

/** Leaves out the steps (and branches) for other parameter values. */
function forParams(steps: readonly NarrationStep[], params: NarrationContext['params']): NarrationStep[] {
  const fits = (want: ForParams | undefined): boolean =>
    !want ||
    !params ||
    Object.entries(want).every(
      ([k, v]) => params[k] === undefined || (Array.isArray(v) ? v.includes(params[k]) : params[k] === v),
    )
  return steps
    .filter((s) => fits(s.params))
    .map((s) => (isBranches(s) ? { ...s, branches: s.branches.map((b) => forParams(b, params)) } : s))
}

interface Probe {
  /** The event, or null for the run's end. */
  e: TraceEvent | null
  names: Names
  seen: Map<Cue, Map<string, Set<string | null>>>
  end: NarrationContext['end']
}

/** If the step takes this event: the cue that does, and what of the step is left to follow. */
function take(step: NarrationStep, probe: Probe): { cue: Cue; rest: NarrationStep[] } | null {
  if (!isBranches(step)) return matches(step.at, probe, step) ? { cue: step, rest: [] } : null
  for (const branch of step.branches) {
    for (let k = 0; k < branch.length; k++) {
      const hit = take(branch[k], probe)
      if (hit) return { cue: hit.cue, rest: [...hit.rest, ...branch.slice(k + 1)] }
      if (!branch[k].optional) break
    }
  }
  return null
}

const patterns = new Map<string, RegExp>()
function whole(pattern: string, text: string | null): boolean {
  let re = patterns.get(pattern)
  if (!re) patterns.set(pattern, (re = new RegExp(`^(?:${pattern})$`, 's')))
  return text !== null && re.test(text)
}

function matches(at: CueAt, probe: Probe, cue?: Cue): boolean {
  const { e, names } = probe
  if (at.kind === 'run-end') {
    if (e !== null || !probe.end) return false
    const want = at.status
    return want === undefined || (typeof want === 'string' ? [want] : want).includes(probe.end.status)
  }
  if (e === null) return false
  if (at.who !== undefined && !names.thread(e.pid, e.tid).includes(at.who)) return false
  switch (at.kind) {
    case 'op': {
      if (e.type !== 'op') return false
      if (typeof at.op === 'string' ? at.op !== e.op : !at.op.includes(e.op)) return false
      if (at.object !== undefined && names.object(e.pid, e.obj) !== at.object) return false
      if (at.line !== undefined && at.line !== e.line) return false
      if (at.result !== undefined && at.result !== e.result) return false
      if (at.value !== undefined && !whole(at.value, e.value)) return false
      if (at.after && !Object.entries(at.after).every(([k, v]) => e.after[k] === v)) return false
      // Without the cue: whether the op is one whose values the cue keeps, whatever the value.
      if (at.repeatsValue && cue) {
        const values = probe.seen.get(cue)?.get(objectKey(e.pid, e.obj))
        if (!values?.has(e.value)) return false
      }
      return true
    }
    case 'state':
      if (e.type !== 'state' || e.state !== at.state) return false
      if (at.line !== undefined && at.line !== e.line) return false
      if (at.object !== undefined && (e.obj === null || names.object(e.pid, e.obj) !== at.object))
        return false
      return true
    case 'print':
      if (e.type !== 'print') return false
      if (at.line !== undefined && at.line !== e.line) return false
      return at.text === undefined || whole(at.text, e.text)
    case 'thread-start':
      return e.type === 'thread-start'
    case 'thread-end':
      return e.type === 'thread-end' && (at.reason === undefined || at.reason === e.reason)
  }
}

/** Names of threads, processes and objects, from the events and the context. */
class Names {
  constructor(
    private readonly threads: ReadonlyMap<string, string>,
    private readonly objects: ReadonlyMap<string, string>,
    private readonly processes: ReadonlyMap<number, string> | undefined,
  ) {}

  process(pid: number): string {
    return this.processes?.get(pid) ?? (pid === 0 ? 'MainProcess' : `Process ${pid}`)
  }

  threadName(pid: number, tid: number): string {
    return this.threads.get(`${pid}/${tid}`) ?? (tid === 0 ? 'MainThread' : `Thread ${tid}`)
  }

  /** "Process/Thread", what `who` is looked for in. */
  thread(pid: number, tid: number): string {
    return `${this.process(pid)}/${this.threadName(pid, tid)}`
  }

  /** As a caption names it: a child process's MainThread by the process, a thread without its target. */
  who(pid: number, tid: number): string {
    if (tid === 0 && pid !== 0) return this.process(pid)
    return this.threadName(pid, tid).replace(/ \(.*\)$/, '')
  }

  object(pid: number, obj: number): string {
    return this.objects.get(objectKey(pid, obj)) ?? `object ${obj}`
  }
}

function fill(text: string, probe: Probe, names: Names): string {
  const { e, end } = probe
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (e === null) {
      if (name === 'status' && end) return end.status
      if (name === 'seconds' && end) return `${(end.wallUs / 1e6).toFixed(1)} s`
      return whole
    }
    switch (name) {
      case 'who':
        return names.who(e.pid, e.tid)
      case 'thread':
        return names.threadName(e.pid, e.tid)
      case 'process':
        return names.process(e.pid)
      case 'object':
        return e.type === 'op' || (e.type === 'state' && e.obj !== null) ? names.object(e.pid, e.obj!) : whole
      case 'value':
        return e.type === 'op' ? String(e.value) : whole
      case 'text':
        return e.type === 'print' ? e.text : whole
      case 'line':
        return 'line' in e ? String(e.line) : whole
      default:
        return whole
    }
  })
}
