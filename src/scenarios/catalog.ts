import type { ScenarioDefinition } from '../engine/scenario'
import { countdownGil } from './countdown-gil'
import { raceCounter } from './race-counter'
import { writerDrawerAssembler } from './writer-drawer-assembler'

/** Every scenario Interleave can run, in the order the lessons are taught. */
export const scenarios: ScenarioDefinition[] = [raceCounter, writerDrawerAssembler, countdownGil]

export function findScenario(id: string): ScenarioDefinition | undefined {
  return scenarios.find((s) => s.id === id)
}
