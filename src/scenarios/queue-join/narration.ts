import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'put', object: 'q', who: 'MainThread' },
    text: 'MainThread puts {value} on q: one more unfinished task.',
  },
  {
    at: { kind: 'op', op: 'get', object: 'q', who: 'consumer' },
    text: 'The consumer gets {value} (the arrow from its put) and works on it.',
    optional: true,
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'q', who: 'MainThread' },
    text: 'MainThread is blocked in q.join() until every item put has been marked done.',
    optional: true,
  },
  {
    at: { kind: 'op', op: 'task_done', object: 'q', after: { unfinished: 0 } },
    text: 'The last task_done(): no task is unfinished now, so join() returns.',
  },
  {
    at: { kind: 'print', text: 'all work completed' },
    text: 'MainThread ends, and the daemon consumer, still in its loop, ends with the program.',
  },
]
