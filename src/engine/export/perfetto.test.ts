import { describe, expect, it } from 'vitest'
import { eventId, type OpEvent, type RunRecord, type TraceEvent } from '../../shared/trace'
import { runModel } from '../../../tests/support/runModel'
import { STATE_SLICE_NAMES, toChromeTrace, tracePid, traceTid } from '../../shared/export/perfetto'
import { checkChromeTrace, type ChromeTrace, type ChromeTraceEvent } from '../../shared/export/traceFormat'

/** Small runs: a quarter of the scenarios' sleeps. */
const fast = { speed: 0.25, timeoutS: 20 }

/** Converts a run, and checks the result against the format's rules, also after a JSON round trip. */
function exported(run: RunRecord): ChromeTrace {
  const trace = toChromeTrace(run)
  expect(checkChromeTrace(trace)).toEqual([])
  const parsed = JSON.parse(JSON.stringify(trace)) as ChromeTrace
  expect(parsed).toEqual(trace)
  expect(checkChromeTrace(parsed)).toEqual([])
  return trace
}

function metadata(trace: ChromeTrace, name: string): ChromeTraceEvent[] {
  return trace.traceEvents.filter((e) => e.ph === 'M' && e.name === name)
}

function onThread(trace: ChromeTrace, pid: number, tid: number): ChromeTraceEvent[] {
  return trace.traceEvents.filter((e) => e.pid === tracePid(pid) && e.tid === traceTid(pid, tid))
}

/** Ops whose cause is an event of the run: each is one arrow. */
function linkedOps(run: RunRecord): OpEvent[] {
  const ids = new Set(run.events.map((e) => eventId(e.pid, e.tid, e.seq)))
  return run.events.filter((e): e is OpEvent => e.type === 'op' && e.cause !== null && ids.has(e.cause))
}

function byId(run: RunRecord): Map<number, TraceEvent> {
  return new Map(run.events.map((e) => [eventId(e.pid, e.tid, e.seq), e]))
}

/** What every export must show of its run: lanes, states, arrows, CPU, output. */
function expectFaithful(run: RunRecord, trace: ChromeTrace): void {
  // A named process per Python process (with its OS pid), a named thread per Python thread.
  const processNames = new Map(metadata(trace, 'process_name').map((e) => [e.pid, e.args!.name as string]))
  for (const p of run.processes) {
    const name = processNames.get(tracePid(p.pid))
    expect(name).toBe(p.osPid === null ? p.name : `${p.name} (OS pid ${p.osPid})`)
  }
  const threadNames = new Map(metadata(trace, 'thread_name').map((e) => [`${e.pid}/${e.tid}`, e.args!.name]))
  const starts = run.events.filter((e) => e.type === 'thread-start')
  expect(threadNames.size).toBe(starts.length)
  for (const s of starts) expect(threadNames.get(`${tracePid(s.pid)}/${traceTid(s.pid, s.tid)}`)).toBe(s.name)

  // MainThread first in its process.
  const sortIndex = new Map(
    metadata(trace, 'thread_sort_index').map((e) => [`${e.pid}/${e.tid}`, e.args!.sort_index]),
  )
  for (const s of starts) {
    if (s.name !== 'MainThread') continue
    const mine = sortIndex.get(`${tracePid(s.pid)}/${traceTid(s.pid, s.tid)}`) as number
    for (const [key, index] of sortIndex)
      if (key.startsWith(`${tracePid(s.pid)}/`)) expect(index as number).toBeGreaterThanOrEqual(mine)
  }

  // State slices: one after another on each thread, never overlapping, as the run's state events say.
  const stateNames = new Set(Object.values(STATE_SLICE_NAMES))
  for (const s of starts) {
    const slices = onThread(trace, s.pid, s.tid)
      .filter((e) => e.ph === 'X' && e.cat === 'state')
      .sort((a, b) => a.ts! - b.ts!)
    const states = run.events.filter(
      (e) => e.type === 'state' && e.pid === s.pid && e.tid === s.tid && e.state !== 'finished',
    )
    expect(slices.length).toBeGreaterThan(0)
    expect(slices.length).toBeLessThanOrEqual(states.length)
    for (let i = 0; i < slices.length; i++) {
      expect(stateNames.has(slices[i].name!)).toBe(true)
      expect(slices[i].dur).toBeGreaterThan(0)
      if (i > 0) expect(slices[i].ts).toBeGreaterThanOrEqual(slices[i - 1].ts! + slices[i - 1].dur!)
      // The state event it starts at (of several within a tick, the one that lasted).
      const at = states.filter((e) => Math.abs(e.tUs - slices[i].ts!) <= 0.0625)
      const names = at.map((e) => (e.type === 'state' ? STATE_SLICE_NAMES[e.state as 'running'] : null))
      expect(names).toContain(slices[i].name)
    }
  }

  // An arrow per causal link, from the cause's thread to the effect's, paired by id.
  const events = byId(run)
  const starts_ = trace.traceEvents.filter((e) => e.ph === 's')
  const ends = new Map(trace.traceEvents.filter((e) => e.ph === 'f').map((e) => [e.id, e]))
  const links = linkedOps(run)
  expect(starts_).toHaveLength(links.length)
  expect(ends.size).toBe(links.length)
  for (const op of links) {
    const cause = events.get(op.cause!)!
    const f = [...ends.values()].find(
      (e) =>
        e.pid === tracePid(op.pid) &&
        e.tid === traceTid(op.pid, op.tid) &&
        Math.abs(e.ts! - op.tUs) <= 0.0625,
    )
    expect(f, `an arrow into ${op.op} at ${op.tUs}`).toBeDefined()
    expect(f!.bp).toBe('e')
    const s = starts_.find((e) => e.id === f!.id)!
    expect(s.pid).toBe(tracePid(cause.pid))
    expect(s.tid).toBe(traceTid(cause.pid, cause.tid))
    expect(s.cat).toBe(f!.cat)
    expect(s.name).toBe(f!.name)
    expect(f!.name).toMatch(new RegExp(`→ ${op.op}$`))
  }

  // Per-core CPU: a counter per core, a value per sample, 0 to 100, in a process named CPU.
  const cpuPid = [...processNames].find(([, name]) => name === 'CPU')?.[0]
  expect(cpuPid).toBeDefined()
  const cores = run.cpu[0].corePct.length
  for (let core = 0; core < cores; core++) {
    const counter = trace.traceEvents.filter((e) => e.ph === 'C' && e.name === `CPU ${core}`)
    expect(counter).toHaveLength(run.cpu.length)
    for (const c of counter) {
      expect(c.pid).toBe(cpuPid)
      const pct = c.args!['%'] as number
      expect(pct).toBeGreaterThanOrEqual(0)
      expect(pct).toBeLessThanOrEqual(100)
    }
    expect(counter.map((c) => c.args!['%'])).toEqual(run.cpu.map((s) => s.corePct[core]))
  }

  // Each printed line, as an instant on its thread with its text.
  const prints = run.events.filter((e) => e.type === 'print')
  const instants = trace.traceEvents.filter((e) => e.ph === 'i')
  expect(instants).toHaveLength(prints.length)
  for (const p of prints) {
    expect(instants).toContainEqual(
      expect.objectContaining({
        s: 't',
        pid: tracePid(p.pid),
        tid: traceTid(p.pid, p.tid),
        args: { text: p.text, line: p.line },
      }),
    )
  }

  expect(trace.metadata).toMatchObject({ scenario: run.scenario, params: run.params, outcome: run.outcome })
}

/** A hand-made run: two threads of one process, a lock, a print, two CPU samples. */
function handMade(events: TraceEvent[], wallUs = 1000): RunRecord {
  return {
    version: 1,
    scenario: 'hand-made',
    params: { n: 1 },
    options: { gil: true, timeoutS: 10, switchIntervalMs: 5, speed: 1, trace: true },
    program: 'import threading\nlock = threading.Lock()\nlock.acquire()\nprint("hi")\n',
    machine: { cores: 2, cpuModel: 'test', os: 'linux', node: 'v20' },
    startedAt: '2025-01-01T00:00:00.000Z',
    processes: [
      {
        pid: 0,
        name: 'MainProcess',
        parent: null,
        startMethod: null,
        osPid: null,
        startUs: 0,
        endUs: wallUs,
        exitCode: 0,
        signal: null,
        cpuUs: 0,
      },
    ],
    events,
    cpu: [
      { tUs: 100, corePct: [50, 100] },
      { tUs: 200, corePct: [0, 25] },
    ],
    threadCpu: [],
    outcome: { status: 'finished', message: 'finished', wallUs, deadlock: null },
    final: [],
    objects: [],
    result: {},
  }
}

describe('toChromeTrace on a hand-made run', () => {
  const base = { pid: 0 }
  const main = { ...base, tid: 0 }
  const worker = { ...base, tid: 1 }
  const events: TraceEvent[] = [
    { ...main, seq: 0, tUs: 10, type: 'thread-start', name: 'MainThread', daemon: false, parent: null },
    { ...main, seq: 1, tUs: 10.03, type: 'state', state: 'running', obj: null, line: 0 },
    { ...main, seq: 2, tUs: 20, type: 'object', obj: 0, kind: 'lock', name: 'lock', size: 0 },
    {
      ...main,
      seq: 3,
      tUs: 30,
      type: 'op',
      obj: 0,
      op: 'acquire',
      result: 'ok',
      line: 3,
      after: { owner: 0, waiters: 0 },
      cause: null,
      value: null,
    },
    { ...main, seq: 4, tUs: 40, type: 'print', text: 'hi', line: 4 },
    { ...main, seq: 5, tUs: 45, type: 'state', state: 'gil-wait', obj: null, line: 3 },
    // Its clock reads earlier than the state before: no slice may run backwards.
    { ...main, seq: 6, tUs: 44, type: 'state', state: 'blocked', obj: 0, line: 3 },
    { ...main, seq: 7, tUs: 300, type: 'state', state: 'finished', obj: null, line: 0 },
    { ...main, seq: 8, tUs: 300, type: 'thread-end', reason: 'returned', error: null },
    { ...worker, seq: 0, tUs: 50, type: 'thread-start', name: 'Thread-1', daemon: false, parent: 0 },
    { ...worker, seq: 1, tUs: 50, type: 'state', state: 'gil-wait', obj: null, line: 0 },
    { ...worker, seq: 2, tUs: 60, type: 'state', state: 'io', obj: null, line: 0 },
    {
      ...worker,
      seq: 3,
      tUs: 70,
      type: 'op',
      obj: 0,
      op: 'release',
      result: 'ok',
      line: 0,
      after: { owner: null, waiters: 0 },
      // Names the main thread's print (a made-up link) and, next, an event the run does not have.
      cause: eventId(0, 0, 4),
      value: null,
    },
    {
      ...worker,
      seq: 4,
      tUs: 80,
      type: 'op',
      obj: 0,
      op: 'release',
      result: 'ok',
      line: 0,
      after: { owner: null, waiters: 0 },
      cause: eventId(0, 0, 99),
      value: null,
    },
  ]
  const run = handMade(events)
  const trace = toChromeTrace(run)

  it('passes the format check', () => {
    expect(checkChromeTrace(trace)).toEqual([])
  })

  it('makes state slices that end at the next state, the thread end or the end of the run', () => {
    const slices = (tid: number) =>
      onThread(trace, 0, tid)
        .filter((e) => e.cat === 'state')
        .map((e) => [e.name, e.ts, e.dur])
    // 10.03 µs is quantised to 10 µs; the blocked state's earlier reading is clamped to 45, which
    // leaves the GIL wait no time at all: no slice.
    expect(slices(0)).toEqual([
      ['running', 10, 35],
      ['blocked', 45, 255],
    ])
    // Still in I/O when the run ended.
    expect(slices(1)).toEqual([
      ['GIL wait', 50, 10],
      ['I/O', 60, 940],
    ])
    const blocked = onThread(trace, 0, 0).find((e) => e.name === 'blocked')!
    expect(blocked.args).toEqual({ state: 'blocked', object: 'lock', line: 3, code: 'lock.acquire()' })
  })

  it('marks operations, thread ends and causes, and links only causes the run has', () => {
    const markers = trace.traceEvents
      .filter((e) => e.ph === 'X' && e.dur === 0)
      .map((e) => [e.name, e.tid, e.ts])
    expect(markers).toEqual([
      ['acquire lock', 1, 30],
      ['print', 1, 40],
      ['release lock', 2, 70],
      ['release lock', 2, 80],
      ['thread end', 1, 300],
    ])
    const flows = trace.traceEvents.filter((e) => e.ph === 's' || e.ph === 'f')
    expect(flows).toEqual([
      { ph: 's', name: 'print → release', cat: 'causal', id: 1, ts: 40, pid: 1, tid: 1 },
      { ph: 'f', bp: 'e', name: 'print → release', cat: 'causal', id: 1, ts: 70, pid: 1, tid: 2 },
    ])
    const acquire = trace.traceEvents.find((e) => e.name === 'acquire lock')!
    expect(acquire.args).toMatchObject({
      object: 'lock',
      op: 'acquire',
      owner: 'MainThread',
      code: 'lock.acquire()',
    })
  })

  it('draws each CPU sample over the time it measured, and the print as an instant', () => {
    const cpu = trace.traceEvents.filter((e) => e.ph === 'C').map((e) => [e.name, e.ts, e.args!['%']])
    expect(cpu).toEqual([
      ['CPU 0', 0, 50],
      ['CPU 1', 0, 100],
      ['CPU 0', 100, 0],
      ['CPU 1', 100, 25],
    ])
    expect(trace.traceEvents.filter((e) => e.ph === 'i')).toEqual([
      { ph: 'i', s: 't', name: 'print', cat: 'print', ts: 40, pid: 1, tid: 1, args: { text: 'hi', line: 4 } },
    ])
  })

  it('is checked by a checker that fails when the export is broken', () => {
    const broken = (edit: (events: ChromeTraceEvent[]) => void) => {
      const copy = structuredClone(trace)
      edit(copy.traceEvents)
      return checkChromeTrace(copy)
    }
    const running = (events: ChromeTraceEvent[]) => events.find((e) => e.name === 'running')!
    expect(broken((ev) => (running(ev).dur = 40))).toEqual([expect.stringMatching(/overlaps/)])
    expect(
      broken((ev) =>
        ev.splice(
          ev.findIndex((e) => e.ph === 'f'),
          1,
        ),
      ),
    ).toEqual([expect.stringMatching(/0 end events/)])
    expect(
      broken((ev) =>
        ev.splice(
          ev.findIndex((e) => e.name === 'thread_name'),
          1,
        ),
      ),
    ).toEqual([expect.stringMatching(/has no thread_name/)])
  })

  it('puts times on a grid of 1/8 µs, so that slice ends meet exactly', () => {
    const noisy = events.map((e) => ({ ...e, tUs: e.tUs + 0.0123456 }))
    for (const e of toChromeTrace(handMade(noisy)).traceEvents) {
      if (e.ts !== undefined) expect(Number.isInteger(e.ts * 8)).toBe(true)
      if (e.dur !== undefined) expect(Number.isInteger(e.dur * 8)).toBe(true)
    }
  })
})

describe('toChromeTrace on real runs', () => {
  it('race-counter with the lock: arrows from each release to the acquire it let in, and from thread ends to joins', async () => {
    let run = await runModel('race-counter', { threads: 2, iterations: 200, lock: 'on' }, fast)
    // The threads may not meet at the lock in a short run; a few tries find one that does.
    for (let i = 0; i < 3 && !linkedOps(run).some((e) => e.op === 'acquire'); i++)
      run = await runModel('race-counter', { threads: 2, iterations: 200, lock: 'on' }, fast)
    expect(run.outcome.status).toBe('finished')
    const trace = exported(run)
    expectFaithful(run, trace)
    const names = trace.traceEvents.filter((e) => e.ph === 's').map((e) => e.name)
    expect(names.filter((n) => n === 'thread end → join')).toHaveLength(2)
    expect(names).toContain('release → acquire')
    // Blocked slices name the lock.
    const blocked = trace.traceEvents.filter(
      (e) => e.ph === 'X' && e.name === 'blocked' && e.tid !== traceTid(0, 0),
    )
    expect(blocked.length).toBeGreaterThan(0)
    expect(blocked.every((e) => e.args!.object === 'lock')).toBe(true)
  })

  it('bounded-buffer: the queue depth as a counter, and arrows from puts to the gets that took them', async () => {
    const run = await runModel(
      'bounded-buffer',
      { producers: 2, consumers: 2, maxsize: 2, duration: 1 },
      fast,
    )
    expect(run.outcome.status).toBe('finished')
    const trace = exported(run)
    expectFaithful(run, trace)
    const depth = trace.traceEvents.filter((e) => e.ph === 'C' && e.name === 'queue q')
    const ops = run.events.filter((e): e is OpEvent => e.type === 'op' && typeof e.after.depth === 'number')
    expect(depth).toHaveLength(ops.length)
    expect(depth.every((e) => e.pid === tracePid(0))).toBe(true)
    const values = depth.map((e) => e.args!.depth as number)
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...values)).toBeLessThanOrEqual(2)
    expect(Math.max(...values)).toBeGreaterThan(0)
    // Counter values in time order.
    for (let i = 1; i < depth.length; i++) expect(depth[i].ts).toBeGreaterThanOrEqual(depth[i - 1].ts!)
    expect(trace.traceEvents.filter((e) => e.ph === 's').map((e) => e.name)).toContain('put → get')
  })

  it('pipe-messages: a trace process per Python process, and arrows across them from send to recv', async () => {
    const run = await runModel('pipe-messages', { count: 2 }, fast)
    expect(run.outcome.status).toBe('finished')
    const trace = exported(run)
    expectFaithful(run, trace)
    const names = metadata(trace, 'process_name').map((e) =>
      (e.args!.name as string).replace(/ \(OS pid \d+\)$/, ''),
    )
    expect(names).toEqual(['MainProcess', 'Producer', 'Consumer', 'CPU'])
    const sends = trace.traceEvents.filter((e) => e.ph === 's' && e.name === 'send → recv')
    expect(sends).toHaveLength(3) // two numbers and the sentinel
    for (const s of sends) {
      const f = trace.traceEvents.find((e) => e.ph === 'f' && e.id === s.id)!
      expect(metadata(trace, 'process_name').find((e) => e.pid === s.pid)!.args!.name).toMatch(/^Producer/)
      expect(metadata(trace, 'process_name').find((e) => e.pid === f.pid)!.args!.name).toMatch(/^Consumer/)
    }
  })
})
