/**
 * A minimal WebM (Matroska) writer for one video track of VP8 or VP9 frames, as a browser's
 * VideoEncoder makes them: the EBML header, the segment's info and track, and a cluster per key
 * frame holding SimpleBlocks. No cues: players read such a file from the start, which is how a
 * replay is watched. Pure; the page does the encoding (src/renderer/src/export/video.ts).
 */

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  CodecID: 0x86,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
} as const

export { ID as WEBM_IDS }

type Bytes = Uint8Array

function concat(parts: readonly Bytes[]): Bytes {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

function idBytes(id: number): Bytes {
  const out: number[] = []
  for (let v = id; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256)
  return Uint8Array.from(out)
}

/** An element's size as an EBML variable-length integer, in eight bytes (any size fits). */
function sizeBytes(size: number): Bytes {
  const out = new Uint8Array(8)
  out[0] = 0x01
  let v = size
  for (let i = 7; i >= 1; i--) {
    out[i] = v % 256
    v = Math.floor(v / 256)
  }
  return out
}

function element(id: number, body: Bytes | readonly Bytes[]): Bytes {
  const data = body instanceof Uint8Array ? body : concat(body)
  return concat([idBytes(id), sizeBytes(data.length), data])
}

function uint(id: number, value: number): Bytes {
  const out: number[] = []
  let v = value
  do {
    out.unshift(v % 256)
    v = Math.floor(v / 256)
  } while (v > 0)
  return element(id, Uint8Array.from(out))
}

function float(id: number, value: number): Bytes {
  const data = new Uint8Array(8)
  new DataView(data.buffer).setFloat64(0, value)
  return element(id, data)
}

function string(id: number, value: string): Bytes {
  return element(id, new TextEncoder().encode(value))
}

export interface WebmFrame {
  /** Microseconds from the start of the video. */
  timestampUs: number
  key: boolean
  data: Bytes
}

export interface WebmOptions {
  codec: 'vp8' | 'vp9'
  width: number
  height: number
  /** The whole video's length, microseconds (the last frame's time plus its duration). */
  durationUs: number
  app?: string
}

/** The file's bytes for frames in presentation order; the first must be a key frame. */
export function writeWebm(frames: readonly WebmFrame[], options: WebmOptions): Bytes {
  if (frames.length > 0 && !frames[0].key) throw new Error('a WebM video must start with a key frame')
  const app = options.app ?? 'Interleave'
  const header = element(ID.EBML, [
    uint(ID.EBMLVersion, 1),
    uint(ID.EBMLReadVersion, 1),
    uint(ID.EBMLMaxIDLength, 4),
    uint(ID.EBMLMaxSizeLength, 8),
    string(ID.DocType, 'webm'),
    uint(ID.DocTypeVersion, 2),
    uint(ID.DocTypeReadVersion, 2),
  ])
  // Timecodes in milliseconds.
  const info = element(ID.Info, [
    uint(ID.TimecodeScale, 1_000_000),
    string(ID.MuxingApp, app),
    string(ID.WritingApp, app),
    float(ID.Duration, options.durationUs / 1000),
  ])
  const tracks = element(ID.Tracks, [
    element(ID.TrackEntry, [
      uint(ID.TrackNumber, 1),
      uint(ID.TrackUID, 1),
      uint(ID.TrackType, 1),
      string(ID.CodecID, options.codec === 'vp8' ? 'V_VP8' : 'V_VP9'),
      element(ID.Video, [uint(ID.PixelWidth, options.width), uint(ID.PixelHeight, options.height)]),
    ]),
  ])
  // A cluster starts at each key frame, and before a block's 16-bit relative time would overflow.
  const clusters: Bytes[] = []
  let blocks: Bytes[] = []
  let clusterMs = 0
  const flush = (): void => {
    if (blocks.length) clusters.push(element(ID.Cluster, [uint(ID.Timecode, clusterMs), ...blocks]))
    blocks = []
  }
  for (const frame of frames) {
    const ms = Math.round(frame.timestampUs / 1000)
    if (frame.key || ms - clusterMs > 30_000) {
      flush()
      clusterMs = ms
    }
    const head = new Uint8Array(4)
    head[0] = 0x81 // track 1, as a one-byte variable-length integer
    new DataView(head.buffer).setInt16(1, ms - clusterMs)
    head[3] = frame.key ? 0x80 : 0x00
    blocks.push(element(ID.SimpleBlock, [head, frame.data]))
  }
  flush()
  return concat([header, element(ID.Segment, [info, tracks, ...clusters])])
}

/** An EBML element as read back: for tests and for checking a file. */
export interface EbmlNode {
  id: number
  data: Bytes
}

/** The elements in `bytes`, one level deep. Throws on a truncated or malformed element. */
export function readEbml(bytes: Bytes): EbmlNode[] {
  const nodes: EbmlNode[] = []
  let at = 0
  const vint = (keepMarker: boolean): number => {
    const first = bytes[at]
    if (first === undefined) throw new Error('truncated EBML')
    let length = 1
    while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++
    if (length > 8) throw new Error('malformed EBML length')
    let value = keepMarker ? first : first & (0xff >> length)
    for (let i = 1; i < length; i++) {
      const b = bytes[at + i]
      if (b === undefined) throw new Error('truncated EBML')
      value = value * 256 + b
    }
    at += length
    return value
  }
  while (at < bytes.length) {
    const id = vint(true)
    const size = vint(false)
    if (at + size > bytes.length) throw new Error('truncated EBML element')
    nodes.push({ id, data: bytes.subarray(at, at + size) })
    at += size
  }
  return nodes
}
