import { fileURLToPath } from 'node:url'
import type { RunOptions, RunRecord, TraceEvent, OpEvent } from '../../src/shared/trace'
import { resolveParams } from '../../src/shared/scenario'
import { Run } from '../../src/engine/run'
import type { ScenarioDefinition } from '../../src/engine/scenario'
import type { NodeProcessLauncher } from '../../src/engine/nodeLauncher'
import { localLauncher } from '../../src/engine/localLauncher'
import { findScenario } from '../../src/scenarios/catalog'

let launcher: Promise<NodeProcessLauncher> | undefined

/** The launcher tests share: the runtime bundled with the test models. */
export function testLauncher(): Promise<NodeProcessLauncher> {
  launcher ??= localLauncher(fileURLToPath(new URL('./threadEntry.ts', import.meta.url)), [
    fileURLToPath(new URL('../models', import.meta.url)),
    fileURLToPath(new URL('.', import.meta.url)),
  ])
  return launcher
}

/** Runs a model or a catalogue scenario for real (processes, threads) and returns the record. */
export async function runModel(
  scenario: ScenarioDefinition | string,
  params: Record<string, string | number> = {},
  options: Partial<RunOptions> = {},
): Promise<RunRecord> {
  const def = typeof scenario === 'string' ? findScenario(scenario) : scenario
  if (!def) throw new Error(`no scenario ${String(scenario)}`)
  const run = new Run(
    def,
    resolveParams(def.params, params),
    { timeoutS: 20, ...options },
    await testLauncher(),
  )
  return run.start()
}

/**
 * Wall and CPU times on a shared 2-core machine are only ever made worse by other work: runs up to
 * `attempts` times and returns the first run that `shows` the lesson's timing (the last if none), for
 * the test to check in full.
 */
export async function runShowing(
  scenario: ScenarioDefinition | string,
  params: Record<string, string | number>,
  options: Partial<RunOptions>,
  shows: (run: RunRecord) => boolean,
  attempts = 3,
): Promise<RunRecord> {
  let run = await runModel(scenario, params, options)
  for (let i = 1; i < attempts && !shows(run); i++) run = await runModel(scenario, params, options)
  return run
}

/** Everything the threads printed, in time order. */
export function printed(run: RunRecord): string[] {
  return run.events
    .filter((e) => e.type === 'print')
    .sort((a, b) => a.tUs - b.tUs)
    .map((e) => (e as { text: string }).text)
}

/** Operations on objects named `name` (op events), in time order. */
export function opsOn(run: RunRecord, name: string): OpEvent[] {
  const ids = new Set(run.events.flatMap((e) => (e.type === 'object' && e.name === name ? [e.obj] : [])))
  return run.events
    .filter((e): e is OpEvent => e.type === 'op' && ids.has(e.obj))
    .sort((a, b) => a.tUs - b.tUs)
}

/** The name of the thread an event belongs to. */
export function threadName(run: RunRecord, e: Pick<TraceEvent, 'pid' | 'tid'>): string {
  const start = run.events.find((x) => x.type === 'thread-start' && x.pid === e.pid && x.tid === e.tid)
  return start && start.type === 'thread-start' ? start.name : '?'
}
