import { describe, expect, it } from 'vitest'
import { readEbml, WEBM_IDS as ID, writeWebm, type WebmFrame } from './webm'

const child = (data: Uint8Array, id: number): Uint8Array => {
  const node = readEbml(data).find((n) => n.id === id)
  if (!node) throw new Error(`no element ${id.toString(16)}`)
  return node.data
}
const uintOf = (data: Uint8Array): number => data.reduce((v, b) => v * 256 + b, 0)
const text = (data: Uint8Array): string => new TextDecoder().decode(data)

function frames(n: number, everyKey: number, stepUs: number): WebmFrame[] {
  return Array.from({ length: n }, (_, i) => ({
    timestampUs: i * stepUs,
    key: i % everyKey === 0,
    data: Uint8Array.from([i % 256, 1, 2, 3]),
  }))
}

describe('writeWebm', () => {
  it('writes the EBML header, the track and every frame in order, a cluster per key frame', () => {
    const bytes = writeWebm(frames(10, 4, 40_000), {
      codec: 'vp8',
      width: 640,
      height: 360,
      durationUs: 400_000,
    })
    const [header, segment, ...rest] = readEbml(bytes)
    expect(rest).toEqual([])
    expect(header.id).toBe(ID.EBML)
    expect(text(child(header.data, ID.DocType))).toBe('webm')
    expect(segment.id).toBe(ID.Segment)
    const info = child(segment.data, ID.Info)
    expect(uintOf(child(info, ID.TimecodeScale))).toBe(1_000_000)
    expect(new DataView(child(info, ID.Duration).slice().buffer).getFloat64(0)).toBe(400)
    const entry = child(child(segment.data, ID.Tracks), ID.TrackEntry)
    expect(text(child(entry, ID.CodecID))).toBe('V_VP8')
    expect(uintOf(child(child(entry, ID.Video), ID.PixelWidth))).toBe(640)
    expect(uintOf(child(child(entry, ID.Video), ID.PixelHeight))).toBe(360)

    const clusters = readEbml(segment.data).filter((n) => n.id === ID.Cluster)
    expect(clusters.map((c) => uintOf(child(c.data, ID.Timecode)))).toEqual([0, 160, 320])
    const blocks = clusters.flatMap((c) =>
      readEbml(c.data)
        .filter((n) => n.id === ID.SimpleBlock)
        .map((b) => ({ cluster: uintOf(child(c.data, ID.Timecode)), b: b.data })),
    )
    expect(blocks).toHaveLength(10)
    blocks.forEach(({ cluster, b }, i) => {
      expect(b[0]).toBe(0x81)
      expect(cluster + new DataView(b.slice().buffer).getInt16(1)).toBe(i * 40)
      expect(b[3]).toBe(i % 4 === 0 ? 0x80 : 0)
      expect(b[4]).toBe(i)
    })
  })

  it('starts a new cluster before a relative time would overflow, and refuses a first frame that is not a key', () => {
    const long = writeWebm(frames(3, 100, 20_000_000), {
      codec: 'vp9',
      width: 2,
      height: 2,
      durationUs: 60e6,
    })
    const segment = readEbml(long)[1]
    const clusters = readEbml(segment.data).filter((n) => n.id === ID.Cluster)
    expect(clusters.map((c) => uintOf(child(c.data, ID.Timecode)))).toEqual([0, 40_000])
    expect(() =>
      writeWebm([{ timestampUs: 0, key: false, data: new Uint8Array(1) }], {
        codec: 'vp8',
        width: 2,
        height: 2,
        durationUs: 1,
      }),
    ).toThrow(/key frame/)
    expect(() => readEbml(long.subarray(0, long.length - 3))).toThrow(/truncated/)
  })
})
