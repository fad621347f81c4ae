/**
 * The benchmark's large recording: the made-up run of tests/support/syntheticRecording.ts (the one
 * generator, shared with the tests), a million events on 64 thread lanes taking turns at four locks
 * and a queue, with causal links (the release that let each acquire in, the put each get took). It is
 * a valid recording, checked by the same schema a file is checked by when opened
 * (tests/benchFigures.test.ts checks a small one). Its events are sorted by time, as a recording
 * from an older generator was; the page merges them by thread either way.
 */
import type { Recording } from '../src/shared/recording'
import {
  MILLION_EVENTS,
  syntheticRecording as madeUp,
  type SyntheticSpec,
} from '../tests/support/syntheticRecording'

export { MILLION_EVENTS, type SyntheticSpec }

export function syntheticRecording(spec: SyntheticSpec = MILLION_EVENTS): Recording {
  const recording = madeUp(spec)
  // Stable: each thread's events keep their order.
  recording.record.events.sort((a, b) => a.tUs - b.tUs)
  return recording
}
