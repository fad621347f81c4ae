import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'print', text: 'Writer: writing', who: 'Writer' },
    text: 'The Writer writes (its sleep(2)). The Drawer and the Assembler must wait for the event written.',
  },
  {
    at: { kind: 'op', op: 'set', object: 'written', who: 'Writer' },
    text: 'The Writer sets written: the Drawer and the Assembler both go on, and race for cond’s lock.',
    params: { variant: 'as-written' },
  },
  {
    // The two endings of the race. The Assembler blocked on cond means the Drawer holds it: the
    // Drawer's notify will come before the Assembler waits.
    params: { variant: 'as-written' },
    branches: [
      [
        {
          at: { kind: 'state', state: 'blocked', object: 'cond', who: 'Assembler' },
          text: 'The Drawer got cond first. The Assembler is blocked on its lock, not yet waiting for a notify.',
          optional: true,
        },
        {
          at: { kind: 'op', op: 'notify_all', object: 'cond', who: 'Drawer', value: 'woke 0' },
          text: 'The Drawer notifies now, but nobody is waiting yet: the notify is lost.',
        },
        {
          at: { kind: 'state', state: 'waiting', object: 'cond', who: 'Assembler' },
          text: 'Only now does the Assembler wait on cond, for a notify that has already gone by.',
        },
        {
          at: { kind: 'run-end', status: 'timed-out' },
          text: 'Nothing will ever notify cond again: the Assembler waits until the time limit.',
        },
      ],
      [
        {
          at: { kind: 'state', state: 'waiting', object: 'cond', who: 'Assembler' },
          text: 'The Assembler got cond first, and waits on it: it will hear the Drawer’s notify.',
        },
        {
          at: { kind: 'op', op: 'notify_all', object: 'cond', who: 'Drawer', value: 'woke [1-9]' },
          text: 'The Drawer notifies, and wakes the waiting Assembler (the arrow).',
        },
        {
          at: { kind: 'print', text: 'Assembler: done' },
          text: 'All three are done: this time the Assembler was waiting before the notify.',
        },
      ],
    ],
  },
  {
    at: { kind: 'op', op: 'set', object: 'written', who: 'Writer' },
    text: 'The Writer sets written: the Drawer goes on, and the Assembler now waits for drawn.',
    params: { variant: 'fixed' },
  },
  {
    at: { kind: 'op', op: 'set', object: 'drawn', who: 'Drawer' },
    text: 'The Drawer sets drawn. An event stays set, so the Assembler cannot miss it.',
    params: { variant: 'fixed' },
  },
  {
    at: { kind: 'print', text: 'Assembler: done' },
    text: 'All three are done, one after another: each hand-off was an event.',
    params: { variant: 'fixed' },
  },
]
