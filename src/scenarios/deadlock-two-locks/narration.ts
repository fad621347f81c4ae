import type { NarrationStep } from '../../shared/narration'

/**
 * Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts).
 * Either thread may start first, so the cues name no thread: {who} says which one it was.
 */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'op', op: 'acquire', line: 13 },
    text: '{who} takes {object}, its first lock.',
  },
  {
    at: { kind: 'op', op: 'acquire', line: 13 },
    text: '{who} takes {object}, its first lock. Each thread now holds the lock the other will ask for.',
    params: { order: 'opposite' },
  },
  {
    at: { kind: 'state', state: 'blocked', line: 16 },
    text: '{who} asks for {object}, which the other thread holds: {who} is blocked.',
    params: { order: 'opposite' },
  },
  {
    at: { kind: 'state', state: 'blocked', line: 16 },
    text: '{who} asks for {object}, held by the other: each waits for the other. A deadlock.',
    params: { order: 'opposite' },
  },
  {
    at: { kind: 'run-end', status: ['timed-out', 'stopped'] },
    text: 'Neither thread can ever go on: the run ended with both still blocked.',
    params: { order: 'opposite' },
  },
  {
    at: { kind: 'state', state: 'blocked', object: 'lock_a', line: 13 },
    text: '{who} asks for lock_a first too, and waits until the other thread lets it go.',
    optional: true,
    params: { order: 'same' },
  },
  {
    at: { kind: 'op', op: 'acquire', object: 'lock_a', line: 13 },
    text: 'The other thread has released both locks: {who} takes lock_a and goes on.',
    params: { order: 'same' },
  },
  {
    at: { kind: 'print', text: 'both threads finished' },
    text: 'Both threads finished: taking the locks in the same order cannot deadlock.',
    params: { order: 'same' },
  },
]
