import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../../shared/trace'
import { eventId, threadKey } from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'
import { describeHit, programLine } from './hitDetails'
import { hitTest } from './hitTest'
import { layoutLanes, type LaneHeights } from './laneLayout'
import { makeTimeScale } from './timeScale'

const PROGRAM = [
  'import threading', // 1
  'lock = threading.Lock()', // 2
  '', // 3
  'def worker():', // 4
  '    with lock:', // 5
  '        print("hi")', // 6
].join('\n')

const heights: LaneHeights = { process: 20, thread: 30, object: 20, gap: 0 }
const T1 = threadKey(0, 1)
const T2 = threadKey(0, 2)

// Thread-1 holds the lock from 100 to 600 and prints at 300; Thread-2 blocks on it from 200.
const events: TraceEvent[] = [
  {
    pid: 0,
    tid: 1,
    seq: 0,
    tUs: 0,
    type: 'thread-start',
    name: 'Thread-1 (worker)',
    daemon: false,
    parent: 0,
  },
  {
    pid: 0,
    tid: 2,
    seq: 0,
    tUs: 0,
    type: 'thread-start',
    name: 'Thread-2 (worker)',
    daemon: false,
    parent: 0,
  },
  { pid: 0, tid: 1, seq: 1, tUs: 0, type: 'object', obj: 1, kind: 'lock', name: 'lock', size: 0 },
  { pid: 0, tid: 1, seq: 2, tUs: 50, type: 'state', state: 'running', obj: null, line: 4 },
  { pid: 0, tid: 2, seq: 1, tUs: 60, type: 'state', state: 'running', obj: null, line: 4 },
  {
    ...{ pid: 0, tid: 1, seq: 3, tUs: 100, type: 'op', obj: 1, op: 'acquire', result: 'ok', line: 5 },
    ...{ after: { owner: T1, waiters: 0 }, cause: null, value: null },
  },
  { pid: 0, tid: 2, seq: 2, tUs: 200, type: 'state', state: 'blocked', obj: 1, line: 5 },
  { pid: 0, tid: 1, seq: 4, tUs: 300, type: 'print', text: 'hi there', line: 6 },
  {
    ...{ pid: 0, tid: 1, seq: 5, tUs: 600, type: 'op', obj: 1, op: 'release', result: 'ok', line: 5 },
    ...{ after: { owner: null, waiters: 1 }, cause: null, value: null },
  },
  {
    ...{ pid: 0, tid: 2, seq: 3, tUs: 610, type: 'op', obj: 1, op: 'acquire', result: 'ok', line: 5 },
    ...{ after: { owner: T2, waiters: 0 }, cause: eventId(0, 1, 5), value: null },
  },
  { pid: 0, tid: 2, seq: 4, tUs: 612, type: 'state', state: 'running', obj: null, line: 5 },
  { pid: 0, tid: 1, seq: 6, tUs: 700, type: 'thread-end', reason: 'returned', error: null },
]

function traceOf(): RunTrace {
  const trace = new RunTrace()
  trace.addEvents(events)
  trace.addThreadCpu([
    { tUs: 250, pid: 0, tid: 1, cpuUs: 120_000, core: 0 },
    { tUs: 900, pid: 0, tid: 1, cpuUs: 840_000, core: 1 },
  ])
  trace.end(1000)
  return trace
}

describe('describeHit', () => {
  const trace = traceOf()
  const layout = layoutLanes(trace.laneProcesses(), heights)
  const scale = makeTimeScale(0, 1000, 0, 1000) // 1 µs a pixel
  const laneY = (key: number): number => layout.byThread.get(key)!.y + 10
  const texts = (x: number, y: number): string[] =>
    describeHit(hitTest(layout, trace, scale, x, y)!, trace, PROGRAM).map((l) => l.text)

  it('says for how long a thread was blocked, who held the lock, who let it in, and the line', () => {
    const lines = describeHit(hitTest(layout, trace, scale, 400, laneY(T2))!, trace, PROGRAM)
    expect(lines[0]).toEqual({ text: 'Thread-2 (worker)', kind: 'title' })
    const text = lines.map((l) => l.text)
    expect(text).toContain('blocked on lock for 412 µs')
    expect(text).toContain('held by Thread-1 (worker)')
    expect(text).toContain('woken by Thread-1 (worker)')
    expect(lines).toContainEqual({ text: 'line 5:', kind: 'text' })
    expect(lines).toContainEqual({ text: 'with lock:', kind: 'code' })
    expect(text.at(-1)).toBe('at 400 µs')
  })

  it('gives the printed text on a print marker, and the CPU time by then and in all', () => {
    const text = texts(302, laneY(T1))
    expect(text).toContain('printed: hi there')
    expect(text).toContain('CPU 120 ms by then, 840 ms in all')
    expect(text).toContain('print("hi")')
    expect(texts(200, laneY(T1))).not.toContain('printed: hi there')
    expect(texts(200, laneY(T1))).toContain('CPU 840 ms in all')
  })

  it('says when a thread had finished', () => {
    expect(texts(800, laneY(T1))).toContain('finished at 700 µs')
    expect(texts(650, laneY(T1))).not.toContain('finished at 700 µs')
  })

  it("tells a lock's owner and waiters on its lane", () => {
    const lane = layout.byObject.get('0:1')!
    const text = texts(400, lane.y + 5)
    expect(text[0]).toBe('lock lock')
    expect(text).toContain('held by Thread-1 (worker)')
    expect(text).toContain('1 waiting: Thread-2 (worker) (blocked)')
    expect(text).toContain('after acquire by Thread-1 (worker)')
  })
})

describe('programLine', () => {
  it('gives a line of the program, trimmed, counting from 1', () => {
    expect(programLine(PROGRAM, 5)).toBe('with lock:')
    expect(programLine(PROGRAM, 1)).toBe('import threading')
    expect(programLine(PROGRAM, 0)).toBe('')
    expect(programLine(PROGRAM, 99)).toBe('')
  })
})
