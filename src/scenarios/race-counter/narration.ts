import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', who: 'MainProcess/MainThread' },
    text: 'MainThread starts {object}. Each worker reads counter, yields, then writes back what it read + 1.',
  },
  {
    at: { kind: 'op', op: 'read', object: 'counter', who: 'Thread-' },
    text: '{who} reads counter = {value}. Before it writes {value} + 1 back, another thread may run.',
  },
  {
    at: { kind: 'op', op: 'write', object: 'counter', repeatsValue: true },
    text: '{who} writes counter = {value}, a value already written before: one increment is lost.',
    optional: true,
    params: { lock: 'off' },
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'lock' },
    text: '{who} is blocked on the lock: another thread is between its read and its write.',
    optional: true,
    params: { lock: 'on' },
  },
  {
    at: { kind: 'print', text: 'counter = .*', who: 'MainThread' },
    text: 'Both threads are done. MainThread prints: {text}.',
  },
]
