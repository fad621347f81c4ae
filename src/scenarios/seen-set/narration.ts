import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'read', object: 'seen', who: 'Thread-' },
    text: '{who} checks: is the item in seen? seen = {value}.',
  },
  {
    at: { kind: 'print', text: '.* claimed .*' },
    text: '“{text}”: the check found the item new, so {who} added it.',
  },
  {
    at: { kind: 'op', op: 'write', object: 'seen', repeatsValue: true },
    text: '{who} adds an item another thread has already added: both of them claim it.',
    optional: true,
    params: { lock: 'off' },
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'lock' },
    text: '{who} is blocked on the lock while the other thread checks and adds.',
    optional: true,
    params: { lock: 'on' },
  },
  {
    at: { kind: 'print', text: 'seen = .*', who: 'MainThread' },
    text: 'MainThread prints the set: {text}.',
  },
]
