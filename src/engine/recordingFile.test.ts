import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { z } from 'zod'
import { beforeAll, describe, expect, it } from 'vitest'
import { runModel } from '../../tests/support/runModel'
import {
  makeRecording,
  readRecording,
  RecordingError,
  recordingText,
  recordingFileSchema,
  recordingSchema,
  RECORDING_VERSION,
  writeRecording,
  type Recording,
} from '../shared/recording'
import { APP_NAME, APP_VERSION } from '../shared/version'
import { readRecordingBytes, readRecordingFile, writeRecordingFile } from './recordingFile'

const dir = mkdtempSync(join(tmpdir(), 'interleave-recording-'))
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

/**
 * What reading gives: the recording, or the message it was refused with. Anything else is a bug.
 * The page's reader by default; Node's (zlib for a gzip) when asked.
 */
async function outcome(
  bytes: Uint8Array,
  maxBytes?: number,
  read: typeof readRecording = readRecording,
): Promise<Recording | string> {
  try {
    return await read(bytes, maxBytes)
  } catch (e) {
    if (e instanceof RecordingError) return e.message
    throw e
  }
}

let recording: Recording

beforeAll(async () => {
  const record = await runModel('bounded-buffer', { duration: 1 })
  recording = makeRecording(record, 'every item got once', {
    name: APP_NAME,
    version: APP_VERSION,
    electron: null,
  })
}, 60_000)

describe('recordings', () => {
  it('round-trips a real run, plain and gzip-compressed, through files', async () => {
    for (const name of ['run.interleave.json', 'run.interleave.json.gz']) {
      const path = join(dir, name)
      await writeRecordingFile(path, recording)
      const back = await readRecordingFile(path)
      expect(back).toEqual(recording)
      expect(back.record.events.length).toBeGreaterThan(100)
    }
    const gz = readFileSync(join(dir, 'run.interleave.json.gz'))
    const plain = readFileSync(join(dir, 'run.interleave.json'))
    expect(gz[0]).toBe(0x1f)
    // Version 2's columns leave gzip less to squeeze than objects did (a quarter then).
    expect(gz.length).toBeLessThan(plain.length / 3)
  })

  it('refuses what is not a recording, naming what is wrong', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['junk bytes', new Uint8Array([0xff, 0xfe, 0x00, 0x41]), /not UTF-8/],
      ['not JSON', new TextEncoder().encode('{"format": "interleave-rec'), /not JSON/],
      ['an array', encode([1, 2]), /not a JSON object/],
      ['a bare run record', encode(recording.record), /no "format"/],
      [
        'a newer version',
        encode({ ...recording, version: RECORDING_VERSION + 1 }),
        new RegExp(`version ${RECORDING_VERSION + 1} .*newer Interleave`),
      ],
      ['a version never written', encode({ ...recording, version: 0 }), /not one Interleave ever wrote/],
      [
        'a wrong type deep inside',
        encode({
          ...recording,
          record: { ...recording.record, events: [{ ...recording.record.events[3], tUs: 'soon' }] },
        }),
        /record\.events\[0\]\.tUs/,
      ],
      [
        'a huge number',
        new TextEncoder().encode(JSON.stringify(recording).replace(/"wallUs":\d+(\.\d+)?/, '"wallUs":1e400')),
        /record\.outcome\.wallUs/,
      ],
      [
        'an unknown event type',
        encode({
          ...recording,
          record: { ...recording.record, events: [{ ...recording.record.events[0], type: 'boom' }] },
        }),
        /record\.events\[0\]/,
      ],
      [
        'an event of a process it does not list',
        encode({
          ...recording,
          record: { ...recording.record, events: [{ ...recording.record.events[0], pid: 999 }] },
        }),
        /process 999/,
      ],
      ['a truncated gzip', gzipSync(JSON.stringify(recording)).subarray(0, 300), /gzip|not JSON/],
    ]
    for (const [what, bytes, message] of cases) {
      for (const read of [readRecording, readRecordingBytes]) {
        const got = await outcome(bytes, undefined, read)
        expect(typeof got === 'string' ? got : 'accepted', `${what} (${read.name})`).toMatch(message)
      }
    }
  })

  it('refuses a file too large to open, and a small gzip that inflates past the limit', async () => {
    expect(await outcome(new Uint8Array(2048), 1024)).toMatch(/more than Interleave opens/)
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20))
    expect(bomb.length).toBeLessThan(100_000)
    expect(await outcome(bomb, 10 * 1024 * 1024)).toMatch(/inflates past 10\.0 MB/)
    expect(await outcome(bomb, 10 * 1024 * 1024, readRecordingBytes)).toMatch(/inflates past 10\.0 MB/)
    const path = join(dir, 'big.interleave.json')
    writeFileSync(path, Buffer.alloc(4096, 0x20))
    await expect(readRecordingFile(path, 1024)).rejects.toThrow(/more than Interleave opens/)
    await expect(readRecordingFile(join(dir, 'missing.interleave.json'))).rejects.toThrow(/no such file/)
  })

  it('refuses 100 MB of junk quickly', async () => {
    const junk = new Uint8Array(100 * 1024 * 1024)
    for (let i = 0; i < junk.length; i += 4096) junk[i] = (i * 2654435761) % 251 // not valid UTF-8 or JSON
    junk.fill(0x61, 0, 1)
    expect(await outcome(junk)).toMatch(/not UTF-8|not JSON/)
  })

  it('fuzz: mutated recordings are read or refused with a message, never anything else', async () => {
    // A small real recording, so that many mutations are cheap to try.
    const small: Recording = {
      ...recording,
      record: {
        ...recording.record,
        events: recording.record.events.slice(0, 200),
        cpu: recording.record.cpu.slice(0, 5),
      },
    }
    // Both ways a file holds events: objects (version 1, and 2 still takes them) and columns.
    const texts = [JSON.stringify({ ...small, version: 1 }), recordingText(small)]
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const hostile: unknown[] = [
      null,
      -1,
      1e308,
      -1e308,
      2 ** 53,
      '',
      'x'.repeat(2000),
      [],
      {},
      true,
      { __proto__: 1 },
    ]
    let refused = 0
    let read = 0
    for (let round = 0; round < 400; round++) {
      let bytes: Uint8Array
      const kind = round % 4
      const text = texts[Math.floor(round / 4) % 2]
      if (kind === 0) {
        // Truncated anywhere.
        bytes = new TextEncoder().encode(text.slice(0, random(text.length)))
      } else if (kind === 1) {
        // A byte changed anywhere.
        const b = new TextEncoder().encode(text)
        b[random(b.length)] = random(256)
        bytes = b
      } else {
        // A value somewhere replaced by a hostile one, or deleted.
        const copy = JSON.parse(text) as Record<string, unknown>
        let node: Record<string, unknown> = copy
        for (let depth = 0; depth < 5; depth++) {
          const keys = Object.keys(node)
          if (keys.length === 0) break
          const key = keys[random(keys.length)]
          const child = node[key]
          if (depth === 4 || typeof child !== 'object' || child === null || random(3) === 0) {
            if (kind === 2) node[key] = hostile[random(hostile.length)]
            else delete node[key]
            break
          }
          node = child as Record<string, unknown>
        }
        bytes = encode(copy)
      }
      const got = await outcome(bytes)
      // Node's reader (the CLI's) says the same of the same bytes.
      expect(await outcome(bytes, undefined, readRecordingBytes)).toEqual(got)
      if (typeof got === 'string') {
        refused++
        expect(got).toMatch(/^This (is not an Interleave recording|recording)/)
      } else {
        read++
        expect(recordingSchema.safeParse(got).success).toBe(true)
      }
    }
    expect(refused).toBeGreaterThan(200)
    expect(read + refused).toBe(400)
  })

  it('docs/recording.schema.json is the schema the code checks (UPDATE_SCHEMA=1 rewrites it)', () => {
    const path = new URL('../../docs/recording.schema.json', import.meta.url)
    const generated = `${JSON.stringify(z.toJSONSchema(recordingFileSchema, { unrepresentable: 'any' }), null, 2)}\n`
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(path, generated)
    expect(readFileSync(path, 'utf8')).toBe(generated)
  })

  it('states the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    expect(APP_VERSION).toBe(pkg.version)
  })
})

// Keep the writer honest about compression: gzip output is what readRecording detects.
it('writes gzip only when asked', async () => {
  const plain = await writeRecording(recording, false)
  const gz = await writeRecording(recording, true)
  expect(plain[0]).toBe('{'.charCodeAt(0))
  expect(gz[0]).toBe(0x1f)
})
