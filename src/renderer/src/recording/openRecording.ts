/**
 * Opening a recording in the page: a file's bytes (picked, dropped, from the Recent list, or handed
 * over by the desktop app) to the run in the run store, and so on screen. Reading is the format's
 * own (`readRecording`: inflate, decode, parse, check); the run store then builds the replay.
 *
 * All of it runs on the page's thread. A worker was measured and left out: it would have to hand the
 * parsed recording back by structured clone, and for a million events cloning took longer on each
 * side than JSON.parse itself, so the page would have been blocked longer, and the open slower, than
 * parsing here. Instead the page yields between steps (and about every 200 ms while inflating), so
 * that its progress shows. (That was with the events as objects; read compactly they are typed
 * arrays, which a worker could hand over without a copy: not tried yet.)
 */
import { MAX_RECORDING_BYTES, readRecording, type Recording } from '../../../shared/recording'
import { useRunStore } from '../stores/run'

/** Of the whole open, the share that reading takes; building the replay and the first draw, the rest. */
const READ_SHARE = 0.8
/** The page paints its progress at most this often: each paint costs most of a frame's time. */
const PAINT_EVERY_MS = 200

/** Names in the page's performance timeline, for benchmarks and curious people. */
export const OPEN_MARKS = {
  start: 'interleave:open:start',
  read: 'interleave:open:read',
  shown: 'interleave:open:shown',
} as const

/** Resolves once the page has had a frame to paint (or after 100 ms, where frames do not come: a hidden tab). */
export function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100)
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer)
        resolve()
      }, 0),
    )
  })
}

/**
 * Reads a recording's bytes and shows it, whole, in the views (the run store's `openRecording`).
 * `onProgress` hears how far it has got, in percent, with a chance for the page to paint each time.
 * Throws RecordingError, with its message for a person, for a file that is not a readable recording.
 */
export async function openRecordingBytes(
  bytes: Uint8Array,
  name: string,
  onProgress?: (percent: number) => void,
): Promise<Recording> {
  performance.mark(OPEN_MARKS.start)
  let paintedAt = performance.now()
  const progress = async (share: number, paint: boolean): Promise<void> => {
    onProgress?.(Math.min(99, Math.floor(share * 100)))
    if (paint || performance.now() - paintedAt >= PAINT_EVERY_MS) {
      await nextPaint()
      paintedAt = performance.now()
    }
  }
  await progress(0, true)
  // Compact: the events stay in a table (columns), made into objects only when something asks.
  const recording = await readRecording(
    bytes,
    MAX_RECORDING_BYTES,
    (p) => progress(p.done * READ_SHARE, false),
    { compact: true },
  )
  performance.mark(OPEN_MARKS.read)
  await progress(READ_SHARE, true)
  await useRunStore().openRecording(recording, name)
  performance.mark(OPEN_MARKS.shown)
  return recording
}
