import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'start', object: 'Task-2' },
    text: 'main() creates the tasks: {object} will run {value}. All of them run on MainThread.',
  },
  {
    at: { kind: 'op', op: 'wait', value: 'sleep\\(.*\\)' },
    text: '{object} awaits asyncio.sleep: it gives way, and the event loop runs the next task.',
    params: { blocking: 'off' },
  },
  {
    at: { kind: 'state', state: 'io', who: 'MainThread' },
    text: 'Every task is waiting, so the event loop waits in I/O for the first timer.',
    optional: true,
    params: { blocking: 'off' },
  },
  {
    at: { kind: 'state', state: 'sleeping', who: 'MainThread' },
    text: 'time.sleep() inside a task blocks the whole thread: no other task can run meanwhile.',
    params: { blocking: 'on' },
  },
  {
    at: { kind: 'op', op: 'set', after: { done: 1 } },
    text: '{object} is done: its coroutine returned {value}.',
  },
  {
    at: { kind: 'print', who: 'MainThread' },
    text: 'MainThread prints: {text}.',
  },
]
