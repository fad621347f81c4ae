/**
 * What the tooltip says about a hit, line by line: the state and for how long, who held what the
 * thread waited for and who let it go on, the program line with its source, what was printed,
 * the thread's CPU time; or an object's state and who waited on it.
 */
import type { ObjectTrack, RunTrace, Slice } from '../trace/runTrace'
import { objectKey } from '../../../shared/trace'
import type { Hit } from './hitTest'
import { linkIndexOf } from './linkIndex'
import { holdersDuring, objectCapacity, isOwnedKind, type ObjectState } from './objectSegments'
import { STATE_STYLES } from './statePalette'
import { formatDuration } from './timeScale'

export interface DetailLine {
  text: string
  /** `title` heads the tooltip; `code` is program text, set in the code font. */
  kind: 'title' | 'text' | 'code'
}

/** Line `line` (from 1) of the program, trimmed; empty if there is no such line. */
export function programLine(program: string, line: number): string {
  if (line < 1) return ''
  return (program.split('\n')[line - 1] ?? '').trim()
}

/** Names in a list: `A`, `A and B`, `A, B and C`. */
function listOf(names: readonly string[]): string {
  return names.length < 2 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
}

export function describeHit(hit: Hit, trace: RunTrace, program: string): DetailLine[] {
  const lines: DetailLine[] = []
  const text = (t: string): void => void lines.push({ text: t, kind: 'text' })
  const lane = hit.lane
  if (lane.threadKey !== null) {
    const key = lane.threadKey
    lines.push({ text: trace.threadLabel(key), kind: 'title' })
    if (hit.print) text(`printed: ${hit.print.text}`)
    const thread = trace.threads.get(key)
    if (hit.slice) describeSlice(hit.slice, key, trace).forEach(text)
    else if (thread && thread.endUs !== null && hit.tUs >= thread.endUs) {
      const how = thread.error ? `raised ${thread.error.trim().split('\n').at(-1) ?? ''}` : 'finished'
      text(`${how} at ${formatDuration(thread.endUs)}`)
    }
    const line = trace.lineAt(key, hit.tUs)
    if (line > 0) {
      const source = programLine(program, line)
      text(`line ${line}${source ? ':' : ''}`)
      if (source) lines.push({ text: source, kind: 'code' })
    }
    if (hit.op) {
      const value = hit.op.value === null ? '' : ` ${hit.op.value}`
      const result = hit.op.result === 'ok' ? '' : ` (${hit.op.result})`
      text(`${hit.op.op}${value} on ${objectName(trace, objectKey(hit.op.pid, hit.op.obj))}${result}`)
    }
    if (thread && thread.cpuSampleUs.length) {
      const byThen = trace.cpuUsAt(key, hit.tUs)
      const then = byThen > 0 && byThen < thread.cpuUs ? `${formatDuration(byThen)} by then, ` : ''
      text(`CPU ${then}${formatDuration(thread.cpuUs)} in all`)
    }
  } else if (lane.objectKey !== null) {
    const o = trace.objects.get(lane.objectKey)
    lines.push({ text: o ? `${o.kind.replace(/^mp-/, 'mp.')} ${o.name}` : 'object', kind: 'title' })
    if (o && hit.object) describeObjectState(o, hit.object, trace).forEach(text)
  } else {
    const p = trace.processes.get(lane.pid)
    lines.push({ text: lane.label, kind: 'title' })
    if (p?.osPid) text(`OS process ${p.osPid}`)
    if (p && p.endUs !== null) text(p.signal ? `killed (${p.signal})` : `exit code ${p.exitCode ?? '?'}`)
  }
  text(`at ${formatDuration(hit.tUs)}`)
  return lines
}

function objectName(trace: RunTrace, key: string | null): string {
  if (key === null) return ''
  return trace.objects.get(key)?.name ?? 'an object'
}

/** A slice's state, for how long, and for a wait: who held the object and who ended the wait. */
function describeSlice(slice: Slice, key: number, trace: RunTrace): string[] {
  const out: string[] = []
  const open = slice.endUs > trace.lastUs
  const endUs = Math.min(slice.endUs, trace.lastUs)
  const on = slice.objectKey ? ` on ${objectName(trace, slice.objectKey)}` : ''
  const state = slice.state === 'finished' ? 'finished' : STATE_STYLES[slice.state].label
  const until = open ? (trace.endUs === null ? ' so far' : ', to the end') : ''
  out.push(`${state}${on} for ${formatDuration(endUs - slice.startUs)}${until}`)
  const object = slice.objectKey ? trace.objects.get(slice.objectKey) : undefined
  if (!object || (slice.state !== 'blocked' && slice.state !== 'waiting')) return out
  const holders = holdersDuring(object, trace.waitsOn(object.key), slice.startUs, endUs, key)
  if (holders.length) out.push(`held by ${holders.map((h) => trace.threadLabel(h)).join(', then ')}`)
  const waker = wokenBy(trace, object, slice, key)
  if (waker !== null) out.push(`woken by ${trace.threadLabel(waker)}`)
  return out
}

/** The thread whose operation ended the wait (the cause of the op that completed it), if known. */
function wokenBy(trace: RunTrace, object: ObjectTrack, slice: Slice, key: number): number | null {
  // The completing operation is recorded as the wait returns: within the slice or just after it.
  // The earliest such link, found through the links' index by time rather than a pass over all.
  const lateUs = 2_000
  let waker: number | null = null
  let wokeUs = Infinity
  linkIndexOf(trace).forEachIn(slice.startUs, slice.endUs + lateUs, ({ index, fromKey, toKey, toUs }) => {
    if (toKey !== key || fromKey === key) return
    if (toUs < slice.startUs || toUs > slice.endUs + lateUs || toUs >= wokeUs) return
    if (trace.links.at(index).objectKey !== object.key) return
    waker = fromKey
    wokeUs = toUs
  })
  return waker
}

function describeObjectState(object: ObjectTrack, state: ObjectState, trace: RunTrace): string[] {
  const out: string[] = []
  const level = state.level
  const capacity = objectCapacity(object)
  if (isOwnedKind(object.kind)) {
    if (level !== null) out.push(state.owner === null ? 'free' : `held by ${trace.threadLabel(state.owner)}`)
  } else if (level !== null) {
    switch (object.kind) {
      case 'event':
      case 'mp-event':
        out.push(`flag ${level ? 'set' : 'clear'}`)
        break
      case 'barrier':
      case 'mp-barrier':
        out.push(`${level} of ${capacity} parties arrived`)
        break
      case 'queue':
      case 'mp-queue':
      case 'mp-joinable-queue':
        out.push(capacity > 0 ? `${level} of ${capacity} items (maxsize ${capacity})` : `${level} items`)
        break
      default:
        for (const [field, value] of Object.entries(state.step?.after ?? {})) out.push(`${field}: ${value}`)
    }
  }
  if (state.waiting.length) {
    const names = state.waiting.map(
      (w) => `${trace.threadLabel(w.threadKey)}${w.state === 'waiting' ? '' : ' (blocked)'}`,
    )
    out.push(`${state.waiting.length} waiting: ${listOf(names)}`)
  }
  if (state.step) out.push(`after ${state.step.op} by ${trace.threadLabel(state.step.threadKey)}`)
  return out
}
