import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', who: 'MainProcess/MainThread' },
    text: 'MainThread calls start(): {object} begins to run worker() beside it.',
  },
  { at: { kind: 'print', text: 'hello 0 from .*' }, text: '{who} prints its name: “{text}”.' },
  {
    at: { kind: 'state', state: 'blocked', who: 'MainProcess/MainThread', line: 29 },
    text: 'MainThread waits in join() for {object} to end.',
    optional: true,
  },
  {
    at: { kind: 'op', op: 'join', who: 'MainProcess/MainThread' },
    text: '{object} has ended, so its join() returns.',
  },
  {
    at: { kind: 'print', text: '.*workers finished', who: 'MainProcess/MainThread' },
    text: 'Only after joining every worker does MainThread print: “{text}”.',
  },
]
