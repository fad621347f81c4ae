/**
 * What browser mode's socket reads: each message checked before anything reads it. A message is one
 * JSON text frame holding a SocketRequest (src/shared/protocol.ts): an id to answer to, a type (the IPC
 * channel it mirrors) and exactly the fields of that request, checked by the schemas Electron main uses
 * for the same channel's arguments (REQUEST_FIELDS, src/shared/requestSchema.ts).
 */
import type { SocketRequest } from '../shared/protocol'
import {
  isPlainObject,
  literal,
  object,
  REQUEST_FIELDS,
  whole,
  type Checked,
  type Schema,
} from '../shared/requestSchema'

type RequestType = keyof typeof REQUEST_FIELDS

// SocketRequest must be an id, a type and the fields REQUEST_FIELDS names for that type, no more and
// no less: a request or field added to one and not the other fails to type-check here.
type Mirrored = {
  [K in RequestType]: { id: number; type: K } & Checked<(typeof REQUEST_FIELDS)[K]>
}[RequestType]
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const mirrorsProtocol: Same<SocketRequest, Mirrored> = true
void mirrorsProtocol

/** The id a page numbers its requests with (1, 2, 3...); the answer carries it back. */
const requestId = whole(0, Number.MAX_SAFE_INTEGER)

/** Each type's whole message: its id, its type and its request's fields, exactly. */
const MESSAGES = new Map<string, Schema<unknown>>(
  Object.entries(REQUEST_FIELDS).map(([type, fields]) => [
    type,
    object({ id: requestId, type: literal(type), ...fields }),
  ]),
)

const NOT_A_REQUEST = 'a request is a JSON object with an id (a whole number) and a type'

/** A message read: the request, or why it is refused, with the id to answer to when it had one. */
export type ReadMessage =
  | { ok: true; request: SocketRequest }
  | {
      ok: false
      /** null: the message had no id the server could read, so no call of the page waits for the answer. */
      id: number | null
      /** The request's type when it was a known one: the log names it. */
      type: RequestType | null
      message: string
    }

/** Reads one frame from the socket: `binary` as ws says (the page sends text frames only). */
export function readSocketMessage(data: string, binary: boolean): ReadMessage {
  const refused = (
    message: string,
    id: number | null = null,
    type: RequestType | null = null,
  ): ReadMessage => ({
    ok: false,
    id,
    type,
    message,
  })
  if (binary) return refused('a request is a JSON text frame, not a binary one')
  let value: unknown
  try {
    value = JSON.parse(data)
  } catch {
    return refused(`${NOT_A_REQUEST}; this is not JSON`)
  }
  if (!isPlainObject(value) || !Object.hasOwn(value, 'id')) return refused(NOT_A_REQUEST)
  let id: number
  try {
    id = requestId(value.id, 'id')
  } catch (e) {
    return refused(messageOf(e))
  }
  const type = value.type
  const schema = typeof type === 'string' ? MESSAGES.get(type) : undefined
  if (!schema) {
    return refused(
      typeof type === 'string'
        ? `unknown request '${type.length > 40 ? `${type.slice(0, 40)}...` : type}'`
        : `a request's type is one of ${[...MESSAGES.keys()].join(', ')}`,
      id,
    )
  }
  try {
    // The path '': the message's own fields are named alone ("runId must be a run id").
    return { ok: true, request: schema(value, '') as SocketRequest }
  } catch (e) {
    return refused(messageOf(e), id, type as RequestType)
  }
}

/** Why a schema refused (or, were it to fail another way, that too: the socket must go on). */
function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
