import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'put', object: 'executor._work_queue', who: 'MainThread' },
    text: 'submit() puts a call on the work queue, {value}, and returns a future at once.',
    params: { kind: 'thread' },
  },
  {
    at: { kind: 'op', op: 'put', object: 'executor._call_queue', who: 'MainThread' },
    text: 'submit() puts a call on the call queue, {value}, for a worker process, and returns a future.',
    params: { kind: 'process' },
  },
  {
    at: { kind: 'state', state: 'blocked', who: 'MainProcess/MainThread', line: 20 },
    text: 'MainThread is blocked in result(), waiting for the future {object}.',
  },
  {
    at: { kind: 'op', op: 'set', result: 'ok' },
    text: '{who} sets the future {object} to {value}, which wakes result() (the arrow).',
  },
  {
    at: { kind: 'print', text: 'pow\\(2, 0\\) = .*', who: 'MainThread' },
    text: 'MainThread prints the first result: {text}.',
  },
  {
    at: { kind: 'print', text: '\\[.*\\]', who: 'MainThread' },
    text: 'executor.map() gives its results in the order of its inputs: {text}.',
  },
]
