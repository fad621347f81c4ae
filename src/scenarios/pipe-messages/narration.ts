import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'state', state: 'blocked', object: 'pipe', who: 'Consumer' },
    text: 'The Consumer is blocked in recv(): no message has arrived yet.',
    optional: true,
  },
  {
    at: { kind: 'op', op: 'send', object: 'pipe', who: 'Producer' },
    text: 'The Producer sends {value}; the Consumer’s recv() returns it (the arrow).',
  },
  {
    at: { kind: 'op', op: 'send', object: 'pipe', who: 'Producer', value: 'None' },
    text: 'The Producer sends None, the sentinel: there will be no more messages.',
  },
  {
    at: { kind: 'print', text: 'consumer: the sentinel, done' },
    text: 'The Consumer has received None, and stops.',
  },
  {
    at: { kind: 'print', text: 'main: both .*' },
    text: 'Both processes have ended, so MainProcess’s join() calls return.',
  },
]
