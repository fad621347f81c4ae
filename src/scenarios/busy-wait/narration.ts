import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'write', object: 'items', who: 'producer' },
    text: 'The producer appends an item: items = {value}. Meanwhile the consumer spins on “while not commands”.',
    params: { wait: 'spin' },
  },
  {
    at: { kind: 'state', state: 'waiting', object: 'ready', who: 'consumer' },
    text: 'The consumer waits on the Event ready: it uses no CPU until set() wakes it.',
    params: { wait: 'event' },
  },
  {
    at: { kind: 'state', state: 'gil-wait', who: 'producer' },
    text: 'The producer wakes from its sleep but must wait for the GIL, which the spinning consumer holds.',
    optional: true,
    params: { wait: 'spin' },
  },
  {
    at: { kind: 'op', op: 'write', object: 'commands', who: 'producer' },
    text: 'The producer appends the command: commands = {value}.',
  },
  {
    at: { kind: 'op', op: 'read', object: 'commands', who: 'consumer' },
    text: 'At last the consumer’s loop sees the command, and stops burning CPU.',
    params: { wait: 'spin' },
  },
  {
    at: { kind: 'op', op: 'wait', object: 'ready', who: 'consumer' },
    text: 'set() wakes the consumer (the arrow): it spent no CPU waiting.',
    params: { wait: 'event' },
  },
  { at: { kind: 'print', who: 'consumer' }, text: 'The consumer prints: {text}' },
]
