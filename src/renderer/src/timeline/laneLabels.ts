/** What a lane's label says beyond its name: a thread's target, an object's kind and capacity. */
import type { ObjectTrack } from '../trace/runTrace'
import { objectCapacity } from './objectSegments'

/** A thread's name, and the target Python puts in brackets after it (`Thread-1 (worker)`). */
export function splitThreadName(label: string): { name: string; target: string } {
  const m = /^(.*\S) \((.+)\)$/.exec(label)
  return m ? { name: m[1], target: m[2] } : { name: label, target: '' }
}

/** `lock`, `queue max 3`, `mp.barrier of 4`. */
export function objectKindLabel(object: Pick<ObjectTrack, 'kind' | 'size'>): string {
  const kind = object.kind.replace(/^mp-/, 'mp.')
  const capacity = objectCapacity(object)
  if (!capacity) return kind
  return /barrier/.test(object.kind) ? `${kind} of ${capacity}` : `${kind} max ${capacity}`
}
