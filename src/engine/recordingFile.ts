/**
 * Recordings on disk: `.interleave.json`, or gzip-compressed when the name ends in `.gz`. Reading
 * checks the size before it reads, and the content against the format (src/shared/recording.ts).
 */
import { readFile, stat, writeFile } from 'node:fs/promises'
import {
  formatBytes,
  MAX_RECORDING_BYTES,
  readRecording,
  RecordingError,
  writeRecording,
  type Recording,
} from '../shared/recording'

export async function readRecordingFile(path: string, maxBytes = MAX_RECORDING_BYTES): Promise<Recording> {
  let size: number
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new RecordingError(`${path} is not a file.`)
    size = info.size
  } catch (e) {
    if (e instanceof RecordingError) throw e
    throw new RecordingError(
      `Cannot open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`,
    )
  }
  if (size > maxBytes) {
    throw new RecordingError(
      `${path} is ${formatBytes(size)}, more than Interleave opens (${formatBytes(maxBytes)}).`,
    )
  }
  return readRecording(new Uint8Array(await readFile(path)), maxBytes)
}

/** Writes the recording; gzip-compressed when the path ends in `.gz`. */
export async function writeRecordingFile(path: string, recording: Recording): Promise<void> {
  await writeFile(path, await writeRecording(recording, path.endsWith('.gz')))
}
