/**
 * The recording format: a run as a file people keep, reopen and share (`.interleave.json`, or
 * `.interleave.json.gz`). One JSON object: what made the run (scenario, parameters, program, machine,
 * app), and the run itself as a RunRecord. Checked on load against the schema below, with limits, so
 * that a corrupt or hostile file is refused with a message and never reaches a view.
 * docs/recording-format.md describes it; docs/recording.schema.json is generated from this file.
 */
import { z } from 'zod'
import {
  OBJECT_KINDS,
  OPS,
  OP_RESULTS,
  RUN_STATUSES,
  THREAD_END_REASONS,
  THREAD_STATES,
  TRACE_VERSION,
  type RunRecord,
} from './trace'
import { isPlainJsonObject, LIMITS, longArraysFit, tableFromColumns } from './recordingFast'
import { EVENT_TYPES, EventTable, eventTableOf, holdEventsIn, NULL_REF } from './eventTable'

export const RECORDING_FORMAT = 'interleave-recording'
/**
 * 2: `record.events` may be columns (EventColumns: parallel arrays, one string table), which the
 * writer writes; 1: an array of event objects, which version 2 still takes too.
 */
export const RECORDING_VERSION = 2
export type RecordingVersion = 1 | 2
/** The versions this Interleave reads. */
const READS: readonly number[] = [1, 2]
/** What each version of the format was read by; a refused file's message names it. */
const READ_BY: Record<number, string> = { 1: 'Interleave 0.1 and later', 2: 'Interleave 0.1 and later' }

/** Larger files are refused before they are read: about three million events; a JavaScript string holds little more. */
export const MAX_RECORDING_BYTES = 500 * 1024 ** 2
export const MAX_EVENTS = LIMITS.entries

export interface Recording {
  format: typeof RECORDING_FORMAT
  /** The version of the file it was read from (a recording is always written as RECORDING_VERSION). */
  version: RecordingVersion
  /** What wrote it. `electron` is null outside the desktop app (the CLI, browser mode). */
  app: { name: string; version: string; electron: string | null }
  savedAt: string
  /** The lesson's outcome in words, as the app and the CLI said it. */
  verdict: string
  record: RunRecord
}

/** A file that is not a recording this app can read; the message says why, for a person. */
export class RecordingError extends Error {
  override name = 'RecordingError'
}

// --- the schema -----------------------------------------------------------------------------------

// The bounds are LIMITS (recordingFast.ts), which the fast check of the long arrays enforces too.

/** Microseconds since the run started: up to a year. */
const time = z.number().min(0).max(LIMITS.timeUs)
const count = z.int().min(0).max(Number.MAX_SAFE_INTEGER)
const pid = z.int().min(0).max(LIMITS.pid)
const tid = z.int().min(0).max(LIMITS.tid)
const line = z.int().min(0).max(LIMITS.line)
const name = z.string().max(LIMITS.name)
const text = z.string().max(LIMITS.text)
const eventRef = count.nullable()
const stateValue = z.number().min(-LIMITS.stateValue).max(LIMITS.stateValue)

const base = { tUs: time, pid, tid, seq: count }

const resultEvent = z.strictObject({ ...base, type: z.literal('result'), key: name, value: z.json() })

const event = z.discriminatedUnion('type', [
  z.strictObject({
    ...base,
    type: z.literal('thread-start'),
    name,
    daemon: z.boolean(),
    parent: count.nullable(),
  }),
  z.strictObject({
    ...base,
    type: z.literal('state'),
    state: z.enum(THREAD_STATES),
    obj: count.nullable(),
    line,
  }),
  z.strictObject({
    ...base,
    type: z.literal('object'),
    obj: count,
    kind: z.enum(OBJECT_KINDS),
    name,
    size: stateValue,
  }),
  z.strictObject({
    ...base,
    type: z.literal('op'),
    obj: count,
    op: z.enum(OPS),
    result: z.enum(OP_RESULTS),
    line,
    after: z.record(name, stateValue.nullable()),
    cause: eventRef,
    value: text.nullable(),
  }),
  z.strictObject({ ...base, type: z.literal('print'), text, line }),
  z.strictObject({
    ...base,
    type: z.literal('thread-end'),
    reason: z.enum(THREAD_END_REASONS),
    error: text.nullable(),
  }),
  resultEvent,
])

const percent = z.number().min(0).max(100)
/** A step-mode schedule: the thread chosen at each step. */
const threadKeys = z
  .array(
    z
      .int()
      .min(0)
      .max(2 ** 40),
  )
  .max(1_000_000)

const runRecord = z.strictObject({
  version: z.literal(TRACE_VERSION),
  scenario: name,
  params: z.record(name, z.union([name, z.number()])),
  options: z.strictObject({
    gil: z.boolean(),
    timeoutS: z.number().min(0).max(1e7),
    switchIntervalMs: z.number().min(0).max(1e6),
    speed: z.number().min(0).max(1e3),
    trace: z.boolean(),
    step: z.boolean().optional(),
    schedule: threadKeys.optional(),
    hangAfterS: z.number().min(0).max(1e7).optional(),
  }),
  program: text,
  machine: z.strictObject({
    cores: z.int().min(1).max(LIMITS.cores),
    cpuModel: name,
    os: name,
    node: name,
  }),
  startedAt: name,
  processes: z
    .array(
      z.strictObject({
        pid,
        name,
        parent: pid.nullable(),
        startMethod: z.enum(['spawn', 'fork']).nullable(),
        osPid: count.nullable(),
        startUs: time,
        endUs: time.nullable(),
        exitCode: z.int().min(-1e9).max(1e9).nullable(),
        signal: name.nullable(),
        cpuUs: time,
      }),
    )
    .max(100_000),
  events: z.array(event).max(LIMITS.entries),
  cpu: z
    .array(z.strictObject({ tUs: time, corePct: z.array(percent).max(LIMITS.cores) }))
    .max(LIMITS.entries),
  threadCpu: z
    .array(
      z.strictObject({ tUs: time, pid, tid, cpuUs: time, core: z.int().min(0).max(LIMITS.cores).nullable() }),
    )
    .max(LIMITS.entries),
  outcome: z.strictObject({
    status: z.enum(RUN_STATUSES),
    message: text,
    wallUs: time,
    deadlock: z
      .strictObject({
        cycle: z
          .array(z.strictObject({ pid, tid, process: name, thread: name, obj: count, objName: name, line }))
          .max(100_000),
      })
      .nullable(),
    hang: z
      .strictObject({
        sinceUs: time,
        threads: z
          .array(
            z.strictObject({
              pid,
              tid,
              process: name,
              thread: name,
              state: z.enum(THREAD_STATES),
              obj: count.nullable(),
              objName: name,
              line,
              needs: text,
            }),
          )
          .max(1_000_000),
      })
      .nullable()
      .optional(),
  }),
  final: z
    .array(
      z.strictObject({
        pid,
        tid,
        process: name,
        name,
        state: z.enum(THREAD_STATES),
        obj: count.nullable(),
        line,
        cpuUs: time,
      }),
    )
    .max(1_000_000),
  objects: z
    .array(
      z.strictObject({
        obj: count,
        kind: z.enum(OBJECT_KINDS),
        name,
        pid,
        state: z.record(name, stateValue.nullable()),
        lastValue: text.nullable(),
      }),
    )
    .max(1_000_000),
  result: z.record(name, z.json()),
  schedule: threadKeys.optional(),
})

/** A recording as read: its events as objects, whichever way the file held them. */
export const recordingSchema = z.strictObject({
  format: z.literal(RECORDING_FORMAT),
  version: z.union([z.literal(1), z.literal(2)]),
  app: z.strictObject({ name, version: name, electron: name.nullable() }),
  savedAt: name,
  verdict: text,
  record: runRecord,
})

/** Version 2's events as columns (EventColumns); the cross-references between them are checked by hand (columnsProblem). */
const column = <T extends z.ZodType>(item: T) => z.array(item).max(LIMITS.entries)
/** An index into the strings or states, or -1 for null. */
const ref = z.int().min(NULL_REF).max(Number.MAX_SAFE_INTEGER)
/** A count, or -1 for null. */
const countOrNullRef = ref
export const eventColumnsSchema = z.strictObject({
  strings: column(text),
  states: column(z.record(name, stateValue.nullable())),
  type: column(
    z
      .int()
      .min(0)
      .max(EVENT_TYPES.length - 1),
  ),
  tUs: column(time),
  pid: column(pid),
  tid: column(tid),
  seq: column(count),
  'thread-start': z.strictObject({
    name: column(ref),
    daemon: column(z.boolean()),
    parent: column(countOrNullRef),
  }),
  state: z.strictObject({ state: column(ref), obj: column(countOrNullRef), line: column(line) }),
  object: z.strictObject({
    obj: column(count),
    kind: column(ref),
    name: column(ref),
    size: column(stateValue),
  }),
  op: z.strictObject({
    obj: column(count),
    op: column(ref),
    result: column(ref),
    line: column(line),
    after: column(ref),
    cause: column(countOrNullRef),
    value: column(ref),
  }),
  print: z.strictObject({ text: column(ref), line: column(line) }),
  'thread-end': z.strictObject({ reason: column(ref), error: column(ref) }),
  result: z.strictObject({ key: column(ref), value: column(z.json()) }),
})

/** A version 2 file whose events are columns: the schema it is checked by when it does not fit. */
const columnarRecordingSchema = recordingSchema.extend({
  version: z.literal(2),
  record: runRecord.extend({ events: eventColumnsSchema }),
})

/**
 * A file, either way: events as objects (version 1 or 2), or as columns (version 2). For
 * docs/recording.schema.json; the reader checks each way by its own schema.
 */
export const recordingFileSchema = recordingSchema.extend({
  record: runRecord.extend({ events: z.union([runRecord.shape.events, eventColumnsSchema]) }),
})

// --- reading --------------------------------------------------------------------------------------

/** Where in the file a problem is, as a person would look for it: `record.events[12].tUs`. */
function where(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`
  return out || 'the top level'
}

/** The format and version first, so that a newer or older file is named as such, not as broken. */
function checkEnvelope(data: unknown): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new RecordingError('This is not an Interleave recording: it is not a JSON object.')
  }
  const { format, version } = data as { format?: unknown; version?: unknown }
  if (format !== RECORDING_FORMAT) {
    throw new RecordingError(
      `This is not an Interleave recording: it has no "format": "${RECORDING_FORMAT}". (A run saved by an ` +
        'older `interleave run --out` is a bare run record; run it again to save a recording.)',
    )
  }
  if (READS.includes(version as number)) return
  if (typeof version === 'number' && Number.isInteger(version) && version > RECORDING_VERSION) {
    throw new RecordingError(
      `This recording is version ${version} of the format; this Interleave reads version ` +
        `${RECORDING_VERSION}. Open it with a newer Interleave.`,
    )
  }
  if (typeof version === 'number' && READ_BY[version]) {
    throw new RecordingError(
      `This recording is version ${version} of the format, which ${READ_BY[version]} read; this one reads ` +
        `version ${RECORDING_VERSION}.`,
    )
  }
  throw new RecordingError(
    `This recording's version (${JSON.stringify(version)?.slice(0, 40)}) is not one Interleave ever wrote.`,
  )
}

const resultEventFits = (e: unknown): boolean => resultEvent.safeParse(e).success

/** What reading gives before the events are put in the record: the events as objects, or as a table. */
interface Read {
  recording: Recording
  table: EventTable | null
}

/**
 * The rest of the recording (all but the long arrays, left empty) by the schema, with the long
 * arrays checked by the fast loops put back: null if either does not fit.
 */
function restQuickly(data: Record<string, unknown>, record: Record<string, unknown>): Recording | null {
  if (!longArraysFit({ events: [], cpu: record.cpu, threadCpu: record.threadCpu }, resultEventFits))
    return null
  const rest = recordingSchema.safeParse({
    ...data,
    record: { ...record, events: [], cpu: [], threadCpu: [] },
  })
  if (!rest.success) return null
  // The schema returns copies; the long arrays, checked in place, are the parsed JSON's own.
  const recording = rest.data as Recording
  recording.record.cpu = record.cpu as Recording['record']['cpu']
  recording.record.threadCpu = record.threadCpu as Recording['record']['threadCpu']
  return recording
}

/**
 * The quick way, for a recording that fits: the long arrays by the hand-written loops of
 * recordingFast.ts, everything else by the schema (with those arrays left empty). Null when anything
 * does not fit, or the data is not plain JSON objects: then the schema checks all of it and says why.
 */
function parseQuickly(data: unknown): Recording | null {
  if (!isPlainJsonObject(data) || !isPlainJsonObject(data.record)) return null
  const record = data.record
  if (!longArraysFit({ events: record.events, cpu: [], threadCpu: [] }, resultEventFits)) return null
  const recording = restQuickly(data, record)
  if (recording) recording.record.events = record.events as Recording['record']['events']
  return recording
}

/** The schema's issues as the message a person reads. */
function damaged(error: z.ZodError): RecordingError {
  const issues = error.issues.slice(0, 3).map((i) => `${where(i.path)}: ${i.message}`)
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : ''
  return new RecordingError(`This recording is damaged: ${issues.join('; ')}${more}.`)
}

/** The schema over all of it: the authority on what is wrong, and where. */
function parseWithSchema(data: unknown): Recording {
  const parsed = recordingSchema.safeParse(data)
  if (!parsed.success) throw damaged(parsed.error)
  return parsed.data as Recording
}

/** Version 2 with its events as columns, rather than an array of objects. */
function hasColumns(data: unknown): data is { version: 2; record: Record<string, unknown> } {
  const d = data as { version?: unknown; record?: { events?: unknown } }
  return (
    d.version === 2 &&
    typeof d.record === 'object' &&
    d.record !== null &&
    d.record.events !== undefined &&
    !Array.isArray(d.record.events)
  )
}

/** Names of each enum the columns refer to by string, for the messages. */
const ENUMS: Record<string, { names: readonly string[]; what: string }> = {
  'state.state': { names: THREAD_STATES, what: 'a thread state' },
  'object.kind': { names: OBJECT_KINDS, what: 'an object kind' },
  'op.op': { names: OPS, what: 'an operation' },
  'op.result': { names: OP_RESULTS, what: 'an operation result' },
  'thread-end.reason': { names: THREAD_END_REASONS, what: 'a thread end reason' },
}
/** Columns that name a string: which may be null (-1), and which are names (short). */
const STRING_REFS: Record<string, { nullable: boolean; isName: boolean }> = {
  'thread-start.name': { nullable: false, isName: true },
  'object.name': { nullable: false, isName: true },
  'op.value': { nullable: true, isName: false },
  'print.text': { nullable: false, isName: false },
  'thread-end.error': { nullable: true, isName: false },
  'result.key': { nullable: false, isName: true },
}

/**
 * What the schema of the columns cannot say: lengths that do not match, and indices that point at
 * no string or state, or at a string that is not what the column holds. Null if none.
 */
function columnsProblem(columns: z.infer<typeof eventColumnsSchema>): string | null {
  const n = columns.type.length
  for (const key of ['tUs', 'pid', 'tid', 'seq'] as const) {
    if (columns[key].length !== n)
      return `record.events.${key}: ${columns[key].length} entries for ${n} events`
  }
  const counts = EVENT_TYPES.map((_, t) => columns.type.filter((x) => x === t).length)
  for (const [t, type] of EVENT_TYPES.entries()) {
    for (const [field, values] of Object.entries(columns[type])) {
      const place = `record.events.${type}.${field}`
      if (values.length !== counts[t])
        return `${place}: ${values.length} entries for ${counts[t]} ${type} events`
      const column = `${type}.${field}`
      const isRef = ENUMS[column] || STRING_REFS[column] || column === 'op.after'
      for (let k = 0; isRef && k < values.length; k++) {
        const v = values[k] as number
        if (column === 'op.after') {
          if (v < 0 || v >= columns.states.length) return `${place}[${k}]: refers to no state (${v})`
          continue
        }
        if (v === NULL_REF && STRING_REFS[column]?.nullable) continue
        if (v < 0 || v >= columns.strings.length) return `${place}[${k}]: refers to no string (${v})`
        const s = columns.strings[v]
        if (ENUMS[column] && !ENUMS[column].names.includes(s))
          return `${place}[${k}]: ${JSON.stringify(s.slice(0, 40))} is not ${ENUMS[column].what}`
        if (STRING_REFS[column]?.isName && [...s].length > LIMITS.name)
          return `${place}[${k}]: the string it refers to is longer than ${LIMITS.name} characters`
      }
    }
  }
  return null
}

/**
 * Version 2's columns: the quick way (recordingFast's tableFromColumns checks them as it copies them
 * into a table), else the columns' schema and cross-references say what is wrong.
 */
function parseColumns(data: { record: Record<string, unknown> }): Read {
  const record = data.record
  const table = tableFromColumns(record.events, resultEventFits)
  const plain = isPlainJsonObject(data) && isPlainJsonObject(record)
  const recording = table && plain ? restQuickly(data, record) : null
  if (table && recording) return { recording, table }
  const parsed = columnarRecordingSchema.safeParse(data)
  if (!parsed.success) throw damaged(parsed.error)
  const problem = columnsProblem(parsed.data.record.events)
  if (problem) throw new RecordingError(`This recording is damaged: ${problem}.`)
  // The schema's copy fits where the parsed JSON did not (an own __proto__ key, which it leaves out).
  const checked = tableFromColumns(parsed.data.record.events, resultEventFits)
  if (!checked) throw new RecordingError('This recording is damaged: its events do not fit its columns.')
  const rest = { ...parsed.data, record: { ...parsed.data.record, events: [] } }
  return { recording: rest as Recording, table: checked }
}

/** Every event belongs to a process the record lists. */
function checkProcesses(recording: Recording, table: EventTable | null): void {
  const pids = new Set(recording.record.processes.map((p) => p.pid))
  const refuse = (i: number, pid: number): never => {
    throw new RecordingError(
      `This recording is damaged: record.events[${i}] belongs to process ${pid}, which it does not list.`,
    )
  }
  if (table) {
    const column = table.columns.pid
    for (let i = 0; i < table.length; i++) if (!pids.has(column[i])) refuse(i, column[i])
    return
  }
  const events = recording.record.events
  for (let i = 0; i < events.length; i++) if (!pids.has(events[i].pid)) refuse(i, events[i].pid)
}

export interface ReadOptions {
  /**
   * Keep the events in an EventTable (`eventTableOf(record)`), made into objects only when
   * `record.events` is read: the page does, for a large recording's memory. Otherwise `record.events`
   * is a plain array.
   */
  compact?: boolean
}

/** Checks parsed JSON against the schema and its cross-references; throws RecordingError. */
export function parseRecording(data: unknown, options: ReadOptions = {}): Recording {
  checkEnvelope(data)
  const { recording, table } = hasColumns(data)
    ? parseColumns(data)
    : { recording: parseQuickly(data) ?? parseWithSchema(data), table: null }
  checkProcesses(recording, table)
  const { record } = recording
  if (options.compact) holdEventsIn(record, table ?? EventTable.fromEvents(record.events))
  else if (table) record.events = table.slice()
  return recording
}

const GZIP_MAGIC = [0x1f, 0x8b]

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]
}

/**
 * How far reading has got, for a person waiting: the step, and roughly how much of the reading is
 * done (0 to 1), by the share of the time each step took for a large recording.
 */
export interface ReadProgress {
  step: 'inflating' | 'decoding' | 'parsing' | 'checking'
  done: number
}
/** Where each step starts, as a share of the whole read (inflating a gzip is about a third of it). */
const STEP_STARTS = { inflating: 0, decoding: 0.35, parsing: 0.45, checking: 0.9 } as const
/** Said to the caller, who may await it (to let a page paint its progress). */
export type OnReadProgress = (progress: ReadProgress) => void | Promise<void>

/**
 * Compressed bytes go into the decompressor in slices this large, each once the last has been taken
 * in. Chromium inflates a whole written chunk at once: fed in slices, a gzip bomb (about a thousand
 * times its size) overshoots the limit by at most one slice's output before it is stopped.
 */
const GZIP_SLICE = 64 * 1024

/**
 * Gunzips, refusing to inflate past `maxBytes` (a small file can expand without end). The bytes are
 * written to the decompressor directly: streaming them from a Blob, as this did before, took twice as
 * long in Chromium (a Blob's bytes are read back through the browser process).
 */
async function gunzip(bytes: Uint8Array, maxBytes: number, onProgress?: OnReadProgress): Promise<Uint8Array> {
  const inflater = new DecompressionStream('gzip')
  const writer = inflater.writable.getWriter()
  let fed = 0
  const feeding = (async () => {
    for (; fed < bytes.length; fed += GZIP_SLICE) {
      await writer.write(bytes.subarray(fed, fed + GZIP_SLICE) as Uint8Array<ArrayBuffer>)
    }
    await writer.close()
  })()
  // Its failures (bad data, or the reader cancelled at the limit) come out of the reader too.
  feeding.catch(() => {})
  const reader = inflater.readable.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  /** Progress is said every fiftieth of the input. */
  let said = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.length
      if (total > maxBytes) {
        await reader.cancel()
        throw new RecordingError(
          `This recording inflates past ${formatBytes(maxBytes)}, more than Interleave opens.`,
        )
      }
      chunks.push(value)
      const share = Math.min(1, fed / bytes.length)
      if (onProgress && share - said >= 0.02) {
        said = share
        await onProgress({ step: 'inflating', done: share * STEP_STARTS.decoding })
      }
    }
  } catch (e) {
    if (e instanceof RecordingError) throw e
    throw new RecordingError(
      `This recording is damaged: its gzip data does not decompress (${(e as Error).message}).`,
    )
  }
  const out = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${Math.ceil(n / 1024)} kB`
}

function checkSize(bytes: Uint8Array, maxBytes: number): void {
  if (bytes.length > maxBytes) {
    throw new RecordingError(
      `This file is ${formatBytes(bytes.length)}, more than Interleave opens (${formatBytes(maxBytes)}).`,
    )
  }
}

function decodeUtf8(raw: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw)
  } catch {
    throw new RecordingError('This is not an Interleave recording: it is not UTF-8 text.')
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new RecordingError(`This is not an Interleave recording: it is not JSON (${(e as Error).message}).`)
  }
}

/**
 * A file's bytes (gzip-compressed or not) to a checked Recording; throws RecordingError.
 * `onProgress` hears each step (and, while inflating, every fiftieth of it) and may be awaited.
 */
export async function readRecording(
  bytes: Uint8Array,
  maxBytes = MAX_RECORDING_BYTES,
  onProgress?: OnReadProgress,
  options: ReadOptions = {},
): Promise<Recording> {
  checkSize(bytes, maxBytes)
  const raw = isGzip(bytes) ? await gunzip(bytes, maxBytes, onProgress) : bytes
  await onProgress?.({ step: 'decoding', done: STEP_STARTS.decoding })
  const text = decodeUtf8(raw)
  await onProgress?.({ step: 'parsing', done: STEP_STARTS.parsing })
  const data = parseJson(text)
  await onProgress?.({ step: 'checking', done: STEP_STARTS.checking })
  return parseRecording(data, options)
}

/**
 * The bytes of a recording that has already been inflated (by the caller, as Node's zlib does it
 * faster than DecompressionStream there) to a checked Recording; throws RecordingError.
 */
export function readInflatedRecording(raw: Uint8Array, maxBytes = MAX_RECORDING_BYTES): Recording {
  checkSize(raw, maxBytes)
  return parseRecording(parseJson(decodeUtf8(raw)))
}

// --- writing --------------------------------------------------------------------------------------

export function makeRecording(record: RunRecord, verdict: string, app: Recording['app']): Recording {
  return {
    format: RECORDING_FORMAT,
    version: RECORDING_VERSION,
    app,
    savedAt: new Date().toISOString(),
    verdict,
    record,
  }
}

/**
 * The recording as its file holds it (version 2): the record with its events as columns. Read from
 * the record's table if it has one, so that saving a recording opened in the page makes no event
 * objects.
 */
export function recordingFileValue(recording: Recording): object {
  const { record } = recording
  const table = eventTableOf(record) ?? EventTable.fromEvents(record.events)
  const fileRecord: Record<string, unknown> = {}
  for (const key of Object.keys(record) as (keyof RunRecord)[]) {
    fileRecord[key] = key === 'events' ? table.toColumns() : record[key]
  }
  const { format, app, savedAt, verdict } = recording
  return { format, version: RECORDING_VERSION, app, savedAt, verdict, record: fileRecord }
}

/** The file's text: JSON, version 2. */
export function recordingText(recording: Recording): string {
  return JSON.stringify(recordingFileValue(recording))
}

/** The file's bytes; gzip-compressed if asked (about a tenth of the size). */
export async function writeRecording(recording: Recording, gzip: boolean): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(recordingText(recording))
  if (!gzip) return bytes
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new CompressionStream('gzip'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}
