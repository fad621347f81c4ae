import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', who: 'MainProcess/MainThread' },
    text: 'MainThread starts {object}, which counts down: pure CPU work.',
  },
  {
    at: { kind: 'state', state: 'gil-wait', who: 'countdown' },
    text: '{who} waits for the GIL: only one thread of a process runs Python code at a time.',
    optional: true,
    params: { mode: 'threads' },
  },
  {
    at: { kind: 'thread-end', who: 'countdown' },
    text: '{who} has counted down to zero.',
    params: { mode: 'threads' },
  },
  {
    at: { kind: 'thread-end', who: 'Process-' },
    text: '{who} has counted down to zero. Each process had its own GIL and its own core.',
    params: { mode: 'processes' },
  },
  {
    at: { kind: 'print', who: 'MainProcess/MainThread' },
    text: 'Every worker is joined: {text}.',
  },
]
