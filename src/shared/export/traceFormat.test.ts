import { describe, expect, it } from 'vitest'
import { checkChromeTrace, type ChromeTraceEvent } from './traceFormat'

/** Names for process 1 and its threads 1 and 2. */
const NAMES: ChromeTraceEvent[] = [
  { ph: 'M', name: 'process_name', pid: 1, args: { name: 'MainProcess' } },
  { ph: 'M', name: 'process_sort_index', pid: 1, args: { sort_index: 0 } },
  { ph: 'M', name: 'thread_name', pid: 1, tid: 1, args: { name: 'MainThread' } },
  { ph: 'M', name: 'thread_sort_index', pid: 1, tid: 1, args: { sort_index: 0 } },
  { ph: 'M', name: 'thread_name', pid: 1, tid: 2, args: { name: 'Thread-1' } },
]

/** A valid trace using every phase the checker knows (a fresh copy each time). */
function valid(): ChromeTraceEvent[] {
  return structuredClone([
    ...NAMES,
    { ph: 'X', name: 'running', cat: 'state', ts: 0, dur: 10, pid: 1, tid: 1 },
    { ph: 'X', name: 'release lock', cat: 'op', ts: 4, dur: 0, pid: 1, tid: 1 },
    { ph: 's', name: 'release → acquire', cat: 'causal', id: 1, ts: 4, pid: 1, tid: 1 },
    { ph: 'X', name: 'blocked', cat: 'state', ts: 10, dur: 5, pid: 1, tid: 1 },
    { ph: 'B', name: 'outer', ts: 20, pid: 1, tid: 1 },
    { ph: 'B', name: 'inner', ts: 21, pid: 1, tid: 1 },
    { ph: 'E', ts: 22, pid: 1, tid: 1 },
    { ph: 'E', name: 'outer', ts: 25, pid: 1, tid: 1 },
    { ph: 'X', name: 'running', cat: 'state', ts: 2, dur: 8, pid: 1, tid: 2 },
    { ph: 'X', name: 'acquire lock', cat: 'op', ts: 6, dur: 0, pid: 1, tid: 2 },
    { ph: 'f', bp: 'e', name: 'release → acquire', cat: 'causal', id: 1, ts: 6, pid: 1, tid: 2 },
    { ph: 'i', s: 't', name: 'print', ts: 7, pid: 1, tid: 2, args: { text: 'hello' } },
    { ph: 'C', name: 'queue q', ts: 3, pid: 1, tid: 1, args: { depth: 2 } },
  ])
}

/** The violations of the valid trace changed by `edit`. */
function problemsWith(edit: (events: ChromeTraceEvent[]) => void): string[] {
  const events = valid()
  edit(events)
  return checkChromeTrace({ traceEvents: events, displayTimeUnit: 'ms' })
}

function find(events: ChromeTraceEvent[], name: string, ph?: string): ChromeTraceEvent {
  const e = events.find((x) => x.name === name && (ph === undefined || x.ph === ph))
  if (!e) throw new Error(`no event ${name}`)
  return e
}

describe('checkChromeTrace', () => {
  it('passes a valid trace, in the object format and as a bare array', () => {
    expect(checkChromeTrace({ traceEvents: valid(), displayTimeUnit: 'ms', metadata: { a: 1 } })).toEqual([])
    expect(checkChromeTrace(valid())).toEqual([])
    expect(checkChromeTrace({ traceEvents: [] })).toEqual([])
  })

  it('refuses what is not a trace', () => {
    expect(checkChromeTrace(null)).toEqual(['the trace is neither an object nor an array of events'])
    expect(checkChromeTrace({ events: [] })).toEqual(['the trace has no traceEvents array'])
    expect(checkChromeTrace({ traceEvents: [], displayTimeUnit: 's' })).toEqual([
      "displayTimeUnit must be 'ms' or 'ns' (got \"s\")",
    ])
  })

  it('checks the fields each phase needs', () => {
    const cases: [string, (events: ChromeTraceEvent[]) => void, RegExp][] = [
      ['unknown phase', (ev) => ev.push({ ph: 'Q', name: 'x', ts: 0, pid: 1, tid: 1 }), /unknown phase "Q"/],
      ['no name', (ev) => delete find(ev, 'blocked').name, /name must be a string/],
      [
        'pid not a number',
        (ev) => ((find(ev, 'blocked') as { pid: unknown }).pid = '1'),
        /pid must be an integer/,
      ],
      ['no tid on a slice', (ev) => delete find(ev, 'blocked').tid, /tid must be an integer/],
      ['no ts', (ev) => delete find(ev, 'blocked').ts, /ts must be a finite number/],
      ['NaN ts', (ev) => (find(ev, 'blocked').ts = NaN), /ts must be a finite number/],
      ['negative ts', (ev) => (find(ev, 'print').ts = -1), /ts must be >= 0/],
      ['X without dur', (ev) => delete find(ev, 'blocked').dur, /dur must be a finite number/],
      ['X with negative dur', (ev) => (find(ev, 'blocked').dur = -1), /dur must be >= 0/],
      [
        'args not an object',
        (ev) => ((find(ev, 'print') as { args: unknown }).args = 'hello'),
        /args must be an object/,
      ],
      [
        'bad instant scope',
        (ev) => ((find(ev, 'print') as { s: unknown }).s = 'x'),
        /s must be 'g', 'p' or 't'/,
      ],
      [
        'thread_name without a name',
        (ev) => (find(ev, 'thread_name').args = {}),
        /args.name must be a non-empty/,
      ],
      [
        'sort index not an integer',
        (ev) => (find(ev, 'thread_sort_index').args = { sort_index: 0.5 }),
        /sort_index/,
      ],
      ['flow without id', (ev) => delete find(ev, 'release → acquire', 's').id, /needs an id/],
      ['flow without cat', (ev) => delete find(ev, 'release → acquire', 'f').cat, /needs a cat/],
      [
        'flow with a bad bp',
        (ev) => ((find(ev, 'release → acquire', 'f') as { bp: unknown }).bp = 'x'),
        /bp must be 'e'/,
      ],
    ]
    for (const [what, edit, expected] of cases) {
      const problems = problemsWith(edit)
      expect(problems.length, what).toBeGreaterThan(0)
      expect(
        problems.some((p) => expected.test(p)),
        `${what}: ${problems.join('; ')}`,
      ).toBe(true)
    }
  })

  it('needs every B ended by an E on its thread, in stack order', () => {
    expect(problemsWith((ev) => ev.splice(ev.indexOf(find(ev, 'outer', 'E')), 1))).toEqual([
      expect.stringMatching(/B 'outer'.*never ended on thread 1\/1/),
    ])
    expect(problemsWith((ev) => ev.push({ ph: 'E', ts: 30, pid: 1, tid: 1 }))).toEqual([
      expect.stringMatching(/no open B on thread 1\/1 to end/),
    ])
    // An E on another thread does not end a B.
    const elsewhere = problemsWith((ev) => (find(ev, 'outer', 'E').tid = 2))
    expect(elsewhere).toHaveLength(2)
    expect(elsewhere).toContainEqual(expect.stringMatching(/no open B on thread 1\/2 to end/))
    expect(elsewhere).toContainEqual(expect.stringMatching(/B 'outer'.*never ended on thread 1\/1/))
    // Ending the outer slice first: the E names a slice that is not the latest open one.
    expect(
      problemsWith((ev) => {
        find(ev, 'outer', 'E').ts = 22
        ev.splice(ev.indexOf(ev.find((e) => e.ph === 'E' && e.name === undefined)!), 1, {
          ph: 'E',
          name: 'inner',
          ts: 25,
          pid: 1,
          tid: 1,
        })
      }).join('\n'),
    ).toMatch(/ends 'inner'/)
  })

  it('finds slices of one thread that overlap without nesting', () => {
    const problems = problemsWith((ev) => (find(ev, 'blocked').ts = 8))
    expect(problems).toEqual([
      expect.stringMatching(/X 'blocked'.*\[8, 13\] overlaps .*'running'.*\[0, 10\]/),
    ])
    // B/E slices count too.
    expect(
      problemsWith((ev) => ev.push({ ph: 'X', name: 'late', ts: 21.5, dur: 5, pid: 1, tid: 1 })),
    ).toEqual([expect.stringMatching(/X 'late'.*\[21.5, 26.5\] overlaps event \d+ \(B 'inner'\) \[21, 22\]/)])
    // Nesting, touching and slices on other threads are fine.
    expect(problemsWith((ev) => ev.push({ ph: 'X', name: 'in', ts: 10, dur: 5, pid: 1, tid: 1 }))).toEqual([])
    expect(problemsWith((ev) => ev.push({ ph: 'X', name: 'other', ts: 5, dur: 20, pid: 1, tid: 2 }))).toEqual(
      [expect.stringMatching(/'other'.*overlaps/)],
    )
  })

  it('pairs flows by id and cat, one s and one f each, with one name', () => {
    expect(problemsWith((ev) => ev.splice(ev.indexOf(find(ev, 'release → acquire', 'f')), 1))).toEqual([
      'flow causal#1: 0 end events (f), needs exactly 1',
    ])
    expect(problemsWith((ev) => ev.splice(ev.indexOf(find(ev, 'release → acquire', 's')), 1))).toEqual([
      'flow causal#1: 0 start events (s), needs exactly 1',
    ])
    expect(problemsWith((ev) => (find(ev, 'release → acquire', 'f').id = 2))).toEqual([
      'flow causal#1: 0 end events (f), needs exactly 1',
      'flow causal#2: 0 start events (s), needs exactly 1',
    ])
    expect(problemsWith((ev) => (find(ev, 'release → acquire', 'f').cat = 'other'))).toHaveLength(2)
    expect(problemsWith((ev) => (find(ev, 'release → acquire', 'f').name = 'renamed'))).toEqual([
      expect.stringMatching(/flow causal#1: its events have different names/),
    ])
    expect(
      problemsWith((ev) => ev.push({ ...find(ev, 'release → acquire', 's'), ts: 5 })).join('\n'),
    ).toMatch(/2 start events/)
  })

  it('needs every flow point inside a slice of its thread', () => {
    expect(problemsWith((ev) => (find(ev, 'release → acquire', 's').ts = 16))).toEqual([
      expect.stringMatching(/\(s 'release → acquire'\): ts 16 lies in no slice of thread 1\/1/),
    ])
    // On a thread with no slice there.
    expect(problemsWith((ev) => (find(ev, 'release → acquire', 'f').ts = 1))).toEqual([
      expect.stringMatching(/\(f 'release → acquire'\): ts 1 lies in no slice of thread 1\/2/),
    ])
    // Without bp 'e', an f binds to the next slice that begins: there must be one.
    expect(problemsWith((ev) => delete find(ev, 'release → acquire', 'f').bp)).toEqual([])
    expect(
      problemsWith((ev) => {
        const f = find(ev, 'release → acquire', 'f')
        delete f.bp
        f.ts = 9
      }),
    ).toEqual([expect.stringMatching(/no slice begins at or after ts 9 on thread 1\/2/)])
  })

  it('needs counters to be finite numbers', () => {
    expect(problemsWith((ev) => (find(ev, 'queue q').args = { depth: '2' }))).toEqual([
      expect.stringMatching(/counter value 'depth' must be a finite number/),
    ])
    expect(problemsWith((ev) => (find(ev, 'queue q').args = { depth: null }))).toHaveLength(1)
    expect(problemsWith((ev) => (find(ev, 'queue q').args = {}))).toEqual([
      expect.stringMatching(/needs at least one value/),
    ])
    expect(problemsWith((ev) => delete find(ev, 'queue q').args)).toHaveLength(1)
  })

  it('needs metadata naming every process and thread that has events', () => {
    expect(problemsWith((ev) => ev.splice(ev.indexOf(find(ev, 'thread_name')), 1))).toEqual([
      expect.stringMatching(/thread 1\/1 \(first used by event \d+\) has no thread_name/),
    ])
    expect(problemsWith((ev) => ev.splice(ev.indexOf(find(ev, 'process_name')), 1))).toEqual([
      expect.stringMatching(/process 1 \(first used by event \d+\) has no process_name/),
    ])
    // A counter of another process needs that process named, not a thread.
    expect(
      problemsWith((ev) => ev.push({ ph: 'C', name: 'CPU 0', ts: 0, pid: 9, tid: 9, args: { '%': 5 } })),
    ).toEqual([expect.stringMatching(/process 9 .* has no process_name/)])
    expect(
      problemsWith((ev) =>
        ev.push(
          { ph: 'M', name: 'process_name', pid: 9, args: { name: 'CPU' } },
          { ph: 'C', name: 'CPU 0', ts: 0, pid: 9, tid: 9, args: { '%': 5 } },
        ),
      ),
    ).toEqual([])
  })

  it('lists at most 200 violations', () => {
    const events = [...valid()]
    for (let i = 0; i < 300; i++) events.push({ ph: 'X', name: 'bad', ts: 0, dur: -1, pid: 1, tid: 1 })
    const problems = checkChromeTrace(events)
    expect(problems).toHaveLength(201)
    expect(problems[200]).toBe('... and 100 more')
  })
})
