import type { RunStreamMessage } from '../../src/shared/protocol'

/**
 * The backend of the renderer's stores, faked for their tests: a run starts at once with a new id,
 * and the test plays its stream through `backend.listener`. A test file takes it in with
 *
 *   vi.mock('../api', () => import('<path>/tests/support/fakeApi').then((m) => m.fakeApiModule))
 *
 * and imports `backend` to play the stream.
 */
export const backend = {
  listener: null as ((message: RunStreamMessage) => void) | null,
  next: 0,
}

export const fakeApiModule = {
  api: {
    onRunMessage: (listener: (message: RunStreamMessage) => void) => {
      backend.listener = listener
      return () => {}
    },
    startRun: async () => ({ runId: `run-${++backend.next}` }),
    stopRun: async () => {},
  },
}
