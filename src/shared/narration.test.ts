import { describe, expect, it } from 'vitest'
import { momentAt, narrate, Narrator, type NarrationStep } from './narration'
import type { Op, TraceEvent } from './trace'

/** A small hand-written trace: events named as the engine records them, at times in ms. */
class Trace {
  readonly events: TraceEvent[] = []
  private seq = new Map<string, number>()

  private base(ms: number, pid: number, tid: number) {
    const key = `${pid}/${tid}`
    const seq = this.seq.get(key) ?? 0
    this.seq.set(key, seq + 1)
    return { tUs: ms * 1000, pid, tid, seq }
  }

  start(ms: number, pid: number, tid: number, name: string): this {
    this.events.push({ ...this.base(ms, pid, tid), type: 'thread-start', name, daemon: false, parent: null })
    return this
  }

  object(ms: number, pid: number, obj: number, name: string): this {
    this.events.push({ ...this.base(ms, pid, 0), type: 'object', obj, kind: 'mp-condition', name, size: 0 })
    return this
  }

  op(ms: number, pid: number, tid: number, obj: number, op: Op, value: string | null = null): this {
    this.events.push({
      ...this.base(ms, pid, tid),
      type: 'op',
      obj,
      op,
      result: 'ok',
      line: 1,
      after: {},
      cause: null,
      value,
    })
    return this
  }

  state(
    ms: number,
    pid: number,
    tid: number,
    state: 'waiting' | 'blocked' | 'running',
    obj: number | null,
  ): this {
    this.events.push({ ...this.base(ms, pid, tid), type: 'state', state, obj, line: 1 })
    return this
  }

  print(ms: number, pid: number, tid: number, text: string): this {
    this.events.push({ ...this.base(ms, pid, tid), type: 'print', text, line: 1 })
    return this
  }

  end(ms: number, pid: number, tid: number): this {
    this.events.push({ ...this.base(ms, pid, tid), type: 'thread-end', reason: 'returned', error: null })
    return this
  }
}

const COND = 2 ** 31 + 1
const processNames = new Map([
  [0, 'MainProcess'],
  [1, 'Drawer'],
  [2, 'Assembler'],
])

/** The lost wake-up as two endings: the first cue of a branch to happen chooses it. */
const lostWakeUp: NarrationStep[] = [
  { at: { kind: 'print', text: 'Drawer: .*', who: 'Drawer' }, text: '{who} says “{text}”' },
  {
    branches: [
      [
        {
          at: { kind: 'state', state: 'blocked', object: 'cond', who: 'Assembler' },
          text: 'blocked',
          optional: true,
        },
        {
          at: { kind: 'op', op: 'notify_all', object: 'cond', who: 'Drawer', value: 'woke 0' },
          text: 'the {who} notifies now, but nobody is waiting yet',
        },
        { at: { kind: 'run-end', status: 'timed-out' }, text: 'still waiting after {seconds}' },
      ],
      [
        {
          at: { kind: 'state', state: 'waiting', object: 'cond', who: 'Assembler' },
          text: 'the {who} waits on {object}',
        },
        {
          at: { kind: 'op', op: 'notify_all', object: 'cond', value: 'woke [1-9]' },
          text: 'the notify {value}',
        },
        { at: { kind: 'run-end', status: 'finished' }, text: 'all done ({status})' },
      ],
    ],
  },
]

function lostRun(): Trace {
  return new Trace()
    .start(0, 0, 0, 'MainThread')
    .object(1, 0, COND, 'cond')
    .start(10, 1, 0, 'MainThread')
    .start(11, 2, 0, 'MainThread')
    .op(20, 1, 0, COND, 'acquire')
    .print(21, 1, 0, 'Drawer: drawing')
    .state(22, 2, 0, 'blocked', COND)
    .op(40, 1, 0, COND, 'notify_all', 'woke 0')
    .op(41, 1, 0, COND, 'release')
    .state(42, 2, 0, 'waiting', COND)
}

function wokenRun(): Trace {
  return new Trace()
    .start(0, 0, 0, 'MainThread')
    .object(1, 0, COND, 'cond')
    .start(10, 1, 0, 'MainThread')
    .start(11, 2, 0, 'MainThread')
    .op(15, 2, 0, COND, 'acquire')
    .state(16, 2, 0, 'waiting', COND)
    .op(20, 1, 0, COND, 'acquire')
    .print(21, 1, 0, 'Drawer: drawing')
    .op(40, 1, 0, COND, 'notify_all', 'woke 1')
    .end(50, 2, 0)
}

describe('narration', () => {
  it('follows the branch whose first cue happens: the lost wake-up', () => {
    const moments = narrate(lostRun().events, lostWakeUp, {
      processNames,
      end: { status: 'timed-out', wallUs: 4_000_000 },
    })
    expect(moments.map((m) => [m.tUs, m.text])).toEqual([
      [21_000, 'Drawer says “Drawer: drawing”'],
      [22_000, 'blocked'],
      [40_000, 'the Drawer notifies now, but nobody is waiting yet'],
      [4_000_000, 'still waiting after 4.0 s'],
    ])
    expect(moments[2].event).toMatchObject({ type: 'op', op: 'notify_all', value: 'woke 0' })
    expect(moments[3].event).toBeNull()
  })

  it('follows the other branch when the run goes the other way', () => {
    const moments = narrate(wokenRun().events, lostWakeUp, {
      processNames,
      end: { status: 'finished', wallUs: 60_000 },
    })
    // The Assembler waited before the Drawer printed: a cue is looked for only after the one before
    // it, so the branch begins at the Assembler's next wait, which never comes.
    expect(moments.map((m) => m.text)).toEqual(['Drawer says “Drawer: drawing”'])
    const reordered: NarrationStep[] = [lostWakeUp[1], lostWakeUp[0]]
    expect(narrate(wokenRun().events, reordered, { processNames }).map((m) => m.text)).toEqual([
      'the Assembler waits on cond',
      'the notify woke 1',
      // The print came before the notify: not after it, so it never shows.
    ])
  })

  it('skips an optional cue that does not happen, and stops at a required one that does not', () => {
    const t = new Trace()
      .start(0, 0, 0, 'MainThread')
      .object(1, 0, COND, 'cond')
      .op(10, 0, 0, COND, 'acquire')
      .op(20, 0, 0, COND, 'release')
      .print(30, 0, 0, 'done')
    const steps: NarrationStep[] = [
      { at: { kind: 'op', op: 'acquire', object: 'cond' }, text: 'a' },
      { at: { kind: 'op', op: 'wait', object: 'cond' }, text: 'never', optional: true },
      { at: { kind: 'op', op: 'release', object: 'cond' }, text: 'r' },
      { at: { kind: 'op', op: 'notify', object: 'cond' }, text: 'never either' },
      { at: { kind: 'print' }, text: 'p' },
    ]
    expect(narrate(t.events, steps).map((m) => m.text)).toEqual(['a', 'r'])
  })

  it('takes events in time order whatever order they arrived in, one cue per event', () => {
    const t = lostRun()
    const shuffled = [...t.events].reverse()
    const steps: NarrationStep[] = [
      { at: { kind: 'op', op: ['acquire', 'release'], who: 'Drawer' }, text: '{who} {object} 1' },
      { at: { kind: 'op', op: ['acquire', 'release'], who: 'Drawer' }, text: '{who} {object} 2' },
      { at: { kind: 'op', op: ['acquire', 'release'], who: 'Drawer' }, text: '{who} {object} 3' },
    ]
    expect(narrate(shuffled, steps, { processNames }).map((m) => [m.tUs, m.text])).toEqual([
      [20_000, 'Drawer cond 1'],
      [41_000, 'Drawer cond 2'],
    ])
    // Fed in batches, the same.
    const narrator = new Narrator(steps)
    narrator.add(shuffled.slice(0, 4))
    narrator.add(shuffled.slice(4))
    expect(narrator.moments({ processNames }).map((m) => m.tUs)).toEqual([20_000, 41_000])
  })

  it('matches a value written before (a lost update), and leaves out steps for other parameters', () => {
    const COUNTER = 7
    const t = new Trace()
      .start(0, 0, 1, 'Thread-1 (worker)')
      .start(0, 0, 2, 'Thread-2 (worker)')
      .object(0, 0, COUNTER, 'counter')
      .op(1, 0, 1, COUNTER, 'write', '1')
      .op(2, 0, 2, COUNTER, 'write', '2')
      .op(3, 0, 1, COUNTER, 'write', '3')
      .op(4, 0, 2, COUNTER, 'write', '3')
    const steps: NarrationStep[] = [
      {
        at: { kind: 'op', op: 'write', object: 'counter', repeatsValue: true },
        text: '{who} wrote {value} again',
      },
      { at: { kind: 'thread-end' }, text: 'with the lock', params: { lock: 'on' } },
    ]
    const moments = narrate(t.events, steps, { params: { lock: 'off' } })
    expect(moments.map((m) => [m.tUs, m.text])).toEqual([[4000, 'Thread-2 wrote 3 again']])
  })

  it('shows the latest moment at or before a time', () => {
    const moments = narrate(lostRun().events, lostWakeUp, { processNames })
    expect(momentAt(moments, 20_999)).toBeNull()
    expect(momentAt(moments, 21_000)?.text).toMatch(/drawing/)
    expect(momentAt(moments, 39_000)?.text).toBe('blocked')
    expect(momentAt(moments, 1e9)?.text).toMatch(/nobody is waiting yet/)
  })
})
