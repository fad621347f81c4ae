import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'read', object: 'counter', who: 'Process-' },
    text: '{who} reads counter.value = {value} from memory both processes share.',
  },
  {
    at: { kind: 'op', op: 'write', object: 'counter', repeatsValue: true },
    text: '{who} writes counter = {value}, a value already written before: one increment is lost.',
    optional: true,
    params: { lock: 'off' },
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'counter.lock' },
    text: '{who} is blocked on counter’s lock while the other process increments.',
    optional: true,
    params: { lock: 'on' },
  },
  {
    at: { kind: 'print', text: 'counter = .*', who: 'MainProcess/MainThread' },
    text: 'Both processes are done. MainProcess prints: {text}.',
  },
]
