import type { NarrationStep } from '../../shared/narration'

/** Captions for presentation mode, each tied to the event that proves it (src/shared/narration.ts). */
export const narration: NarrationStep[] = [
  {
    at: { kind: 'print', text: '.*, serial: .*' },
    text: 'Measured, one task after another: {text}.',
    params: { mode: ['all', 'serial'] },
  },
  {
    at: { kind: 'state', state: 'io', who: 'Thread-2' },
    text: '{who} waits on I/O too. A thread waiting on I/O does not hold the GIL, so the waits can overlap.',
    optional: true,
    params: { kind: 'io', mode: ['all', 'threads'] },
  },
  {
    at: { kind: 'state', state: 'gil-wait', who: 'Thread-' },
    text: '{who} waits for the GIL: CPU-bound threads take turns.',
    optional: true,
    params: { kind: 'cpu', mode: ['all', 'threads'] },
  },
  {
    at: { kind: 'print', text: '.*, threads: .*' },
    text: 'Measured, in threads: {text}.',
    params: { mode: ['all', 'threads'] },
  },
  {
    at: { kind: 'print', text: '.*, processes: .*' },
    text: 'Measured, in processes, each with its own GIL: {text}.',
    params: { mode: ['all', 'processes'] },
  },
]
