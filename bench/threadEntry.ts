// Thread entry for the benchmark's runs: its own models (bench/models.ts) first, then the catalogue.
import { runThreadWorker } from '../src/engine/thread/worker'
import { findScenario } from '../src/scenarios/catalog'
import { findBenchModel } from './models'

runThreadWorker({ findScenario: (id) => findBenchModel(id) ?? findScenario(id) })
