import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'state', state: 'blocked', object: 'q', line: 28 },
    text: '{thread} finds q empty: it is blocked in get() until a producer puts an item.',
    optional: true,
  },
  { at: { kind: 'op', op: 'put', object: 'q' }, text: '{thread} puts {value} on q.' },
  {
    at: { kind: 'state', state: 'blocked', object: 'q', line: 19 },
    text: 'q is full: {thread} is blocked in put() until a consumer takes an item.',
    optional: true,
  },
  {
    at: { kind: 'op', op: 'set', object: 'stop', who: 'MainThread' },
    text: 'Time is up: MainThread sets stop, and each producer ends after its current item.',
  },
  {
    at: { kind: 'op', op: 'get', object: 'q', value: 'None' },
    text: '{thread} gets the sentinel None, after every real item, and stops.',
  },
]
