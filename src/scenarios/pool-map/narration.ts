import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', who: 'MainProcess/MainThread' },
    text: 'The pool starts its worker processes: {object} is one.',
  },
  {
    at: { kind: 'op', op: 'put', object: 'pool._inqueue', who: 'MainProcess' },
    text: 'map() puts a task on pool._inqueue: {value}.',
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'pool._outqueue', who: 'MainProcess/MainThread' },
    text: 'MainThread is blocked in map() until the results come back.',
    optional: true,
  },
  {
    at: { kind: 'op', op: 'get', object: 'pool._inqueue', value: '\\(.*' },
    text: '{who} takes a task off pool._inqueue: {value}.',
  },
  {
    at: { kind: 'op', op: 'put', object: 'pool._outqueue' },
    text: '{who} sends its result back on pool._outqueue: {value}.',
  },
  {
    at: { kind: 'print', who: 'MainProcess/MainThread' },
    text: 'map() returns the results in the order of the inputs: {text}',
  },
]
