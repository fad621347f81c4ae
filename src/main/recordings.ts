/**
 * Recordings in the desktop app: opened from the menu, from the recent list, or from the command
 * line (`interleave-app run.interleave.json`, and a file handed over by the OS). Main reads the bytes,
 * refusing a file too large before it reads it; the page checks them against the format, as it does
 * a dropped file, and says what is wrong with a bad one.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { dialog, type BrowserWindow, type WebContents } from 'electron'
import { IPC, type RecordingFile } from '../shared/protocol'
import { formatBytes, MAX_RECORDING_BYTES } from '../shared/recording'

export const RECENT_MAX = 10

/** Arguments that name recordings (the app's own flags and its entry script are not among them). */
export function recordingPathsIn(argv: readonly string[]): string[] {
  return argv.filter((a) => !a.startsWith('-') && /\.interleave\.json(\.gz)?$/i.test(a))
}

/** The file as the page gets it: its bytes, or why they could not be read. */
export function readRecordingForPage(path: string, maxBytes = MAX_RECORDING_BYTES): RecordingFile {
  const name = basename(path)
  try {
    const size = statSync(path).size
    if (size > maxBytes) {
      return {
        name,
        error: `${name} is ${formatBytes(size)}, more than Interleave opens (${formatBytes(maxBytes)}).`,
      }
    }
    return { name, bytes: new Uint8Array(readFileSync(path)) }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    return {
      name,
      error: `Cannot open ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}.`,
    }
  }
}

/** The recordings opened lately, newest first, kept in a small JSON file; a corrupt file is an empty list. */
export class RecentRecordings {
  private paths: string[]

  constructor(private readonly file: string) {
    try {
      const data: unknown = JSON.parse(readFileSync(file, 'utf8'))
      this.paths = Array.isArray(data)
        ? data.filter((p): p is string => typeof p === 'string').slice(0, RECENT_MAX)
        : []
    } catch {
      this.paths = []
    }
  }

  list(): readonly string[] {
    return this.paths
  }

  add(path: string): void {
    this.paths = [path, ...this.paths.filter((p) => p !== path)].slice(0, RECENT_MAX)
    try {
      writeFileSync(this.file, JSON.stringify(this.paths))
    } catch {
      // The list is a convenience: a read-only profile keeps it for this session only.
    }
  }

  clear(): void {
    this.paths = []
    try {
      writeFileSync(this.file, '[]')
    } catch {
      // as above
    }
  }
}

/** Sends a recording to a page; a readable one joins the recent list. */
export function openRecordingIn(contents: WebContents, path: string, recent: RecentRecordings): void {
  const file = readRecordingForPage(path)
  if (file.bytes) recent.add(path)
  contents.send(IPC.recordingOpen, file)
}

/** Asks for a recording with the system's dialog; null if the user cancelled. */
export async function chooseRecording(window: BrowserWindow | null): Promise<string | null> {
  const options = {
    title: 'Open a recording',
    properties: ['openFile' as const],
    filters: [
      { name: 'Interleave recordings', extensions: ['json', 'gz'] },
      { name: 'All files', extensions: ['*'] },
    ],
  }
  const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options)
  return result.canceled ? null : (result.filePaths[0] ?? null)
}
