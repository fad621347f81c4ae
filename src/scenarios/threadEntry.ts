// The worker_threads entry of a Python thread: the engine's thread runtime, given the catalogue.
import { runThreadWorker } from '../engine/thread/worker'
import { findScenario } from './catalog'

runThreadWorker({ findScenario })
