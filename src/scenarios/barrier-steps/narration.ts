import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'arrive', object: 'barrier', value: 'index 0' },
    text: '{who} reaches the barrier first, and must wait there for the other thread.',
  },
  {
    at: { kind: 'op', op: 'arrive', object: 'barrier', value: 'index 1' },
    text: '{who} arrives second: now the barrier lets both through.',
  },
  {
    at: { kind: 'print', text: '.*: step 0, .*' },
    text: '“{text}”: neither thread can get a step ahead.',
  },
  {
    at: { kind: 'print', text: 'counters = .*', who: 'MainThread' },
    text: 'Both threads are done: {text}.',
  },
]
