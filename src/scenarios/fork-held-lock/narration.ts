import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'acquire', object: 'lock', who: 'Holder' },
    text: 'Holder takes the lock, and will hold it for a second.',
  },
  {
    at: { kind: 'op', op: 'start', object: 'Child', who: 'MainThread' },
    text: 'MainThread starts the Child while Holder holds the lock.',
  },
  {
    at: { kind: 'state', state: 'blocked', who: 'Child', line: 20 },
    text: 'The Child’s copy of the lock is locked by a thread the Child does not have: it is blocked.',
    params: { start_method: 'fork' },
  },
  {
    at: { kind: 'print', text: 'child: got the lock', who: 'Child' },
    text: 'With spawn the Child has a fresh lock of its own, and takes it at once.',
    params: { start_method: 'spawn' },
  },
  {
    at: { kind: 'op', op: 'release', object: 'lock', who: 'Holder' },
    text: 'Holder releases the parent’s lock. The Child’s copy stays locked: nobody in the Child can release it.',
    params: { start_method: 'fork' },
  },
  {
    at: { kind: 'run-end', status: 'timed-out' },
    text: 'The Child never gets the lock, and MainThread never returns from join(): the time limit ends it.',
    params: { start_method: 'fork' },
  },
  {
    at: { kind: 'print', text: 'main: done' },
    text: 'Both joins returned: with spawn nothing was copied, so nothing was stuck.',
    params: { start_method: 'spawn' },
  },
]
