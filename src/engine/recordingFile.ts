/**
 * Recordings on disk: `.interleave.json`, or gzip-compressed when the name ends in `.gz`. Reading
 * checks the size before it reads, and the content against the format (src/shared/recording.ts).
 */
import { readFile, stat, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { gunzip as gunzipCallback } from 'node:zlib'
import {
  formatBytes,
  isGzip,
  MAX_RECORDING_BYTES,
  readInflatedRecording,
  RecordingError,
  writeRecording,
  type Recording,
} from '../shared/recording'

const gunzipAsync = promisify(gunzipCallback)

/**
 * A file's bytes to a checked recording, as the page's `readRecording` does, with one difference:
 * Node's zlib inflates a gzip (off this thread, stopping at `maxBytes`), faster than
 * Node's DecompressionStream.
 */
export async function readRecordingBytes(
  bytes: Uint8Array,
  maxBytes = MAX_RECORDING_BYTES,
): Promise<Recording> {
  if (bytes.length > maxBytes) {
    throw new RecordingError(
      `This file is ${formatBytes(bytes.length)}, more than Interleave opens (${formatBytes(maxBytes)}).`,
    )
  }
  if (!isGzip(bytes)) return readInflatedRecording(bytes, maxBytes)
  let raw: Buffer
  try {
    raw = await gunzipAsync(bytes, { maxOutputLength: maxBytes })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new RecordingError(
        `This recording inflates past ${formatBytes(maxBytes)}, more than Interleave opens.`,
      )
    }
    throw new RecordingError(
      `This recording is damaged: its gzip data does not decompress (${(e as Error).message}).`,
    )
  }
  return readInflatedRecording(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), maxBytes)
}

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
  return readRecordingBytes(new Uint8Array(await readFile(path)), maxBytes)
}

/** Writes the recording; gzip-compressed when the path ends in `.gz`. */
export async function writeRecordingFile(path: string, recording: Recording): Promise<void> {
  await writeFile(path, await writeRecording(recording, path.endsWith('.gz')))
}
