/**
 * Every lesson's captions against real runs: each variant run once with small parameters, its moments
 * found as the page finds them, and every object and thread a cue names seen in some run of it.
 */
import { describe, expect, it } from 'vitest'
import { allCues, narrate, type Moment } from '../shared/narration'
import type { RunOptions, RunRecord } from '../shared/trace'
import { runModel } from '../../tests/support/runModel'
import { scenarios } from './catalog'

type Case = [id: string, params: Record<string, string | number>, options?: Partial<RunOptions>]

const CASES: Case[] = [
  ['hello', { kind: 'thread', count: 2 }],
  ['hello', { kind: 'process', count: 2 }],
  ['race-counter', { iterations: 100 }],
  ['race-counter', { iterations: 100, lock: 'on' }],
  ['seen-set', { items: 10 }],
  ['seen-set', { items: 10, lock: 'on' }],
  ['busy-wait', { items: 3, pause: 0.05 }],
  ['busy-wait', { items: 3, pause: 0.05, wait: 'event' }],
  ['queue-join', { items: 3 }, { speed: 0.5 }],
  ['bounded-buffer', { duration: 0.6, maxsize: 1 }],
  ['barrier-steps', { steps: 2 }],
  ['pipe-messages', { count: 2 }, { speed: 0.5 }],
  ['writer-drawer-assembler', { variant: 'as-written' }, { speed: 0.25, timeoutS: 6 }],
  ['writer-drawer-assembler', { variant: 'fixed' }, { speed: 0.25 }],
  ['countdown-gil', { count: 1_000_000 }],
  ['countdown-gil', { count: 1_000_000, mode: 'processes' }],
  ['fork-held-lock', { start_method: 'fork' }, { speed: 0.5, timeoutS: 4 }],
  ['fork-held-lock', { start_method: 'spawn' }, { speed: 0.5 }],
  ['queue-nowait', { items: 6 }],
  ['queue-nowait', { items: 6, style: 'try-except' }],
  ['pool-map', { processes: 2, items: 4 }, { speed: 0.5 }],
  ['queue-results', { numbers: 3 }],
  ['manager-dict', { workers: 2 }],
  ['executor', { tasks: 2 }, { speed: 0.5 }],
  ['executor', { tasks: 2, kind: 'process' }, { speed: 0.5 }],
  ['io-vs-cpu', { tasks: 2, latency: 0.1, mode: 'all' }],
  ['io-vs-cpu', { tasks: 2, kind: 'cpu', count: 500_000, mode: 'all' }],
  ['deadlock-two-locks', { order: 'opposite' }, { timeoutS: 3 }],
  ['deadlock-two-locks', { order: 'same' }],
  ['shared-value', { increments: 200 }],
  ['shared-value', { increments: 200, lock: 'on' }],
  ['asyncio-io', { connections: 4, latency: 0.1 }],
  ['asyncio-io', { connections: 3, latency: 0.1, blocking: 'on' }],
]

function momentsOf(run: RunRecord): Moment[] {
  const steps = scenarios.find((s) => s.id === run.scenario)!.narration!
  return narrate(run.events, steps, {
    params: run.params,
    processNames: new Map(run.processes.map((p) => [p.pid, p.name])),
    end: { status: run.outcome.status, wallUs: run.outcome.wallUs },
  })
}

describe('narration of real runs', () => {
  it('every variant of every lesson reaches three captions or more, each at an event that fits it', async () => {
    expect(new Set(CASES.map(([id]) => id))).toEqual(new Set(scenarios.map((s) => s.id)))
    const objects = new Map<string, Set<string>>()
    const threads = new Map<string, Set<string>>()
    for (const [id, params, options] of CASES) {
      const run = await runModel(id, params, { timeoutS: 15, ...options })
      const names = objects.get(id) ?? new Set()
      const labels = threads.get(id) ?? new Set()
      objects.set(id, names)
      threads.set(id, labels)
      for (const e of run.events) {
        if (e.type === 'object') names.add(e.name)
        if (e.type === 'thread-start') {
          labels.add(`${run.processes.find((p) => p.pid === e.pid)?.name ?? '?'}/${e.name}`)
        }
      }
      const moments = momentsOf(run)
      const what = `${id} ${JSON.stringify(params)} (${run.outcome.status}, ${run.events.length} events): ${moments.map((m) => m.text).join(' | ')}`
      expect.soft(moments.length, what).toBeGreaterThanOrEqual(3)
      for (const [i, m] of moments.entries()) {
        if (i > 0) expect(m.tUs, what).toBeGreaterThanOrEqual(moments[i - 1].tUs)
        expect(m.text, what).not.toMatch(/\{\w+\}/)
        if (m.cue.at.kind === 'run-end') expect(m.event, what).toBeNull()
        else expect(m.event?.type, what).toBe(m.cue.at.kind === 'state' ? 'state' : m.cue.at.kind)
      }
      if (id === 'writer-drawer-assembler' && params.variant === 'as-written') {
        // The caption names the ending the run had: the Drawer's notify woke nobody, or the Assembler.
        const notify = run.events.find((e) => e.type === 'op' && e.op === 'notify_all' && e.line === 22)
        const texts = moments.map((m) => m.text).join('\n')
        if (notify?.type === 'op' && notify.value === 'woke 0') {
          expect(texts).toMatch(/The Drawer notifies now, but nobody is waiting yet/)
          expect(texts).not.toMatch(/wakes the waiting Assembler/)
        } else if (notify) {
          expect(texts).toMatch(/wakes the waiting Assembler/)
          expect(texts).not.toMatch(/nobody is waiting/)
        }
      }
    }
    // What the cues name is in the lesson's runs: its objects and its threads.
    for (const s of scenarios) {
      for (const { at } of allCues(s.narration!)) {
        if ('object' in at && at.object !== undefined)
          expect([...objects.get(s.id)!], s.id).toContain(at.object)
        const who = 'who' in at ? at.who : undefined
        if (who !== undefined) {
          const labels = [...threads.get(s.id)!]
          expect(
            labels.some((l) => l.includes(who)),
            `${s.id}: no thread like ${who} in ${labels.join(', ')}`,
          ).toBe(true)
        }
      }
    }
  }, 180_000)
})
