/**
 * A run:events message as bytes, for the way from the engine to a window: a binary WebSocket frame
 * in browser mode, an ArrayBuffer on the run stream's MessagePort in the app. As JSON an event is
 * some 150 bytes, and Chromium takes a socket's bytes at 3 to 18 MB/s here; as a frame it is about
 * 19 (bench-flood's), and decoding one is several times quicker than JSON.parse of the same events.
 *
 * A frame is exact: it decodes to the message it was made from, field for field (numbers bit for
 * bit, -0 and NaN included; strings with lone surrogates included; a result's value as JSON, which
 * is what the engine made it from). A frame that is not whole, or was changed on the way, throws an
 * EventFrameError that says so rather than giving a wrong event: its body carries a CRC-32, and
 * every count and index in it is checked against what is there.
 *
 * Layout (little-endian):
 *
 *   header  "ILEV", version (1 byte), body length (u32), CRC-32 of the body (u32)
 *   body    counts: events, cpu samples, thread cpu samples, strings, `after` shapes (varints)
 *           the run id (a string index)
 *           strings: each one's length in UTF-16 units, doubled, +1 when it is stored as JSON
 *             (the few that are not well-formed UTF-16); then the byte length of their UTF-8,
 *             all of them back to back (one TextDecoder call decodes them all)
 *           shapes: the key lists of op events' `after` (count, then string indices)
 *           events: one head byte (type; same thread as the previous event; next seq in it), the
 *             time as a float64, then the type's fields
 *           cpu samples, then thread cpu samples
 *
 * Numbers are varints: `num` is 0 for null, 1 for a float64 that follows, else a zigzagged
 * integer + 2 (so small whole numbers take one byte). Strings are indices into the table (+1 where
 * null may stand). Names from the trace's lists (states, ops, kinds...) are their index, one byte.
 */
import type { RunStreamMessage, RunStreamPageMessage, RunStreamWireMessage } from './protocol'
import {
  OBJECT_KINDS,
  OPS,
  OP_RESULTS,
  THREAD_END_REASONS,
  THREAD_STATES,
  type CpuSample,
  type ThreadCpuSample,
  type TraceEvent,
} from './trace'

/** What a frame carries: a run:events message less its `type`. */
export interface RunEventsPayload {
  runId: string
  events: TraceEvent[]
  cpu: CpuSample[]
  threadCpu: ThreadCpuSample[]
}

/** A frame that cannot be read: not a frame, cut short, or changed on the way. */
export class EventFrameError extends Error {
  override name = 'EventFrameError'
}

const MAGIC = [0x49, 0x4c, 0x45, 0x56] // "ILEV"
export const EVENT_FRAME_VERSION = 1
const HEADER_BYTES = 13

const EVENT_TYPES = ['thread-start', 'state', 'object', 'op', 'print', 'thread-end', 'result'] as const
const TYPE_CODE: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i]))
/** Head byte: bits 0-2 the type; the same pid and tid as the previous event; seq one more than its. */
const SAME_THREAD = 8
const NEXT_SEQ = 16

// The trace's lists, held here: a bundler that turns imports into getters would look each up per event.
const STATES = THREAD_STATES
const KINDS = OBJECT_KINDS
const OP_NAMES = OPS
const RESULTS = OP_RESULTS
const END_REASONS = THREAD_END_REASONS
/** An op event's op and result share a byte: op + OP_COUNT * result. */
const OP_COUNT = OPS.length

/** Whole numbers up to this (either sign) are varints; beyond, float64, so the varint stays exact. */
const MAX_VARINT_INT = 2 ** 51

/** Whether `bytes` starts like a run:events frame (a text message never does). */
export function isEventFrame(bytes: ArrayBuffer | ArrayBufferView): boolean {
  const b = asBytes(bytes)
  return b.length >= 4 && b[0] === MAGIC[0] && b[1] === MAGIC[1] && b[2] === MAGIC[2] && b[3] === MAGIC[3]
}

/** Whether a stream message is a frame of bytes (any other message is an object with a `type`). */
export function isFrameData(message: unknown): message is ArrayBuffer | ArrayBufferView {
  return (
    message instanceof ArrayBuffer ||
    ArrayBuffer.isView(message) ||
    // An ArrayBuffer of another realm (handed across Electron's context bridge, say).
    Object.prototype.toString.call(message) === '[object ArrayBuffer]'
  )
}

/**
 * A stream message as listeners hear it: a frame decoded into its run:events message, any other
 * message as it is. Throws EventFrameError for a frame that cannot be read.
 */
export function toRunStreamMessage(message: RunStreamWireMessage | RunStreamPageMessage): RunStreamMessage {
  if (!isFrameData(message)) return message
  const { runId, events, cpu, threadCpu } = decodeRunEvents(message)
  return { type: 'run:events', runId, events, cpu, threadCpu }
}

// --- encoding ----------------------------------------------------------------------------------------

/** A growing byte buffer; one is kept between calls (encoding is synchronous). */
class Writer {
  bytes = new Uint8Array(1 << 16)
  view = new DataView(this.bytes.buffer)
  pos = 0

  reserve(n: number): void {
    if (this.pos + n > this.bytes.length) this.grow(n)
  }

  private grow(n: number): void {
    let size = this.bytes.length * 2
    while (size < this.pos + n) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.bytes.subarray(0, this.pos))
    this.bytes = grown
    this.view = new DataView(grown.buffer)
  }

  byte(b: number): void {
    this.reserve(1)
    this.bytes[this.pos++] = b
  }

  /** A whole number from 0 to 2^53. */
  varint(u: number): void {
    this.reserve(8)
    const bytes = this.bytes
    let pos = this.pos
    if (u < 0x80) {
      bytes[pos] = u
      this.pos = pos + 1
      return
    }
    // Below 2^31 with bit operations; beyond, with arithmetic (they are 32 bits wide).
    while (u >= 0x80000000) {
      bytes[pos++] = (u % 0x80) | 0x80
      u = Math.floor(u / 0x80)
    }
    while (u >= 0x80) {
      bytes[pos++] = (u & 0x7f) | 0x80
      u >>>= 7
    }
    bytes[pos++] = u
    this.pos = pos
  }

  f64(x: number): void {
    this.reserve(8)
    this.view.setFloat64(this.pos, x, true)
    this.pos += 8
  }

  num(n: number | null): void {
    if (n === null) return this.byte(0)
    // The common case first: a small whole number, not -0 (which `| 0` cannot tell from 0).
    if (n === (n & 0x3fffffff) && (n !== 0 || 1 / n > 0)) return this.varint(n * 2 + 2)
    if (Number.isInteger(n) && Math.abs(n) <= MAX_VARINT_INT && !Object.is(n, -0)) {
      return this.varint((n >= 0 ? n * 2 : -n * 2 - 1) + 2)
    }
    this.byte(1)
    this.f64(n)
  }

  append(other: Writer): void {
    this.reserve(other.pos)
    this.bytes.set(other.bytes.subarray(0, other.pos), this.pos)
    this.pos += other.pos
  }
}

const body = new Writer()
const eventsOut = new Writer()

/** The strings of one frame, each once. */
class StringTable {
  readonly index = new Map<string, number>()
  readonly list: string[] = []

  of(s: string, what: string): number {
    if (typeof s !== 'string') throw new TypeError(`${what} must be a string; got ${typeof s}`)
    let i = this.index.get(s)
    if (i === undefined) {
      i = this.list.length
      this.index.set(s, i)
      this.list.push(s)
    }
    return i
  }

  /** 0 for null, else the index + 1. */
  ofNullable(s: string | null, what: string): number {
    return s === null ? 0 : this.of(s, what) + 1
  }
}

/** Encodes a run:events message as one frame, exactly sized. Throws on a field it cannot carry exactly. */
export function encodeRunEvents(message: RunEventsPayload): Uint8Array {
  const strings = new StringTable()
  const shapes = new Map<string, number>()
  const shapeKeys: number[][] = []
  const runId = strings.of(message.runId, 'runId')

  const w = eventsOut
  w.pos = 0
  let pid = -1
  let tid = -1
  let seq = -1
  for (let i = 0; i < message.events.length; i++) {
    const e = message.events[i]
    const type = TYPE_CODE[e.type]
    if (type === undefined) throw new TypeError(`event ${i} has an unknown type '${String(e.type)}'`)
    // Object.is: -0 is not the 0 before it, and must come back as -0.
    const sameThread = Object.is(e.pid, pid) && Object.is(e.tid, tid)
    const nextSeq = sameThread && Object.is(e.seq, seq + 1)
    w.byte(type | (sameThread ? SAME_THREAD : 0) | (nextSeq ? NEXT_SEQ : 0))
    w.f64(e.tUs)
    if (!sameThread) {
      w.num(e.pid)
      w.num(e.tid)
    }
    if (!nextSeq) w.num(e.seq)
    pid = e.pid
    tid = e.tid
    seq = e.seq
    switch (e.type) {
      case 'thread-start':
        w.varint(strings.of(e.name, 'a thread-start name'))
        w.byte(flag(e.daemon, i))
        w.num(e.parent)
        break
      case 'state':
        w.byte(code(STATE_CODES, e.state, i))
        w.num(e.obj)
        w.num(e.line)
        break
      case 'object':
        w.num(e.obj)
        w.byte(code(KIND_CODES, e.kind, i))
        w.varint(strings.of(e.name, 'an object name'))
        w.num(e.size)
        break
      case 'op': {
        w.byte(code(OP_CODES, e.op, i) + OP_COUNT * code(RESULT_CODES, e.result, i))
        w.num(e.obj)
        w.num(e.line)
        const keys = Object.keys(e.after)
        const signature = keys.length === 0 ? '' : JSON.stringify(keys)
        let shape = shapes.get(signature)
        if (shape === undefined) {
          shape = shapeKeys.length
          shapes.set(signature, shape)
          shapeKeys.push(keys.map((k) => strings.of(k, 'a key of after')))
        }
        w.varint(shape)
        for (const k of keys) w.num(nullableNumber(e.after[k], i))
        w.num(e.cause)
        w.varint(strings.ofNullable(e.value, 'an op value'))
        break
      }
      case 'print':
        w.varint(strings.of(e.text, 'a print text'))
        w.num(e.line)
        break
      case 'thread-end':
        w.byte(code(REASON_CODES, e.reason, i))
        w.varint(strings.ofNullable(e.error, 'a thread-end error'))
        break
      case 'result': {
        w.varint(strings.of(e.key, 'a result key'))
        // As JSON, as a recording holds it (the engine made it from JSON); undefined is 0.
        const json = e.value === undefined ? undefined : JSON.stringify(e.value)
        w.varint(json === undefined ? 0 : strings.of(json, 'a result value') + 1)
        break
      }
    }
  }
  for (const s of message.cpu) {
    w.f64(s.tUs)
    w.varint(s.corePct.length)
    for (const pct of s.corePct) w.num(pct)
  }
  for (const s of message.threadCpu) {
    w.f64(s.tUs)
    w.num(s.pid)
    w.num(s.tid)
    w.num(s.cpuUs)
    w.num(s.core)
  }

  const b = body
  b.pos = 0
  b.varint(message.events.length)
  b.varint(message.cpu.length)
  b.varint(message.threadCpu.length)
  b.varint(strings.list.length)
  b.varint(shapeKeys.length)
  b.varint(runId)
  writeStrings(b, strings.list)
  for (const keys of shapeKeys) {
    b.varint(keys.length)
    for (const k of keys) b.varint(k)
  }
  b.append(w)

  const frame = new Uint8Array(HEADER_BYTES + b.pos)
  frame.set(MAGIC)
  frame[4] = EVENT_FRAME_VERSION
  const view = new DataView(frame.buffer)
  view.setUint32(5, b.pos, true)
  view.setUint32(9, crc32(b.bytes, 0, b.pos), true)
  frame.set(b.bytes.subarray(0, b.pos), HEADER_BYTES)
  return frame
}

const utf8Encoder = new TextEncoder()
const SURROGATE = /[\uD800-\uDFFF]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/

function writeStrings(w: Writer, list: string[]): void {
  // UTF-8 cannot hold a lone surrogate (TextEncoder would write U+FFFD): such a string goes as JSON,
  // which escapes it. Only looked for when the frame has a surrogate at all.
  const joined = list.join('')
  const careful = SURROGATE.test(joined)
  const stored = careful ? list.map((s) => (LONE_SURROGATE.test(s) ? JSON.stringify(s) : s)) : list
  for (let i = 0; i < list.length; i++) w.varint(stored[i].length * 2 + (stored[i] === list[i] ? 0 : 1))
  const utf8 = utf8Encoder.encode(careful ? stored.join('') : joined)
  w.varint(utf8.length)
  w.reserve(utf8.length)
  w.bytes.set(utf8, w.pos)
  w.pos += utf8.length
}

/** Each name of a list by its index, for the encoder. */
function codes(names: readonly string[]): Map<string, number> {
  return new Map(names.map((name, i) => [name, i]))
}
const STATE_CODES = codes(STATES)
const KIND_CODES = codes(KINDS)
const OP_CODES = codes(OP_NAMES)
const RESULT_CODES = codes(RESULTS)
const REASON_CODES = codes(END_REASONS)

function code(names: Map<string, number>, name: string, event: number): number {
  const i = names.get(name)
  if (i === undefined) throw new TypeError(`event ${event} has an unknown value '${String(name)}'`)
  return i
}

function flag(value: boolean, event: number): number {
  if (typeof value !== 'boolean') throw new TypeError(`event ${event} has a flag that is not true or false`)
  return value ? 1 : 0
}

function nullableNumber(value: unknown, event: number): number | null {
  if (value === null || typeof value === 'number') return value
  throw new TypeError(`event ${event} has an after field that is not a number or null`)
}

// --- decoding ----------------------------------------------------------------------------------------

function asBytes(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof Uint8Array
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data)
}

function corrupt(why: string): EventFrameError {
  return new EventFrameError(`a run:events frame is corrupt: ${why}`)
}

/** Reads a frame's body; every read is checked against its end. */
class Reader {
  pos: number
  readonly view: DataView

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    readonly end: number,
  ) {
    this.pos = start
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  byte(): number {
    if (this.pos >= this.end) throw corrupt('it ends inside a field')
    return this.bytes[this.pos++]
  }

  varint(): number {
    const bytes = this.bytes
    const end = this.end
    let pos = this.pos
    if (pos >= end) throw corrupt('it ends inside a field')
    let b = bytes[pos++]
    if (b < 0x80) {
      this.pos = pos
      return b
    }
    let u = b & 0x7f
    let scale = 0x80
    for (;;) {
      if (pos >= end) throw corrupt('it ends inside a number')
      b = bytes[pos++]
      u += (b & 0x7f) * scale
      if (b < 0x80) break
      scale *= 0x80
      if (scale > 2 ** 53) throw corrupt('a number is longer than any the encoder writes')
    }
    this.pos = pos
    return u
  }

  f64(): number {
    if (this.pos + 8 > this.end) throw corrupt('it ends inside a number')
    const x = this.view.getFloat64(this.pos, true)
    this.pos += 8
    return x
  }

  /** A number that may be null. */
  nnum(): number | null {
    const u = this.varint()
    if (u === 0) return null
    if (u === 1) return this.f64()
    const z = u - 2
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }

  num(what: string): number {
    const n = this.nnum()
    if (n === null) throw corrupt(`${what} is null`)
    return n
  }

  /** How many of something, each taking at least `minBytes`: more than the bytes left is corrupt. */
  count(what: string, minBytes: number): number {
    const n = this.varint()
    if (n * minBytes > this.end - this.pos) throw corrupt(`it claims ${n} ${what}, more than its bytes hold`)
    return n
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Decodes a frame made by encodeRunEvents; an EventFrameError says what is wrong with one that is not. */
export function decodeRunEvents(data: ArrayBuffer | ArrayBufferView): RunEventsPayload {
  const bytes = asBytes(data)
  if (!isEventFrame(bytes)) throw new EventFrameError('not a run:events frame (it does not start with ILEV)')
  if (bytes.length < HEADER_BYTES)
    throw new EventFrameError(
      `a run:events frame is truncated: ${bytes.length} bytes, shorter than its header`,
    )
  if (bytes[4] !== EVENT_FRAME_VERSION)
    throw new EventFrameError(
      `a run:events frame of version ${bytes[4]}; this reads version ${EVENT_FRAME_VERSION}`,
    )
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES)
  const length = header.getUint32(5, true)
  const had = bytes.length - HEADER_BYTES
  if (had < length)
    throw new EventFrameError(`a run:events frame is truncated: ${had} bytes of its ${length}`)
  if (had > length) throw corrupt(`${had - length} bytes follow its end`)
  if (crc32(bytes, HEADER_BYTES, bytes.length) !== header.getUint32(9, true))
    throw corrupt('its checksum does not match its bytes')

  const r = new Reader(bytes, HEADER_BYTES, bytes.length)
  const eventCount = r.count('events', 10)
  const cpuCount = r.count('cpu samples', 9)
  const threadCpuCount = r.count('thread cpu samples', 12)
  const stringCount = r.count('strings', 1)
  const shapeCount = r.count('shapes', 1)
  const runIdAt = r.varint()
  const strings = readStrings(r, stringCount)
  const shapes: string[][] = []
  for (let i = 0; i < shapeCount; i++) {
    const keys: string[] = []
    for (let k = r.count('keys', 1); k > 0; k--) keys.push(stringAt(strings, r.varint()))
    shapes.push(keys)
  }

  // Made before the events' loop, which the optimizing compiler enters while it runs: code after
  // the loop that it has never seen run would throw that code away at the end of every frame.
  const events: TraceEvent[] = new Array(eventCount)
  const cpu: CpuSample[] = new Array(cpuCount)
  const threadCpu: ThreadCpuSample[] = new Array(threadCpuCount)
  let pid = 0
  let tid = 0
  let seq = -1
  for (let i = 0; i < eventCount; i++) {
    const head = r.byte()
    const tUs = r.f64()
    if (head & SAME_THREAD) {
      if (i === 0) throw corrupt('its first event refers to a previous one')
    } else {
      pid = r.num('a pid')
      tid = r.num('a tid')
    }
    seq = head & NEXT_SEQ ? seq + 1 : r.num('a seq')
    if (head & NEXT_SEQ && !(head & SAME_THREAD)) throw corrupt(`event ${i} continues another thread's seq`)
    switch (head & 7) {
      case 0: {
        const name = stringAt(strings, r.varint())
        const daemon = r.byte()
        if (daemon > 1) throw corrupt(`event ${i}'s daemon flag is ${daemon}`)
        events[i] = { tUs, pid, tid, seq, type: 'thread-start', name, daemon: daemon === 1, parent: r.nnum() }
        break
      }
      case 1: {
        const state = named(STATES, r.byte(), 'thread state')
        const obj = r.nnum()
        events[i] = { tUs, pid, tid, seq, type: 'state', state, obj, line: r.num('a line') }
        break
      }
      case 2: {
        const obj = r.num('an object id')
        const kind = named(KINDS, r.byte(), 'object kind')
        const name = stringAt(strings, r.varint())
        events[i] = { tUs, pid, tid, seq, type: 'object', obj, kind, name, size: r.num('a size') }
        break
      }
      case 3: {
        const c = r.byte()
        const op = named(OP_NAMES, c % OP_COUNT, 'op')
        const result = named(RESULTS, Math.floor(c / OP_COUNT), 'op result')
        const obj = r.num('an object id')
        const line = r.num('a line')
        const shape = r.varint()
        if (shape >= shapes.length) throw corrupt(`shape ${shape} is not in its table of ${shapes.length}`)
        const keys = shapes[shape]
        const after: Record<string, number | null> = {}
        for (let k = 0; k < keys.length; k++) setField(after, keys[k], r.nnum())
        const cause = r.nnum()
        const value = nullableStringAt(strings, r.varint())
        events[i] = { tUs, pid, tid, seq, type: 'op', obj, op, result, line, after, cause, value }
        break
      }
      case 4: {
        const text = stringAt(strings, r.varint())
        events[i] = { tUs, pid, tid, seq, type: 'print', text, line: r.num('a line') }
        break
      }
      case 5: {
        const reason = named(END_REASONS, r.byte(), 'thread end reason')
        events[i] = {
          tUs,
          pid,
          tid,
          seq,
          type: 'thread-end',
          reason,
          error: nullableStringAt(strings, r.varint()),
        }
        break
      }
      case 6: {
        const key = stringAt(strings, r.varint())
        const json = r.varint()
        events[i] = {
          tUs,
          pid,
          tid,
          seq,
          type: 'result',
          key,
          value: json === 0 ? undefined : parseJson(stringAt(strings, json - 1)),
        }
        break
      }
      default:
        throw corrupt(`event ${i} has an unknown type ${head & 7}`)
    }
  }
  for (let i = 0; i < cpuCount; i++) {
    const tUs = r.f64()
    const corePct: number[] = new Array(r.count('cores', 1))
    for (let c = 0; c < corePct.length; c++) corePct[c] = r.num('a core percentage')
    cpu[i] = { tUs, corePct }
  }
  for (let i = 0; i < threadCpuCount; i++) {
    const tUs = r.f64()
    const pidOf = r.num('a pid')
    const tidOf = r.num('a tid')
    const cpuUs = r.num('a cpu time')
    threadCpu[i] = { tUs, pid: pidOf, tid: tidOf, cpuUs, core: r.nnum() }
  }
  if (r.pos !== r.end) throw corrupt(`${r.end - r.pos} bytes are left after its last sample`)
  return { runId: stringAt(strings, runIdAt), events, cpu, threadCpu }
}

const utf16Units = (stored: number): number => Math.floor(stored / 2)

function readStrings(r: Reader, count: number): string[] {
  const lengths = new Array<number>(count)
  let units = 0
  for (let i = 0; i < count; i++) {
    lengths[i] = r.varint()
    units += utf16Units(lengths[i])
  }
  const byteLength = r.varint()
  if (byteLength > r.end - r.pos) throw corrupt('its strings run past its end')
  let text: string
  try {
    text = utf8Decoder.decode(r.bytes.subarray(r.pos, r.pos + byteLength))
  } catch {
    throw corrupt('its strings are not UTF-8')
  }
  r.pos += byteLength
  if (text.length !== units) throw corrupt(`its strings are ${text.length} characters, not ${units}`)
  const strings = new Array<string>(count)
  let at = 0
  for (let i = 0; i < count; i++) {
    const n = utf16Units(lengths[i])
    const s = text.slice(at, at + n)
    at += n
    if (lengths[i] % 2 === 0) strings[i] = s
    else {
      const parsed = parseJson(s)
      if (typeof parsed !== 'string') throw corrupt(`string ${i} is not a JSON string`)
      strings[i] = parsed
    }
  }
  return strings
}

// Functions of the module, not closures made per frame: a closure new at each call would undo the
// optimizing compiler's work on decodeRunEvents at every frame (V8 deoptimizes on the new target).
function stringAt(strings: readonly string[], i: number): string {
  if (i >= strings.length) throw corrupt(`string ${i} is not in its table of ${strings.length}`)
  return strings[i]
}

/** 0 for null, else the index + 1. */
function nullableStringAt(strings: readonly string[], i: number): string | null {
  return i === 0 ? null : stringAt(strings, i - 1)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw corrupt('a JSON value in it does not parse')
  }
}

function named<T extends string>(names: readonly T[], i: number, what: string): T {
  if (i >= names.length) throw corrupt(`${what} ${i} is not one of the ${names.length} there are`)
  return names[i]
}

/** As JSON.parse would make it: `__proto__` an own field, not the object's prototype. */
function setField(after: Record<string, number | null>, key: string, value: number | null): void {
  if (key === '__proto__')
    Object.defineProperty(after, key, { value, enumerable: true, writable: true, configurable: true })
  else after[key] = value
}

// --- CRC-32 (IEEE) ------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  return table
})()

/** CRC-32 of bytes[start, end): any change of up to 32 bits in a row is caught, and nearly every other. */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = -1
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8)
  return (c ^ -1) >>> 0
}
