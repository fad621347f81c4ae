/**
 * multiprocessing.Manager(): a server process that owns shared dicts and lists, and proxies that
 * reach them by message. As in CPython, each proxy call is a request to the server and a reply
 * from it; here the server takes requests from one multiprocessing queue and answers each
 * calling thread on a queue of its own (CPython: a connection per thread, served by a thread of
 * the server per connection; here one server thread serves them all, in arrival order).
 */
import { registerBuiltin } from './builtins'
import { PyError } from './errors'
import type { MpProcess, MpQueue, Multiprocessing, ProxyHandle } from './mp'
import { errorOf, tuple, untuple } from './pool'
import type { Py } from './py'
import { pyRepr } from './repr'
import type { ThreadRuntime } from './runtime'

type Reply = { value: unknown; size: number }

/** This thread's queues to and from each manager, by the id of the manager's request queue. */
const requestQueues = new Map<number, MpQueue>()
const connections = new Map<number, MpQueue>()

/** This thread's connection to a manager: a reply queue of its own, made on its first call. */
function connection(py: Py, requests: ProxyHandle, manager: string): MpQueue {
  let conn = connections.get(requests.id)
  if (!conn) {
    const thread = py.currentThread().name
    const who = thread === 'MainThread' ? py.processName : `${py.processName}/${thread}`
    conn = py.mp.Queue(`${manager} reply to ${who}`)
    connections.set(requests.id, conn)
  }
  return conn
}

/**
 * One call to the manager: (connection, object, method, args) on its request queue, then
 * ('#RETURN', value, size) or ('#ERROR', (type, message), size) on this thread's reply queue.
 */
function dispatch(
  py: Py,
  requests: ProxyHandle,
  manager: string,
  obj: number | null,
  method: string,
  args: unknown[],
): Reply {
  const conn = connection(py, requests, manager)
  let q = requestQueues.get(requests.id)
  if (!q) {
    q = py.revive(requests) as MpQueue
    requestQueues.set(requests.id, q)
  }
  q.put(tuple(conn.id, obj, method, tuple(...args)))
  const [kind, value, size] = untuple(conn.get()) as [string, unknown, number]
  if (kind === '#ERROR') {
    const [type, message] = value as [string, string]
    throw new ManagerError(type, message, size)
  }
  return { value, size }
}

class ManagerError extends PyError {
  constructor(
    type: string,
    message: string,
    readonly size: number,
  ) {
    super(type, message)
  }
}

/** A Manager's dict or list, seen from a thread: each method is a round trip to the server. */
export class ManagedCollection {
  constructor(
    private readonly rt: ThreadRuntime,
    readonly proxyHandle: ProxyHandle,
    private readonly py: Py,
  ) {}

  get id(): number {
    return this.proxyHandle.id
  }
  get name(): string {
    return this.proxyHandle.name
  }

  call(method: string, ...args: unknown[]): unknown {
    const rt = this.rt
    const { requests, manager } = this.proxyHandle.extra as { requests: ProxyHandle; manager: string }
    const shown = `${method}(${args.map(pyRepr).join(', ')})`
    let reply: Reply
    try {
      reply = dispatch(this.py, requests, manager, this.id, method, args)
    } catch (e) {
      if (e instanceof ManagerError)
        rt.recordOp(this.id, 'call', 'error', [e.size], null, `${shown} raised ${e}`)
      throw e
    }
    rt.recordOp(this.id, 'call', 'ok', [reply.size], null, `${shown} -> ${pyRepr(reply.value)}`)
    return reply.value
  }
  get(key: unknown): unknown {
    return this.call('__getitem__', key)
  }
  set(key: unknown, value: unknown): void {
    this.call('__setitem__', key, value)
  }
  /** copy(): a dict as [key, value] pairs (they keep their keys' types), a list as an array. */
  snapshot(): unknown {
    return this.call('copy')
  }
}

/** multiprocessing.managers.SyncManager, started: its server is a process of its own. */
export class SyncManager {
  readonly name: string
  private readonly requests: MpQueue
  private readonly process: MpProcess

  constructor(
    private readonly py: Py,
    mp: Multiprocessing,
  ) {
    this.name = `SyncManager-${mp.processesMade + 1}`
    this.requests = mp.Queue(`${this.name} requests`)
    // CPython shuts the manager down when the process that made it exits; a daemon goes then too.
    this.process = mp.Process({
      target: '__manager_server',
      args: [this.requests],
      name: this.name,
      daemon: true,
    })
    this.process.start()
  }

  dict(name: string, initial?: Iterable<[unknown, unknown]> | Record<string, unknown>): ManagedCollection {
    return this.create('mp-manager-dict', name, initial === undefined ? [] : [pairs(initial)])
  }

  list(name: string, initial: unknown[] = []): ManagedCollection {
    return this.create('mp-manager-list', name, [initial])
  }

  /** Ends the server (what `with Manager() as m:` does at its end) and waits for its process. */
  shutdown(): void {
    dispatch(this.py, this.requests.proxyHandle, this.name, null, 'shutdown', [])
    this.process.join()
  }

  private create(
    kind: 'mp-manager-dict' | 'mp-manager-list',
    name: string,
    args: unknown[],
  ): ManagedCollection {
    const py = this.py
    const typeid = kind === 'mp-manager-dict' ? 'dict' : 'list'
    const { value: id } = dispatch(py, this.requests.proxyHandle, this.name, null, 'create', [
      typeid,
      ...args,
    ])
    py.rt.announce({ __py: kind, id: id as number, name }, 0)
    const handle: ProxyHandle = {
      __mp: kind,
      id: id as number,
      name,
      extra: { requests: this.requests.proxyHandle, manager: this.name },
    }
    return new ManagedCollection(py.rt, handle, py)
  }
}

function pairs(v: Iterable<[unknown, unknown]> | Record<string, unknown>): [unknown, unknown][] {
  if (v instanceof Map || Array.isArray(v)) return [...(v as Iterable<[unknown, unknown]>)]
  return Object.entries(v)
}

// --- the server ----------------------------------------------------------------------------------

/** Python equality for keys and list items, as far as models use them (numbers, strings, tuples). */
function valueKey(v: unknown): string {
  if (typeof v === 'string') return `s:${v}`
  if (typeof v === 'boolean') return `n:${v ? 1 : 0}`
  if (v === undefined) return 'null'
  return `j:${JSON.stringify(v)}`
}

interface Referent {
  readonly size: number
  call(method: string, a: unknown[]): unknown
}

class DictReferent implements Referent {
  private readonly entries = new Map<string, [unknown, unknown]>()

  constructor(initial: [unknown, unknown][] = []) {
    for (const [k, v] of initial) this.entries.set(valueKey(k), [k, v])
  }

  get size(): number {
    return this.entries.size
  }

  private missing(key: unknown): never {
    throw new PyError('KeyError', pyRepr(key))
  }

  call(method: string, a: unknown[]): unknown {
    const m = this.entries
    switch (method) {
      case '__setitem__':
        m.set(valueKey(a[0]), [a[0], a[1]])
        return null
      case '__getitem__': {
        const e = m.get(valueKey(a[0]))
        return e ? e[1] : this.missing(a[0])
      }
      case '__delitem__':
        if (!m.delete(valueKey(a[0]))) this.missing(a[0])
        return null
      case 'get': {
        const e = m.get(valueKey(a[0]))
        return e ? e[1] : (a[1] ?? null)
      }
      case 'setdefault': {
        const k = valueKey(a[0])
        if (!m.has(k)) m.set(k, [a[0], a[1] ?? null])
        return (m.get(k) as [unknown, unknown])[1]
      }
      case 'pop': {
        const k = valueKey(a[0])
        const e = m.get(k)
        if (!e) return a.length >= 2 ? a[1] : this.missing(a[0])
        m.delete(k)
        return e[1]
      }
      case 'keys':
        return [...m.values()].map((e) => e[0])
      case 'values':
        return [...m.values()].map((e) => e[1])
      case 'items':
      case 'copy':
        return [...m.values()].map((e) => [e[0], e[1]])
      case '__len__':
        return m.size
      case '__contains__':
        return m.has(valueKey(a[0]))
      case 'update':
        for (const [k, v] of pairs(a[0] as Record<string, unknown>)) m.set(valueKey(k), [k, v])
        return null
      case 'clear':
        m.clear()
        return null
      default:
        throw new PyError('AttributeError', `'DictProxy' object has no attribute '${method}'`)
    }
  }
}

class ListReferent implements Referent {
  constructor(private readonly items: unknown[] = []) {}

  get size(): number {
    return this.items.length
  }

  private index(i: unknown, message: string): number {
    if (typeof i !== 'number' || !Number.isInteger(i)) {
      throw new PyError('TypeError', `list indices must be integers or slices, not ${typeof i}`)
    }
    const j = i < 0 ? i + this.items.length : i
    if (j < 0 || j >= this.items.length) throw new PyError('IndexError', message)
    return j
  }

  private find(x: unknown): number {
    const k = valueKey(x)
    return this.items.findIndex((y) => valueKey(y) === k)
  }

  call(method: string, a: unknown[]): unknown {
    const items = this.items
    switch (method) {
      case 'append':
        items.push(a[0])
        return null
      case 'extend':
        if (!Array.isArray(a[0])) throw new PyError('TypeError', `${pyRepr(a[0])} is not iterable`)
        items.push(...(a[0] as unknown[]))
        return null
      case 'insert': {
        const n = items.length
        const i = Number(a[0])
        items.splice(i < 0 ? Math.max(0, n + i) : Math.min(n, i), 0, a[1])
        return null
      }
      case '__getitem__':
        return items[this.index(a[0], 'list index out of range')]
      case '__setitem__':
        items[this.index(a[0], 'list assignment index out of range')] = a[1]
        return null
      case '__len__':
        return items.length
      case '__contains__':
        return this.find(a[0]) >= 0
      case 'pop': {
        if (items.length === 0) throw new PyError('IndexError', 'pop from empty list')
        const i = this.index(a[0] === undefined || a[0] === null ? -1 : a[0], 'pop index out of range')
        return items.splice(i, 1)[0]
      }
      case 'remove': {
        const i = this.find(a[0])
        if (i < 0) throw new PyError('ValueError', 'list.remove(x): x not in list')
        items.splice(i, 1)
        return null
      }
      case 'index': {
        const i = this.find(a[0])
        if (i < 0) throw new PyError('ValueError', `${pyRepr(a[0])} is not in list`)
        return i
      }
      case 'count': {
        const k = valueKey(a[0])
        return items.filter((y) => valueKey(y) === k).length
      }
      case 'copy':
        return [...items]
      default:
        throw new PyError('AttributeError', `'ListProxy' object has no attribute '${method}'`)
    }
  }
}

/**
 * The manager's server loop (multiprocessing.managers.Server): takes a request, runs the method on
 * the object it names, answers on the caller's connection. Library code: no line of program.py.
 */
function managerServer(py: Py, requests: MpQueue): void {
  const referents = new Map<number, Referent>()
  const conns = new Map<number, MpQueue>()
  for (;;) {
    py.at(0)
    const [connId, obj, method, args] = untuple(requests.get()) as [number, number | null, string, unknown]
    const a = untuple(args)
    let conn = conns.get(connId)
    if (!conn) {
      conn = py.revive({ __mp: 'mp-queue', id: connId, name: '' }) as MpQueue
      conns.set(connId, conn)
    }
    let answer: unknown[]
    let size = 0
    try {
      if (method === 'shutdown') {
        conn.put(tuple('#RETURN', null, 0))
        return
      }
      if (method === 'create') {
        const referent =
          a[0] === 'dict'
            ? new DictReferent((a[1] as [unknown, unknown][] | undefined) ?? [])
            : new ListReferent([...((a[1] as unknown[] | undefined) ?? [])])
        // Ids from this process's counter: unique in the run, like the other objects' ids.
        const id = py.rt.newObjectId()
        referents.set(id, referent)
        answer = ['#RETURN', id]
      } else {
        const referent = obj === null ? undefined : referents.get(obj)
        if (!referent) throw new PyError('KeyError', `no shared object ${pyRepr(obj)}`)
        answer = ['#RETURN', referent.call(method, a)]
        size = referent.size
      }
    } catch (e) {
      answer = ['#ERROR', errorOf(e)]
      const referent = obj === null ? undefined : referents.get(obj)
      size = referent?.size ?? 0
    }
    conn.put(tuple(...answer, size))
  }
}

registerBuiltin('__manager_server', managerServer)
