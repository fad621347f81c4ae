import { describe, expect, it } from 'vitest'
import { makeRecording } from '../../../shared/recording'
import { TRACE_VERSION, type RunRecord, type RunStatus } from '../../../shared/trace'
import {
  busyPct,
  compactNumber,
  comparisonSentence,
  defaultPair,
  formatWall,
  HISTORY_LIMIT,
  keepNewest,
  runFacts,
  runLabel,
  runNames,
  settingsText,
  sharedDomain,
  threadsCpuUs,
  type RunFacts,
} from './compare'

function record(over: Partial<RunRecord> = {}): RunRecord {
  return {
    version: TRACE_VERSION,
    scenario: 'countdown-gil',
    params: { workers: 2, count: 10_000_000, mode: 'threads' },
    options: { gil: true, timeoutS: 30, switchIntervalMs: 5, speed: 1, trace: true },
    program: 'print(1)\n',
    machine: { cores: 2, cpuModel: 'test', os: 'linux', node: '20' },
    startedAt: '2026-12-01T10:00:00.000Z',
    processes: [],
    events: [],
    cpu: [],
    threadCpu: [],
    outcome: { status: 'finished', message: 'finished in 3.21 s', wallUs: 3_210_000, deadlock: null },
    final: [],
    objects: [],
    result: {},
    ...over,
  }
}

function facts(over: Partial<RunFacts> = {}): RunFacts {
  return {
    scenario: 'countdown-gil',
    params: { workers: 2, count: 10_000_000, mode: 'threads' },
    gil: true,
    speed: 1,
    status: 'finished',
    wallUs: 3_210_000,
    cpuUs: 3_200_000,
    cores: 2,
    verdict: '',
    endUs: 3_210_000,
    ...over,
  }
}

const APP = { name: 'Interleave', version: '0.1.0', electron: null }

const thread = (pid: number, tid: number, cpuUs: number) => ({
  pid,
  tid,
  process: pid ? `Process-${pid}` : 'MainProcess',
  name: tid ? `Thread-${tid}` : 'MainThread',
  state: 'finished' as const,
  obj: null,
  line: 0,
  cpuUs,
})

describe('a run’s facts', () => {
  it('takes its wall time from the outcome and its CPU time from its threads', () => {
    const r = record({
      final: [thread(0, 0, 10_000), thread(0, 1, 1_500_000), thread(0, 2, 1_600_000)],
      cpu: [
        { tUs: 1_000_000, corePct: [50, 50] },
        { tUs: 3_300_000, corePct: [50, 50] },
      ],
      events: [
        { type: 'print', tUs: 3_250_000, pid: 0, tid: 0, seq: 1, text: 'done', line: 1 },
        { type: 'print', tUs: 100, pid: 0, tid: 0, seq: 0, text: 'start', line: 1 },
      ],
    })
    const f = runFacts(makeRecording(r, 'The threads took turns.', APP))
    expect(f.wallUs).toBe(3_210_000)
    expect(f.cpuUs).toBe(3_110_000)
    expect(f.verdict).toBe('The threads took turns.')
    expect(f.gil).toBe(true)
    expect(f.speed).toBe(1)
    expect(f.cores).toBe(2)
    // The picture runs to the latest of wall time, events and CPU samples.
    expect(f.endUs).toBe(3_300_000)
    expect(runFacts(makeRecording(record(), '', APP)).endUs).toBe(3_210_000)
  })

  it('sums each thread’s latest sample when a cut-short run has no final figures', () => {
    const sample = (tUs: number, pid: number, tid: number, cpuUs: number) => ({
      tUs,
      pid,
      tid,
      cpuUs,
      core: 0,
    })
    expect(
      threadsCpuUs({
        final: [],
        threadCpu: [
          sample(100, 0, 0, 5),
          sample(200, 0, 0, 40),
          sample(150, 1, 0, 70),
          sample(250, 1, 0, 90),
        ],
      }),
    ).toBe(130)
  })

  it('says how busy the CPU was as CPU time over wall time, in per cent of a core', () => {
    expect(busyPct({ cpuUs: 1_900_000, wallUs: 1_000_000 })).toBe(190)
    expect(busyPct({ cpuUs: 1_004_000, wallUs: 1_000_000 })).toBe(100)
    expect(busyPct({ cpuUs: 5, wallUs: 0 })).toBe(0)
  })

  it('writes wall times as the outcome does: seconds to two places', () => {
    expect(formatWall(3_300_000)).toBe('3.30 s')
    expect(formatWall(1_004_000)).toBe('1.00 s')
    expect(formatWall(850_000)).toBe('850 ms')
  })
})

describe('labels', () => {
  it('writes round numbers short', () => {
    expect(compactNumber(20_000_000)).toBe('20M')
    expect(compactNumber(2_500_000)).toBe('2.5M')
    expect(compactNumber(30_000)).toBe('30k')
    expect(compactNumber(1000)).toBe('1000')
    expect(compactNumber(12_345)).toBe('12345')
    expect(compactNumber(4)).toBe('4')
  })

  it('lists a run by its number, lesson, parameters, GIL and wall time', () => {
    expect(runLabel(facts(), 3)).toBe('#3 · countdown-gil · mode=threads workers=2 count=10M · 3.21 s')
    expect(runLabel(facts({ gil: false, wallUs: 1_620_000, status: 'stopped' }), 4)).toBe(
      '#4 · countdown-gil · mode=threads workers=2 count=10M · GIL off · 1.62 s · stopped',
    )
    expect(settingsText(facts())).toBe('workers=2 · count=10M · mode=threads · GIL on')
    // A run slowed down says so: its wall time is not the lesson's own.
    expect(settingsText(facts({ speed: 2 }))).toBe(
      'workers=2 · count=10M · mode=threads · GIL on · pace 0.5x',
    )
    expect(runLabel(facts({ speed: 4 }), 5)).toBe(
      '#5 · countdown-gil · mode=threads workers=2 count=10M · pace 0.25x · 3.21 s',
    )
  })
})

describe('the runs kept', () => {
  it('keeps the newest, at most HISTORY_LIMIT', () => {
    let list: number[] = []
    for (let i = 1; i <= HISTORY_LIMIT + 3; i++) list = keepNewest(list, i)
    expect(list).toHaveLength(HISTORY_LIMIT)
    expect(list[0]).toBe(4)
    expect(list.at(-1)).toBe(HISTORY_LIMIT + 3)
    expect(keepNewest([1, 2, 3], 4, 2)).toEqual([3, 4])
  })

  it('opens on the two newest runs, the older one as A', () => {
    expect(defaultPair([])).toEqual([null, null])
    expect(defaultPair(['x'])).toEqual(['x', null])
    expect(defaultPair(['x', 'y', 'z'])).toEqual(['y', 'z'])
  })
})

describe('one time axis for both', () => {
  it('starts at 0 for both and runs to the end of the longer picture', () => {
    expect(sharedDomain({ endUs: 1_600_000 }, { endUs: 3_200_000 })).toEqual([0, 3_200_000])
    expect(sharedDomain({ endUs: 3_200_000 }, { endUs: 1_600_000 })).toEqual([0, 3_200_000])
    expect(sharedDomain({ endUs: 0 }, { endUs: 10 })).toEqual([0, 1000])
  })
})

describe('the comparison sentence', () => {
  const threads = facts({ wallUs: 3_210_000, cpuUs: 3_210_000 })
  const processes = facts({
    params: { workers: 2, count: 10_000_000, mode: 'processes' },
    wallUs: 1_620_000,
    cpuUs: 3_078_000,
  })

  it('names the runs by what tells them apart', () => {
    expect(runNames(threads, processes)).toEqual(['threads', 'processes'])
    expect(runNames(facts(), facts({ gil: false }))).toEqual(['GIL on', 'GIL off'])
    expect(runNames(facts({ params: { lock: 'on' } }), facts({ params: { lock: 'off' } }))).toEqual([
      'lock=on',
      'lock=off',
    ])
    expect(runNames(facts(), facts({ params: { workers: 4, count: 10_000_000, mode: 'threads' } }))).toEqual([
      'workers=2',
      'workers=4',
    ])
    expect(runNames(facts(), facts({ scenario: 'io-vs-cpu' }))).toEqual(['countdown-gil', 'io-vs-cpu'])
    expect(runNames(facts(), facts({ speed: 2 }))).toEqual(['pace 1x', 'pace 0.5x'])
    expect(runNames(facts(), facts())).toEqual(['run A', 'run B'])
  })

  it('puts the faster run first, with both wall times, the speed-up and the CPU busy', () => {
    const expected = 'Processes finished in 1.62 s, threads in 3.21 s: 2.0x faster; CPU busy 190 % vs 100 %'
    expect(comparisonSentence(threads, processes)).toBe(expected)
    expect(comparisonSentence(processes, threads)).toBe(expected)
  })

  it('says "about as fast" within 5 %, and no speed-up when a run did not finish', () => {
    const close = facts({ gil: false, wallUs: 3_300_000, cpuUs: 3_300_000 })
    expect(comparisonSentence(threads, close)).toBe(
      'GIL on finished in 3.21 s, GIL off in 3.30 s: about as fast; CPU busy 100 % vs 100 %',
    )
    const status: RunStatus = 'timed-out'
    const stuck = facts({ params: { lock: 'off' }, status, wallUs: 10_000_000, cpuUs: 0 })
    const fine = facts({ params: { lock: 'on' }, wallUs: 500_000, cpuUs: 250_000 })
    expect(comparisonSentence(stuck, fine)).toBe(
      'lock=on finished in 500 ms, lock=off timed out after 10.00 s; CPU busy 50 % vs 0 %',
    )
  })
})
