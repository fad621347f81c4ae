import type { ScenarioDefinition } from '../../src/engine/scenario'
import { lockModels } from './locks'
import { primitiveModels } from './primitives'
import { queueModels } from './queues'
import { syncModels } from './sync'
import { threadModels } from './threads'

/** Test-only models, runnable like scenarios (their functions must be importable by workers). */
const models: ScenarioDefinition[] = [
  ...primitiveModels,
  ...lockModels,
  ...syncModels,
  ...queueModels,
  ...threadModels,
]

export function findModel(id: string): ScenarioDefinition | undefined {
  return models.find((m) => m.id === id)
}
