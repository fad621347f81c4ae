/**
 * Each IPC channel's arguments: the fields of its request (src/shared/requestSchema.ts, shared with
 * browser mode's socket) in the order the preload passes them. Only the order is Electron's: what each
 * argument must be is the shared schema's.
 */
import { Refused, REQUEST_FIELDS, type Schema } from '../shared/requestSchema'
import { IPC } from '../shared/protocol'

/** The arguments of one channel: exactly these, in this order, each named for the messages. */
export type Args<A extends unknown[]> = (raw: readonly unknown[], channel: string) => A

type ValueOf<S> = S extends Schema<infer T> ? T : never
type Ordered<F, N extends readonly (keyof F)[]> = { -readonly [I in keyof N]: ValueOf<F[N[I]]> }

/** The arguments `fields` names, in the order of `names`: every field once. */
export function args<
  F extends Record<string, Schema<unknown>>,
  const N extends readonly (keyof F & string)[],
>(fields: F, ...names: N): Args<Ordered<F, N>> {
  // A channel missing one of its request's fields would refuse every call: say so when main loads.
  const all = Object.keys(fields)
  if (names.length !== all.length || new Set(names).size !== all.length)
    throw new Error(`a channel's arguments must name each of ${all.join(', ') || 'no fields'} once`)
  return (raw, channel) => {
    if (raw.length !== names.length) {
      throw new Refused(
        `${channel} takes ${names.length === 0 ? 'no arguments' : `${names.length} (${names.join(', ')})`}; got ${raw.length}`,
      )
    }
    return names.map((name, i) => (fields[name] as Schema<unknown>)(raw[i], name)) as Ordered<F, N>
  }
}

/** Each channel a page may use, and its arguments. */
export const channelArgs = {
  none: args({}),
  runStart: args(REQUEST_FIELDS[IPC.runStart], 'request'),
  runStop: args(REQUEST_FIELDS[IPC.runStop], 'runId'),
  runControl: args(REQUEST_FIELDS[IPC.runControl], 'runId', 'command'),
  batchStart: args(REQUEST_FIELDS[IPC.batchStart], 'request'),
  batchCancel: args(REQUEST_FIELDS[IPC.batchCancel], 'batchId'),
  batchRun: args(REQUEST_FIELDS[IPC.batchRun], 'batchId', 'run'),
}
