/**
 * `npm run bench -- <part> --profile`: where the time of a figure that misses its target goes. A V8
 * CPU profile (from Chromium's DevTools protocol, or from this process through node:inspector) is
 * summed by function, self time, and the top of the list printed under the table.
 */
import { Session } from 'node:inspector/promises'

/** The parts of a V8 CPU profile (Profiler.Profile) read here. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[]
  samples?: number[]
  timeDeltas?: number[]
}

export interface ProfileLine {
  /** `decode (engine/records.ts:41)`, `(garbage collector)`. */
  where: string
  selfMs: number
  share: number
}

/** Self time by function (name, file and line), most first. */
export function topFunctions(profile: CpuProfile, n = 12): ProfileLine[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  const self = new Map<string, number>()
  let total = 0
  for (let i = 0; i < samples.length; i++) {
    const node = nodes.get(samples[i])
    if (!node) continue
    const { functionName, url, lineNumber } = node.callFrame
    const file = url.split('/').slice(-2).join('/')
    const where = file ? `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})` : functionName
    const us = deltas[i] ?? 0
    self.set(where, (self.get(where) ?? 0) + us)
    total += us
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([where, us]) => ({ where, selfMs: us / 1000, share: total ? us / total : 0 }))
}

export function profileLines(title: string, lines: readonly ProfileLine[]): string[] {
  return [
    `profile: ${title} (self time)`,
    ...lines.map(
      (l) =>
        `  ${l.selfMs.toFixed(0).padStart(7)} ms ${(l.share * 100).toFixed(1).padStart(5)} %  ${l.where}`,
    ),
  ]
}

/** Profiles this process (the orchestrator) while `work` runs. */
export async function profileHere<T>(work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
    const result = await work()
    const { profile } = await session.post('Profiler.stop')
    return { result, profile: profile as CpuProfile }
  } finally {
    session.disconnect()
  }
}
