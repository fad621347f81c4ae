import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../../shared/trace'
import { eventId, threadKey } from '../../../shared/trace'
import { RunTrace, lastAtOrBefore } from './runTrace'

const start = (pid: number, tid: number, tUs: number, name: string): TraceEvent => ({
  pid,
  tid,
  seq: 0,
  tUs,
  type: 'thread-start',
  name,
  daemon: false,
  parent: null,
})

describe('RunTrace', () => {
  it('builds slices per thread from state events, across batches', () => {
    const trace = new RunTrace()
    trace.addEvents([
      start(0, 0, 0, 'MainThread'),
      { pid: 0, tid: 0, seq: 1, tUs: 5, type: 'state', state: 'running', obj: null, line: 2 },
    ])
    expect(trace.threads.get(0)?.slices.toArray()).toEqual([
      { startUs: 5, endUs: Infinity, state: 'running', objectKey: null, line: 2 },
    ])
    trace.addEvents([{ pid: 0, tid: 0, seq: 2, tUs: 50, type: 'state', state: 'blocked', obj: 3, line: 7 }])
    trace.addEvents([
      { pid: 0, tid: 0, seq: 3, tUs: 90, type: 'thread-end', reason: 'returned', error: null },
    ])
    const slices = trace.threads.get(0)?.slices
    expect(slices?.toArray().map((s) => [s.startUs, s.endUs, s.state, s.objectKey])).toEqual([
      [5, 50, 'running', null],
      [50, 90, 'blocked', '0:3'],
    ])
    expect(trace.lineAt(0, 49)).toBe(2)
    expect(trace.lineAt(0, 60)).toBe(7)
    expect(trace.lineAt(0, 1)).toBe(0)
  })

  it('links an operation to its cause, across processes, once both have arrived', () => {
    const trace = new RunTrace()
    trace.addEvents([
      start(1, 0, 0, 'MainThread'),
      {
        pid: 1,
        tid: 0,
        seq: 1,
        tUs: 200,
        type: 'op',
        obj: 2 ** 31,
        op: 'recv',
        result: 'ok',
        line: 9,
        after: { depth: 0 },
        cause: eventId(2, 0, 4),
        value: '1',
      },
    ])
    expect(trace.links).toHaveLength(1)
    expect(trace.links.at(0).objectKey).toBe(`mp:${2 ** 31}`)
    expect(trace.causeOf(trace.links.at(0))).toBeNull()
    trace.addEvents([
      {
        pid: 2,
        tid: 0,
        seq: 4,
        tUs: 150,
        type: 'op',
        obj: 2 ** 31,
        op: 'send',
        result: 'ok',
        line: 4,
        after: { depth: 1 },
        cause: null,
        value: '1',
      },
    ])
    expect(trace.causeOf(trace.links.at(0))).toEqual({ threadKey: threadKey(2, 0), tUs: 150 })
  })

  it('names threads with their process once there are several', () => {
    const trace = new RunTrace()
    trace.addEvents([start(0, 0, 0, 'MainThread'), start(0, 1, 1, 'Thread-1 (worker)')])
    expect(trace.threadLabel(threadKey(0, 1))).toBe('Thread-1 (worker)')
    expect(trace.shortThreadLabel(threadKey(0, 1))).toBe('Thread-1')
    trace.setProcess({
      pid: 1,
      name: 'Writer',
      parent: 0,
      startMethod: 'spawn',
      osPid: 42,
      startUs: 3,
      endUs: null,
      exitCode: null,
      signal: null,
      cpuUs: 0,
    })
    trace.addEvents([start(1, 0, 4, 'MainThread')])
    expect(trace.threadLabel(threadKey(1, 0))).toBe('Writer/MainThread')
    expect(trace.shortThreadLabel(threadKey(1, 0))).toBe('Writer')
    expect(trace.laneProcesses().map((p) => [p.name, p.threads.length])).toEqual([
      ['MainProcess', 2],
      ['Writer', 1],
    ])
  })

  it('closes open slices at the end of the run', () => {
    const trace = new RunTrace()
    trace.addEvents([
      start(0, 0, 0, 'MainThread'),
      { pid: 0, tid: 0, seq: 1, tUs: 5, type: 'state', state: 'blocked', obj: null, line: 1 },
    ])
    trace.end(3_000)
    expect(trace.threads.get(0)?.slices.endUs(0)).toBe(3_000)
    expect(trace.lastUs).toBe(3_000)
    // Its lists are trimmed to what they hold, and still take more (a late batch).
    expect(trace.threads.get(0)?.events.rows.data.length).toBe(2)
    trace.addEvents([
      { pid: 0, tid: 0, seq: 2, tUs: 3_100, type: 'state', state: 'running', obj: null, line: 2 },
    ])
    expect(
      trace.threads
        .get(0)
        ?.slices.toArray()
        .map((s) => [s.startUs, s.endUs]),
    ).toEqual([
      [5, 3_100],
      [3_100, 3_100],
    ])
  })

  it('keeps objects’ steps in time order when threads’ batches arrive out of step', () => {
    const trace = new RunTrace()
    const acquire = (tid: number, tUs: number): TraceEvent => ({
      pid: 0,
      tid,
      seq: tUs,
      tUs,
      type: 'op',
      obj: 1,
      op: 'acquire',
      result: 'ok',
      line: 3,
      after: { owner: threadKey(0, tid), waiters: 0 },
      cause: null,
      value: null,
    })
    trace.addEvents([
      { pid: 0, tid: 0, seq: 0, tUs: 0, type: 'object', obj: 1, kind: 'lock', name: 'l', size: 0 },
    ])
    trace.addEvents([acquire(1, 100), acquire(1, 300)])
    trace.addEvents([acquire(2, 200), acquire(2, 400)])
    expect(
      trace.objects
        .get('0:1')
        ?.steps.toArray()
        .map((s) => [s.startUs, s.threadKey]),
    ).toEqual([
      [100, 1],
      [200, 2],
      [300, 1],
      [400, 2],
    ])
  })

  it('keeps who waited on an object, each thread’s prints, and its CPU time over the run', () => {
    const trace = new RunTrace()
    trace.addEvents([
      start(0, 1, 0, 'Thread-1'),
      start(0, 2, 0, 'Thread-2'),
      { pid: 0, tid: 2, seq: 1, tUs: 50, type: 'state', state: 'waiting', obj: 4, line: 2 },
      { pid: 0, tid: 1, seq: 1, tUs: 20, type: 'state', state: 'blocked', obj: 4, line: 2 },
      { pid: 0, tid: 1, seq: 2, tUs: 30, type: 'state', state: 'blocked', obj: 5, line: 2 },
      { pid: 0, tid: 1, seq: 3, tUs: 40, type: 'state', state: 'sleeping', obj: null, line: 2 },
      { pid: 0, tid: 1, seq: 4, tUs: 60, type: 'print', text: 'one', line: 3 },
      { pid: 0, tid: 2, seq: 2, tUs: 70, type: 'print', text: 'two', line: 3 },
    ])
    expect(
      trace
        .waitsOn('0:4')
        .toArray()
        .map((w) => [w.threadKey, w.startUs, w.endUs]),
    ).toEqual([
      [1, 20, 30],
      [2, 50, Infinity],
    ])
    expect(trace.waitsOn('0:9').length).toBe(0)
    expect(trace.threads.get(1)?.prints.map((p) => p.text)).toEqual(['one'])
    expect(trace.prints.map((p) => p.text)).toEqual(['one', 'two'])

    trace.addThreadCpu([
      { tUs: 100, pid: 0, tid: 1, cpuUs: 10, core: 0 },
      { tUs: 200, pid: 0, tid: 1, cpuUs: 25, core: 1 },
    ])
    expect(trace.cpuUsAt(1, 50)).toBe(0)
    expect(trace.cpuUsAt(1, 150)).toBe(10)
    expect(trace.cpuUsAt(1, 1e9)).toBe(25)
    expect(trace.threads.get(1)).toMatchObject({ cpuUs: 25, lastCore: 1 })
  })

  it('lastAtOrBefore finds the last index at or before a value', () => {
    expect(lastAtOrBefore([1, 3, 3, 7], 0)).toBe(-1)
    expect(lastAtOrBefore([1, 3, 3, 7], 3)).toBe(2)
    expect(lastAtOrBefore([1, 3, 3, 7], 100)).toBe(3)
  })
})
