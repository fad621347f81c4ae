import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', who: 'MainProcess/MainThread' },
    text: 'Manager() starts {object}, a server process that holds the dict for everyone.',
  },
  {
    at: { kind: 'op', op: 'put', who: 'Process-', value: ".*'__setitem__'.*" },
    text: '{who} does not touch the dict itself: it sends the manager a request, and waits for the reply.',
  },
  {
    at: { kind: 'op', op: 'call', who: 'Process-' },
    text: 'The reply is back: {who} did {value}.',
  },
  {
    at: { kind: 'print', text: '\\d+ keys, expected \\d+', who: 'MainProcess/MainThread' },
    text: 'MainThread asks the manager too: {text}.',
  },
]
