import type { ScenarioDefinition, ThreadFunction } from '../../src/engine/scenario'

/**
 * A test model: `main` and the thread targets it starts; results come back via py.result().
 * `threads` is how many threads it starts besides MainThread, so that their workers are warm.
 */
export function model(
  id: string,
  functions: Record<string, ThreadFunction>,
  threads?: number,
): ScenarioDefinition {
  return {
    id,
    title: id,
    concept: 'test',
    explanation: '',
    lookFor: '',
    tags: [],
    params: [],
    program: '',
    functions,
    ...(threads === undefined ? {} : { threadsHint: () => threads }),
    verdict: () => ({ text: '', figures: {} }),
  }
}
