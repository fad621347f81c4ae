import { describe, expect, it } from 'vitest'
import { syntheticRecording } from '../../tests/support/syntheticRecording'
import { EventTable, eventTableOf, holdEventsIn } from './eventTable'
import { tableFromColumns } from './recordingFast'
import { eventId, FIRST_BROKERED_ID, type RunRecord, type TraceEvent } from './trace'

/** One event of every type, with every nullable field both ways and numbers at awkward sizes. */
const EVENTS: TraceEvent[] = [
  { tUs: 0, pid: 0, tid: 0, seq: 0, type: 'thread-start', name: 'MainThread', daemon: false, parent: null },
  { tUs: 1.25, pid: 0, tid: 1, seq: 0, type: 'thread-start', name: 'Thread-1 (w)', daemon: true, parent: 0 },
  { tUs: 2, pid: 0, tid: 0, seq: 1, type: 'state', state: 'running', obj: null, line: 3 },
  { tUs: 3, pid: 0, tid: 1, seq: 1, type: 'state', state: 'blocked', obj: FIRST_BROKERED_ID + 7, line: 0 },
  { tUs: 4, pid: 0, tid: 0, seq: 2, type: 'object', obj: 5, kind: 'mp-queue', name: 'q', size: -3.5 },
  {
    tUs: 5.000001,
    pid: 0,
    tid: 0,
    seq: 3,
    type: 'op',
    obj: 5,
    op: 'put',
    result: 'ok',
    line: 9,
    after: { depth: 1, owner: null },
    cause: null,
    value: "'x'",
  },
  {
    tUs: 6,
    pid: 0,
    tid: 1,
    seq: 2 ** 40,
    type: 'op',
    obj: 5,
    op: 'get',
    result: 'timeout',
    line: 10,
    after: { depth: 1, owner: null },
    cause: eventId(0, 0, 3),
    value: null,
  },
  { tUs: 7, pid: 0, tid: 1, seq: 2 ** 40 + 1, type: 'print', text: 'héllo \u{1F600}', line: 11 },
  { tUs: 8, pid: 0, tid: 1, seq: 2 ** 40 + 2, type: 'thread-end', reason: 'exception', error: 'Boom' },
  { tUs: 9, pid: 0, tid: 0, seq: 4, type: 'result', key: 'total', value: { n: [1, 'two', null] } },
  { tUs: 3.2e13, pid: 1_000_000, tid: 4095, seq: 0, type: 'thread-end', reason: 'returned', error: null },
  // Past what a 32-bit column holds: kept aside by row.
  { tUs: 10, pid: 0, tid: 0, seq: 0xfffffffe, type: 'state', state: 'waiting', obj: 2 ** 45, line: 1 },
  {
    tUs: 11,
    pid: 0,
    tid: 0,
    seq: Number.MAX_SAFE_INTEGER,
    type: 'op',
    obj: 0xffffffff,
    op: 'arrive',
    result: 'error',
    line: 1_000_000,
    after: {},
    cause: Number.MAX_SAFE_INTEGER,
    value: '',
  },
]

describe('EventTable', () => {
  it('gives back every event as it was given, field for field', () => {
    const table = EventTable.fromEvents(EVENTS)
    expect(table.length).toBe(EVENTS.length)
    expect(table.slice()).toEqual(EVENTS)
    expect(EVENTS.map((_, i) => table.event(i))).toEqual(EVENTS)
    expect([...table]).toEqual(EVENTS)
    expect(table.slice(3, 5)).toEqual(EVENTS.slice(3, 5))
    expect(table.slice(-2, 99)).toEqual(EVENTS.slice(-2, 99))
    expect(table.slice(5, 2)).toEqual([])
    expect(table.pick([4, 0], 0, 2)).toEqual([EVENTS[4], EVENTS[0]])
    expect(table.maxUs()).toBe(3.2e13)
  })

  it('grows as events are appended in batches, and trims to what it holds', () => {
    const table = new EventTable(2)
    for (let i = 0; i < EVENTS.length; i += 3) table.append(EVENTS.slice(i, i + 3))
    expect(table.slice()).toEqual(EVENTS)
    table.trim()
    expect(table.columns.tUs.length).toBe(EVENTS.length)
    expect(table.slice()).toEqual(EVENTS)
    // Appended to again, it still holds each string and state once.
    const strings = table.strings.length
    const states = table.states.length
    table.append(EVENTS)
    expect([table.strings.length, table.states.length]).toEqual([strings, states])
    expect(table.slice(EVENTS.length)).toEqual(EVENTS)
  })

  it('keeps pids and lines in 16 bits until one does not fit, then in 32, losing nothing', () => {
    // EVENTS' first five fit; some after them do not.
    const small = EVENTS.slice(0, 5)
    const table = EventTable.fromEvents(small)
    expect(table.columns.pid).toBeInstanceOf(Uint16Array)
    expect(table.columns.line).toBeInstanceOf(Uint16Array)
    const late: TraceEvent[] = [
      { tUs: 7, pid: 999_999, tid: 0, seq: 0, type: 'thread-start', name: 'M', daemon: false, parent: null },
      { tUs: 8, pid: 999_999, tid: 0, seq: 1, type: 'state', state: 'running', obj: null, line: 65_536 },
      { tUs: 9, pid: 3, tid: 0, seq: 0, type: 'print', text: 'hi', line: 1_000_000 },
    ]
    table.append(late)
    expect(table.columns.pid).toBeInstanceOf(Uint32Array)
    expect(table.columns.line).toBeInstanceOf(Int32Array)
    expect(table.slice()).toEqual([...small, ...late])
    // And so does a table read from version 2's columns, with or without such values.
    const back = tableFromColumns(JSON.parse(JSON.stringify(table.toColumns())), () => true)
    expect(back?.slice()).toEqual([...small, ...late])
    expect(back?.columns.pid).toBeInstanceOf(Uint32Array)
    table.trim()
    expect(table.columns.line).toBeInstanceOf(Int32Array)
    expect(table.slice()).toEqual([...small, ...late])
  })

  it('widens its column of state ids past 65,535 distinct states, losing none', () => {
    const ops: TraceEvent[] = Array.from({ length: 70_000 }, (_, i) => ({
      tUs: i,
      pid: 0,
      tid: 0,
      seq: i,
      type: 'op',
      obj: 1,
      op: 'put',
      result: 'ok',
      line: 1,
      after: { depth: i },
      cause: null,
      value: null,
    }))
    const table = EventTable.fromEvents(ops)
    expect(table.columns.more).toBeInstanceOf(Int32Array)
    expect(table.event(69_999)).toEqual(ops[69_999])
    const back = tableFromColumns(JSON.parse(JSON.stringify(table.toColumns())), () => true)
    expect(back?.event(65_536)).toEqual(ops[65_536])
  })

  it('holds equal strings and states once, and the events made share them', () => {
    const table = EventTable.fromEvents(EVENTS)
    const [put, get] = [table.event(5), table.event(6)] as { after: object }[]
    expect(put.after).toBe(get.after)
    expect(table.states).toEqual([{ depth: 1, owner: null }, {}])
    // The same numbers in another order are another state: the key order is kept.
    table.append([{ ...(EVENTS[5] as TraceEvent & { type: 'op' }), after: { owner: null, depth: 1 } }])
    expect(table.states).toHaveLength(3)
    expect(Object.keys((table.event(table.length - 1) as { after: object }).after)).toEqual([
      'owner',
      'depth',
    ])
  })

  it('goes to version 2 columns and back without a difference', () => {
    const table = EventTable.fromEvents(EVENTS)
    const columns = JSON.parse(JSON.stringify(table.toColumns())) as unknown
    const back = tableFromColumns(columns, () => true)
    expect(back?.slice()).toEqual(EVENTS)
    const events = syntheticRecording({ events: 3000, threads: 5, locks: 2, seed: 4 }).record.events
    const big = tableFromColumns(
      JSON.parse(JSON.stringify(EventTable.fromEvents(events).toColumns())),
      () => true,
    )
    expect(big?.slice()).toEqual(events)
    expect(big?.columns.pid).toBeInstanceOf(Uint16Array)
  })
})

describe('a record whose events are held in a table', () => {
  const record = (): RunRecord =>
    ({ scenario: 's', events: [], outcome: { wallUs: 10 } }) as unknown as RunRecord

  it('reads as the plain record did, and says which table it holds', () => {
    const table = EventTable.fromEvents(EVENTS)
    const r = holdEventsIn(record(), table)
    expect(eventTableOf(r)).toBe(table)
    expect(r.events).toEqual(EVENTS)
    // One array while something holds it: readers that index it in a loop do not remake it.
    expect(r.events).toBe(r.events)
    expect(JSON.stringify(r)).toBe(JSON.stringify({ ...record(), events: EVENTS }))
    expect(Object.keys(r)).toEqual(['scenario', 'events', 'outcome'])
  })

  it('takes an array assigned to it instead, and then holds no table', () => {
    const r = holdEventsIn(record(), EventTable.fromEvents(EVENTS))
    r.events = EVENTS.slice(0, 2)
    expect(r.events).toEqual(EVENTS.slice(0, 2))
    expect(eventTableOf(r)).toBeNull()
    expect(eventTableOf(record())).toBeNull()
  })
})
