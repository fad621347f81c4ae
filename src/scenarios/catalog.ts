import type { ScenarioDefinition } from '../engine/scenario'
import { asyncioIo } from './asyncio-io'
import { barrierSteps } from './barrier-steps'
import { boundedBuffer } from './bounded-buffer'
import { busyWait } from './busy-wait'
import { countdownGil } from './countdown-gil'
import { deadlockTwoLocks } from './deadlock-two-locks'
import { executor } from './executor'
import { forkHeldLock } from './fork-held-lock'
import { hello } from './hello'
import { ioVsCpu } from './io-vs-cpu'
import { managerDict } from './manager-dict'
import { pipeMessages } from './pipe-messages'
import { poolMap } from './pool-map'
import { queueJoin } from './queue-join'
import { queueNowait } from './queue-nowait'
import { queueResults } from './queue-results'
import { raceCounter } from './race-counter'
import { seenSet } from './seen-set'
import { sharedValue } from './shared-value'
import { writerDrawerAssembler } from './writer-drawer-assembler'

/** Every scenario Interleave can run. (Add one entry per line; the order is SCENARIOS.md's.) */
export const scenarios: ScenarioDefinition[] = [
  hello,
  raceCounter,
  seenSet,
  busyWait,
  queueJoin,
  boundedBuffer,
  barrierSteps,
  pipeMessages,
  writerDrawerAssembler,
  countdownGil,
  forkHeldLock,
  queueNowait,
  poolMap,
  queueResults,
  managerDict,
  executor,
  ioVsCpu,
  deadlockTwoLocks,
  sharedValue,
  asyncioIo,
]

export function findScenario(id: string): ScenarioDefinition | undefined {
  return scenarios.find((s) => s.id === id)
}
