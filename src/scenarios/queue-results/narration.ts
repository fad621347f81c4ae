import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', who: 'MainProcess/MainThread' },
    text: 'MainThread starts {object}. Each process computes one result and puts it on results.',
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'results', who: 'MainProcess/MainThread' },
    text: 'MainThread is blocked in results.get() until a process puts a result.',
    optional: true,
  },
  {
    at: { kind: 'op', op: 'put', object: 'results', who: 'Process-' },
    text: '{who} is the first to finish, and puts {value}.',
  },
  {
    at: { kind: 'op', op: 'put', object: 'results', who: 'Process-' },
    text: '{who} puts {value} next.',
  },
  {
    at: { kind: 'print', text: 'completion order: .*' },
    text: 'The results came in the order the processes finished: {text}.',
  },
]
