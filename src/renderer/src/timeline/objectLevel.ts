/** How full or busy an object is after an operation, as one number its lane can draw. */
import type { ObjectKind } from '../../../shared/trace'

const LEVEL_FIELD: Partial<Record<ObjectKind, string>> = {
  queue: 'depth',
  'mp-queue': 'depth',
  'mp-joinable-queue': 'depth',
  'mp-pipe': 'depth',
  semaphore: 'value',
  'bounded-semaphore': 'value',
  'mp-semaphore': 'value',
  event: 'flag',
  'mp-event': 'flag',
  barrier: 'arrived',
  'mp-barrier': 'arrived',
  'mp-manager-dict': 'size',
  'mp-manager-list': 'size',
}

/** Locks and conditions: 1 while owned. Others: the field LEVEL_FIELD names. null: no news. */
export function objectLevel(kind: ObjectKind, after: Record<string, number | null>): number | null {
  if ('owner' in after) return after.owner === null ? 0 : 1
  const field = LEVEL_FIELD[kind]
  if (!field || !(field in after)) return null
  return after[field] ?? 0
}
