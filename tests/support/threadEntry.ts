// Thread entry for tests: the test models first, then the real catalogue.
import { runThreadWorker } from '../../src/engine/thread/worker'
import type { ScenarioDefinition } from '../../src/engine/scenario'
import { findScenario } from '../../src/scenarios/catalog'
import { findModel } from '../models'
import { badModels } from '../models/bad'
import { mpModels } from '../models/mp'
import { forkModels } from '../models/fork'
import { hangModels } from '../models/hangs'

const more: ScenarioDefinition[] = [...badModels, ...mpModels, ...forkModels, ...hangModels]

runThreadWorker({ findScenario: (id) => findModel(id) ?? more.find((m) => m.id === id) ?? findScenario(id) })
