import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'read', object: 'q', value: 'empty\\(\\) -> False' },
    text: '{who} checks: q.empty() is False, so it will call get_nowait().',
    params: { style: 'check-then-act' },
  },
  {
    at: { kind: 'op', op: 'get', object: 'q', result: 'fail', line: 29 },
    text: '{who} calls get_nowait(), but another getter took the item first: queue.Empty.',
    optional: true,
    params: { style: 'check-then-act' },
  },
  {
    at: { kind: 'thread-end', reason: 'exception' },
    text: 'Nobody catches queue.Empty: {who} dies. Its check was stale when it acted.',
    optional: true,
    params: { style: 'check-then-act' },
  },
  {
    at: { kind: 'op', op: 'get', object: 'q', result: 'fail' },
    text: '{who} calls get_nowait() on an empty q: queue.Empty, caught; it sleeps and tries again.',
    optional: true,
    params: { style: 'try-except' },
  },
  {
    at: { kind: 'op', op: 'get', object: 'q', result: 'ok' },
    text: '{who} gets {value}: the get itself was the check.',
    params: { style: 'try-except' },
  },
  {
    at: { kind: 'print', text: '.* items left in the queue', who: 'MainThread' },
    text: 'MainThread has joined the getters: {text}.',
  },
]
