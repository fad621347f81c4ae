import { afterEach, describe, it, expect, vi } from 'vitest'
import { DEFAULT_LIMITS, MAX_PROCESSES_PER_RUN, type BrokerReply, type RunLimits } from '../shared/protocol'
import { threadKey } from '../shared/trace'
import { Broker } from './broker'
import type { BrokerHost, ProcessStartSpec } from './brokerTypes'

interface Handle {
  __mp: string
  id: number
  name: string
  extra?: Record<string, unknown>
}

interface Sent {
  event: number
  replies: BrokerReply[]
  /** The final reply, if it came. */
  readonly final: BrokerReply | undefined
  readonly pending: boolean
}

/** A broker on a fake host; `call` sends one request as thread (pid, tid). */
function setup(limits?: Pick<RunLimits, 'processes'>) {
  let nowUs = 0
  const started: ProcessStartSpec[] = []
  const killed: [number, string][] = []
  const declared: [number, string][] = []
  const host: BrokerHost = {
    nowUs: () => nowUs,
    toMs: (s) => s * 1000,
    startProcess: (spec) => {
      started.push(spec)
      nowUs += 5000 // launching takes a while; the child may run before the reply is written
      return 100 + started.length
    },
    killProcess: (pid, signal) => {
      killed.push([pid, signal])
    },
    declareObject: (id, kind) => {
      declared.push([id, kind])
    },
  }
  const broker = new Broker(host, limits)
  let nextEvent = 1000

  function call(who: [number, number], op: string, obj: number | undefined, args: unknown[] = []): Sent {
    const event = (nextEvent += 10)
    const replies: BrokerReply[] = []
    broker.handle({
      pid: who[0],
      tid: who[1],
      request: { op, obj, args, event },
      reply: (r) => replies.push(r),
    })
    return {
      event,
      replies,
      get final() {
        return replies.find((r) => r.status !== 'pending')
      },
      get pending() {
        return replies.length > 0 && replies.every((r) => r.status === 'pending')
      },
    }
  }

  function create(kind: string, name = kind, init: Record<string, unknown> = {}): Handle {
    const r = call([0, 0], 'create', undefined, [kind, name, init]).final
    expect(r?.status).toBe('ok')
    return r?.value as Handle
  }

  return {
    broker,
    call,
    create,
    started,
    killed,
    declared,
    setNow: (us: number) => (nowUs = us),
  }
}

/** The `owner` field of `after`: the thread key plus one. */
const owner = (pid: number, tid: number): number => threadKey(pid, tid) + 1

const A: [number, number] = [1, 1]
const B: [number, number] = [2, 1]
const C: [number, number] = [3, 1]

afterEach(() => {
  vi.useRealTimers()
})

describe('create', () => {
  it('allocates ids from 2**31, declares the object and returns a proxy handle', () => {
    const { create, declared } = setup()
    const a = create('mp-lock', 'a')
    const b = create('mp-queue', 'b', { size: 2 })
    expect(a).toEqual({ __mp: 'mp-lock', id: 2 ** 31, name: 'a' })
    expect(b.id).toBe(2 ** 31 + 1)
    expect(declared).toEqual([
      [2 ** 31, 'mp-lock'],
      [2 ** 31 + 1, 'mp-queue'],
    ])
  })

  it('refuses an unknown kind with ValueError and an unknown object with RuntimeError', () => {
    const { call } = setup()
    const bad = call(A, 'create', undefined, ['mp-spoon', 'x', {}]).final
    expect(bad?.status).toBe('error')
    expect(bad?.error?.type).toBe('ValueError')
    const missing = call(A, 'acquire', 12345, [true, null]).final
    expect(missing?.status).toBe('error')
    expect(missing?.error?.type).toBe('RuntimeError')
    expect(missing?.error?.message).toContain('12345')
  })

  it('gives a Value and an Array with lock=True an RLock, and a Condition its implicit RLock', () => {
    const { create, call } = setup()
    const v = create('mp-value', 'v', { typecode: 'i', value: 0, lock: true })
    const lock = v.extra?.lock as Handle
    expect(lock.__mp).toBe('mp-rlock')
    expect(call(A, 'acquire', lock.id, [true, null]).final?.after).toEqual([owner(...A), 1, 0])
    expect(create('mp-value', 'w', { typecode: 'i', value: 0, lock: false }).extra).toBeUndefined()
    const cond = create('mp-condition', 'c', { lock: null })
    expect((cond.extra?.lock as Handle).__mp).toBe('mp-rlock')
    const mine = create('mp-lock', 'l')
    expect((create('mp-condition', 'c2', { lock: mine.id }).extra?.lock as Handle).id).toBe(mine.id)
  })
})

describe('mp.Lock and mp.RLock', () => {
  it('hands a released lock to the first waiter, FIFO, with the release as the cause', () => {
    const { create, call } = setup()
    const lock = create('mp-lock').id
    expect(call(A, 'acquire', lock, [true, null]).final).toMatchObject({ status: 'ok', value: true })
    const b = call(B, 'acquire', lock, [true, null])
    const c = call(C, 'acquire', lock, [true, null])
    expect(b.pending).toBe(true)
    expect(c.replies[0].after).toEqual([owner(...A), 2])

    const relA = call(A, 'release', lock)
    expect(b.final).toMatchObject({ status: 'ok', value: true, cause: relA.event, after: [owner(...B), 1] })
    expect(c.final).toBeUndefined()
    expect(relA.final).toMatchObject({ status: 'ok', after: [owner(...B), 1] })

    const relB = call(B, 'release', lock)
    expect(c.final).toMatchObject({ status: 'ok', cause: relB.event, after: [owner(...C), 0] })
  })

  it('times out an acquire on the run clock', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const lock = create('mp-lock').id
    call(A, 'acquire', lock, [true, null])
    const b = call(B, 'acquire', lock, [true, 2])
    vi.advanceTimersByTime(1999)
    expect(b.final).toBeUndefined()
    vi.advanceTimersByTime(1)
    expect(b.final).toMatchObject({ status: 'timeout', value: false, after: [owner(...A), 0] })
    // The timed-out waiter is gone: a release leaves the lock free.
    expect(call(A, 'release', lock).final?.after).toEqual([0, 0])
  })

  it('fails a non-blocking acquire at once and rejects a negative timeout', () => {
    const { create, call } = setup()
    const lock = create('mp-lock').id
    call(A, 'acquire', lock, [true, null])
    const r = call(B, 'acquire', lock, [false, null])
    expect(r.replies).toHaveLength(1)
    expect(r.final).toMatchObject({ status: 'fail', value: false })
    expect(call(B, 'acquire', lock, [true, -1]).final?.error?.type).toBe('ValueError')
  })

  it('raises on bad releases, and lets any thread release a plain Lock', () => {
    const { create, call } = setup()
    const lock = create('mp-lock').id
    expect(call(A, 'release', lock).final).toMatchObject({
      status: 'error',
      error: { type: 'ValueError', message: 'semaphore or lock released too many times' },
    })
    call(A, 'acquire', lock, [true, null])
    expect(call(B, 'release', lock).final).toMatchObject({ status: 'ok', after: [0, 0] })

    const rlock = create('mp-rlock').id
    call(A, 'acquire', rlock, [true, null])
    expect(call(B, 'release', rlock).final).toMatchObject({
      status: 'error',
      error: { type: 'AssertionError', message: 'attempt to release recursive lock not owned by thread' },
      after: [owner(...A), 1, 0],
    })
  })

  it('counts RLock re-entries and tells threads of one process apart', () => {
    const { create, call } = setup()
    const rlock = create('mp-rlock').id
    call(A, 'acquire', rlock, [true, null])
    expect(call(A, 'acquire', rlock, [true, null]).final?.after).toEqual([owner(...A), 2, 0])
    const sibling = call([1, 2], 'acquire', rlock, [true, null])
    expect(sibling.pending).toBe(true)
    expect(call(A, 'release', rlock).final?.after).toEqual([owner(...A), 1, 1])
    expect(sibling.final).toBeUndefined()
    const last = call(A, 'release', rlock)
    expect(sibling.final).toMatchObject({ status: 'ok', cause: last.event, after: [owner(1, 2), 1, 0] })
  })
})

describe('mp.Condition', () => {
  it('wakes a waiter on notify, which returns only once it has the lock back, caused by the notify', () => {
    const { create, call } = setup()
    const cond = create('mp-condition', 'c', { lock: null }).id
    call(A, 'acquire', cond, [true, null])
    const wait = call(A, 'wait', cond, [null])
    expect(wait.pending).toBe(true)
    expect(call(B, 'acquire', cond, [true, null]).final).toMatchObject({
      status: 'ok',
      after: [owner(...B), 1],
    })
    const notify = call(B, 'notify', cond, [1])
    expect(notify.final).toMatchObject({ status: 'ok', value: 1, after: [owner(...B), 0] })
    expect(wait.final).toBeUndefined() // B still holds the lock
    call(B, 'release', cond)
    expect(wait.final).toMatchObject({
      status: 'ok',
      value: true,
      cause: notify.event,
      after: [owner(...A), 0],
    })
  })

  it('queues a woken waiter behind threads already waiting for the lock', () => {
    const { create, call } = setup()
    const cond = create('mp-condition', 'c', { lock: null }).id
    call(A, 'acquire', cond, [true, null])
    const wait = call(A, 'wait', cond, [null])
    call(B, 'acquire', cond, [true, null])
    const c = call(C, 'acquire', cond, [true, null])
    call(B, 'notify', cond, [1])
    const rel = call(B, 'release', cond)
    expect(c.final).toMatchObject({ status: 'ok', cause: rel.event, after: [owner(...C), 0] })
    expect(wait.final).toBeUndefined()
    call(C, 'release', cond)
    expect(wait.final).toMatchObject({ status: 'ok', value: true, after: [owner(...A), 0] })
  })

  it('hands the lock it releases to a queued thread; the cause is the wait event plus one (it went pending)', () => {
    const { create, call } = setup()
    const lock = create('mp-rlock').id
    const cond = create('mp-condition', 'c', { lock }).id
    call(A, 'acquire', cond, [true, null])
    call(A, 'acquire', cond, [true, null]) // count 2: wait releases it fully
    const b = call(B, 'acquire', lock, [true, null])
    const wait = call(A, 'wait', cond, [null])
    expect(b.final).toMatchObject({ status: 'ok', cause: wait.event + 1, after: [owner(...B), 1, 0] })
    call(B, 'acquire', cond, [true, null])
    call(B, 'notify_all', cond)
    call(B, 'release', cond)
    expect(wait.final).toBeUndefined()
    call(B, 'release', lock)
    expect(wait.final?.status).toBe('ok')
    // The RLock's count is restored: two releases are needed.
    expect(call(A, 'release', lock).final?.after).toEqual([owner(...A), 1, 0])
    expect(call(A, 'release', lock).final?.after).toEqual([0, 0, 0])
  })

  it('loses a notify sent when nobody waits', () => {
    const { create, call } = setup()
    const cond = create('mp-condition', 'c', { lock: null }).id
    call(B, 'acquire', cond, [true, null])
    expect(call(B, 'notify_all', cond).final).toMatchObject({ status: 'ok', value: 0 })
    call(B, 'release', cond)
    call(A, 'acquire', cond, [true, null])
    const wait = call(A, 'wait', cond, [null])
    expect(wait.pending).toBe(true)
    expect(wait.replies[0].after).toEqual([0, 1])
  })

  it('asserts that the lock is owned for wait and notify', () => {
    const { create, call } = setup()
    const cond = create('mp-condition', 'c', { lock: null }).id
    expect(call(A, 'notify', cond, [1]).final).toMatchObject({
      status: 'error',
      error: { type: 'AssertionError', message: 'lock is not owned' },
    })
    call(B, 'acquire', cond, [true, null])
    expect(call(A, 'wait', cond, [null]).final).toMatchObject({
      status: 'error',
      error: { type: 'AssertionError', message: 'must acquire() condition before using wait()' },
    })
  })

  it('returns False from a timed-out wait, once it has taken the lock back', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const cond = create('mp-condition', 'c', { lock: null }).id
    call(A, 'acquire', cond, [true, null])
    const wait = call(A, 'wait', cond, [1])
    call(B, 'acquire', cond, [true, null])
    vi.advanceTimersByTime(1000)
    expect(wait.final).toBeUndefined()
    expect(call(B, 'notify', cond, [1]).final?.value).toBe(0)
    const rel = call(B, 'release', cond)
    expect(wait.final).toMatchObject({
      status: 'timeout',
      value: false,
      cause: rel.event,
      after: [owner(...A), 0],
    })
  })
})

describe('mp.Semaphore and mp.Event', () => {
  it('counts a semaphore down and hands a release to the first waiter', () => {
    const { create, call } = setup()
    const sem = create('mp-semaphore', 's', { size: 2 }).id
    expect(call(A, 'acquire', sem, [true, null]).final?.after).toEqual([1, 0])
    call(B, 'acquire', sem, [true, null])
    expect(call(C, 'acquire', sem, [false, null]).final).toMatchObject({ status: 'fail', value: false })
    const c = call(C, 'acquire', sem, [true, null])
    const rel = call(A, 'release', sem)
    expect(c.final).toMatchObject({ status: 'ok', value: true, cause: rel.event, after: [0, 0] })
    expect(call(A, 'release', sem).final?.after).toEqual([1, 0])
  })

  it('wakes every waiter on set, with the set as the cause', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const ev = create('mp-event').id
    const a = call(A, 'wait', ev, [null])
    const b = call(B, 'wait', ev, [5])
    expect(b.replies[0].after).toEqual([0, 2])
    const set = call(C, 'set', ev)
    expect(set.final).toMatchObject({ status: 'ok', value: 2, after: [1, 0] })
    for (const w of [a, b]) expect(w.final).toMatchObject({ status: 'ok', value: true, cause: set.event })
    expect(call(A, 'read', ev).final?.value).toBe(true)
    expect(call(A, 'wait', ev, [null]).final?.value).toBe(true)
    call(C, 'clear', ev)
    const late = call(A, 'wait', ev, [0.5])
    vi.advanceTimersByTime(500)
    expect(late.final).toMatchObject({ status: 'timeout', value: false, after: [0, 0] })
  })
})

describe('mp.Barrier', () => {
  it('releases all parties on the last arrival, with arrival indices', () => {
    const { create, call } = setup()
    const bar = create('mp-barrier', 'b', { size: 3, timeout: null }).id
    const a = call(A, 'wait', bar, [null])
    const b = call(B, 'wait', bar, [null])
    expect(b.replies[0].after).toEqual([2, 0])
    const c = call(C, 'wait', bar, [null])
    expect(c.final).toMatchObject({ status: 'ok', value: 2, after: [0, 0] })
    expect(a.final).toMatchObject({ status: 'ok', value: 0, cause: c.event })
    expect(b.final).toMatchObject({ status: 'ok', value: 1, cause: c.event })
  })

  it('breaks for everyone when one wait times out, until reset', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const bar = create('mp-barrier', 'b', { size: 3, timeout: null }).id
    const a = call(A, 'wait', bar, [1])
    const b = call(B, 'wait', bar, [null])
    vi.advanceTimersByTime(1000)
    expect(a.final).toMatchObject({ status: 'timeout', error: { type: 'threading.BrokenBarrierError' } })
    expect(b.final).toMatchObject({
      status: 'error',
      cause: a.event + 1,
      error: { type: 'threading.BrokenBarrierError' },
      after: [0, 1],
    })
    expect(call(C, 'wait', bar, [null]).final?.error?.type).toBe('threading.BrokenBarrierError')
    call(C, 'reset', bar)
    expect(call(C, 'wait', bar, [null]).pending).toBe(true)
  })

  it('uses the barrier default timeout and breaks waiters on abort', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const bar = create('mp-barrier', 'b', { size: 2, timeout: 2 }).id
    const a = call(A, 'wait', bar, [null])
    vi.advanceTimersByTime(2000)
    expect(a.final?.status).toBe('timeout')
    const bar2 = create('mp-barrier', 'b2', { size: 3, timeout: null }).id
    const w = call(A, 'wait', bar2, [null])
    const abort = call(B, 'abort', bar2)
    expect(w.final).toMatchObject({ status: 'error', cause: abort.event })
    expect(abort.final?.after).toEqual([0, 1])
  })
})

describe('mp.Queue and mp.JoinableQueue', () => {
  it('is FIFO and links each get to its put', () => {
    const { create, call } = setup()
    const q = create('mp-queue', 'q', { size: 0 }).id
    const puts = [1, 2, 3].map((x) => call(A, 'put', q, [x, true, null]))
    expect(puts[2].final?.after).toEqual([3, 0, 0])
    for (const p of puts) {
      expect(call(B, 'get', q, [true, null]).final).toMatchObject({
        status: 'ok',
        value: p.event === puts[0].event ? 1 : p.event === puts[1].event ? 2 : 3,
        cause: p.event,
      })
    }
    expect(call(B, 'read', q, ['empty']).final?.value).toBe(true)
  })

  it('hands a put straight to a waiting get', () => {
    const { create, call } = setup()
    const q = create('mp-queue', 'q', { size: 0 }).id
    const get = call(B, 'get', q, [true, null])
    expect(get.replies[0].after).toEqual([0, 0, 1])
    const put = call(A, 'put', q, ['x', true, null])
    expect(get.final).toMatchObject({ status: 'ok', value: 'x', cause: put.event, after: [0, 0, 0] })
  })

  it('blocks a put on a full queue; the get that makes room lets it in, and its item carries event + 1', () => {
    const { create, call } = setup()
    const q = create('mp-queue', 'q', { size: 1 }).id
    call(A, 'put', q, ['a', true, null])
    expect(call(A, 'read', q, ['full']).final?.value).toBe(true)
    const putB = call(A, 'put', q, ['b', true, null])
    expect(putB.pending).toBe(true)
    const get1 = call(B, 'get', q, [true, null])
    expect(get1.final).toMatchObject({ value: 'a', after: [1, 0, 0] })
    expect(putB.final).toMatchObject({ status: 'ok', cause: get1.event })
    expect(call(B, 'get', q, [true, null]).final).toMatchObject({ value: 'b', cause: putB.event + 1 })
  })

  it('raises queue.Empty and queue.Full, at once without blocking and after a timeout', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const q = create('mp-queue', 'q', { size: 1 }).id
    expect(call(B, 'get', q, [false, null]).final).toMatchObject({
      status: 'fail',
      error: { type: 'queue.Empty' },
    })
    const get = call(B, 'get', q, [true, 0.25])
    vi.advanceTimersByTime(250)
    expect(get.final).toMatchObject({ status: 'timeout', error: { type: 'queue.Empty' }, after: [0, 0, 0] })
    call(A, 'put', q, [1, true, null])
    expect(call(A, 'put', q, [2, false, null]).final).toMatchObject({
      status: 'fail',
      error: { type: 'queue.Full' },
    })
    const put = call(A, 'put', q, [2, true, 1])
    vi.advanceTimersByTime(1000)
    expect(put.final).toMatchObject({ status: 'timeout', error: { type: 'queue.Full' } })
    expect(call(A, 'read', q, ['qsize']).final?.value).toBe(1)
  })

  it('releases join() on the last task_done, and refuses one too many', () => {
    const { create, call } = setup()
    const q = create('mp-joinable-queue', 'q', { size: 0 }).id
    call(A, 'put', q, [1, true, null])
    call(A, 'put', q, [2, true, null])
    call(B, 'get', q, [true, null])
    call(B, 'get', q, [true, null])
    const join = call(A, 'join', q)
    expect(join.replies[0].after).toEqual([0, 2, 1])
    call(B, 'task_done', q)
    expect(join.final).toBeUndefined()
    const done = call(B, 'task_done', q)
    expect(join.final).toMatchObject({ status: 'ok', cause: done.event, after: [0, 0, 0] })
    expect(call(B, 'task_done', q).final).toMatchObject({
      status: 'error',
      error: { type: 'ValueError', message: 'task_done() called too many times' },
    })
    const plain = create('mp-queue', 'p', { size: 0 }).id
    expect(call(B, 'task_done', plain).final?.error?.type).toBe('AttributeError')
  })
})

describe('mp.Pipe', () => {
  it('checks the direction of a one-way pipe and keeps message order', () => {
    const { create, call } = setup()
    const pipe = create('mp-pipe', 'p', { duplex: false }).id
    expect(call(A, 'send', pipe, [0, 'x']).final).toMatchObject({
      status: 'error',
      error: { type: 'OSError', message: 'connection is read-only' },
    })
    expect(call(A, 'recv', pipe, [1]).final).toMatchObject({
      status: 'error',
      error: { type: 'OSError', message: 'connection is write-only' },
    })
    const s1 = call(A, 'send', pipe, [1, 'first'])
    const s2 = call(A, 'send', pipe, [1, 'second'])
    expect(s2.final?.after).toEqual([2])
    expect(call(B, 'read', pipe, [0, 0]).final?.value).toBe(true)
    expect(call(B, 'recv', pipe, [0]).final).toMatchObject({ value: 'first', cause: s1.event })
    expect(call(B, 'recv', pipe, [0]).final).toMatchObject({ value: 'second', cause: s2.event, after: [0] })
  })

  it('blocks recv until a send, and ends it with EOFError once the other end closes', () => {
    const { create, call } = setup()
    const pipe = create('mp-pipe', 'p', { duplex: true }).id
    const r = call(B, 'recv', pipe, [0])
    expect(r.pending).toBe(true)
    const s = call(A, 'send', pipe, [1, { n: 1 }])
    expect(r.final).toMatchObject({ status: 'ok', value: { n: 1 }, cause: s.event })
    // Duplex: end 0 may send too.
    call(B, 'send', pipe, [0, 'back'])
    expect(call(A, 'recv', pipe, [1]).final?.value).toBe('back')

    call(A, 'send', pipe, [1, 'last'])
    const r2 = call(B, 'recv', pipe, [0])
    const r3 = call(B, 'recv', pipe, [0])
    expect(r2.final?.value).toBe('last')
    expect(r3.pending).toBe(true)
    const close = call(A, 'reset', pipe, [1])
    expect(r3.final).toMatchObject({ status: 'error', cause: close.event, error: { type: 'EOFError' } })
    expect(call(B, 'recv', pipe, [0]).final?.error?.type).toBe('EOFError')
    expect(call(B, 'send', pipe, [0, 'x']).final?.error?.type).toBe('BrokenPipeError')
  })

  it('polls with a timeout', () => {
    vi.useFakeTimers()
    const { create, call } = setup()
    const pipe = create('mp-pipe', 'p', { duplex: true }).id
    expect(call(B, 'read', pipe, [0, 0]).final).toMatchObject({ status: 'ok', value: false })
    const p1 = call(B, 'read', pipe, [0, 1])
    vi.advanceTimersByTime(1000)
    expect(p1.final).toMatchObject({ status: 'timeout', value: false })
    const p2 = call(B, 'read', pipe, [0, 1])
    const s = call(A, 'send', pipe, [1, 7])
    expect(p2.final).toMatchObject({ status: 'ok', value: true, cause: s.event, after: [1] })
  })
})

describe('mp.Value and mp.Array', () => {
  it('reads and writes', () => {
    const { create, call } = setup()
    const v = create('mp-value', 'v', { typecode: 'i', value: 5, lock: true }).id
    expect(call(A, 'read', v).final).toMatchObject({ status: 'ok', value: 5, after: [] })
    call(A, 'write', v, [6])
    expect(call(B, 'read', v).final?.value).toBe(6)

    const arr = create('mp-array', 'a', { typecode: 'i', init: [1, 2, 3], lock: false }).id
    call(A, 'write', arr, [1, 20])
    expect(call(A, 'read', arr, [1]).final?.value).toBe(20)
    expect(call(A, 'read', arr, [-1]).final?.value).toBe(3)
    expect(call(A, 'read', arr, [null]).final?.value).toEqual([1, 20, 3])
    expect(call(A, 'read', arr, [3]).final).toMatchObject({ status: 'error', error: { type: 'IndexError' } })
    expect(call(A, 'write', arr, [-4, 0]).final?.error?.type).toBe('IndexError')
  })
})

describe('Manager().dict() and Manager().list()', () => {
  it('supports the dict methods and raises KeyError with the repr of the key', () => {
    const { create, call } = setup()
    const d = create('mp-manager-dict', 'd').id
    const m = (method: string, ...args: unknown[]) => call(A, 'call', d, [method, ...args]).final
    expect(m('__setitem__', 'a', 1)?.after).toEqual([1])
    m('__setitem__', 2, 'two')
    m('__setitem__', 'a', 10)
    expect(m('__getitem__', 'a')?.value).toBe(10)
    expect(m('__getitem__', 2)?.value).toBe('two')
    expect(m('__getitem__', '2')).toMatchObject({
      status: 'error',
      error: { type: 'KeyError', message: "'2'" },
    })
    expect(m('get', 'zz')?.value).toBe(null)
    expect(m('get', 'zz', 0)?.value).toBe(0)
    expect(m('keys')?.value).toEqual(['a', 2])
    expect(m('values')?.value).toEqual([10, 'two'])
    expect(m('items')?.value).toEqual([
      ['a', 10],
      [2, 'two'],
    ])
    expect(m('__len__')?.value).toBe(2)
    expect(m('__contains__', 2)?.value).toBe(true)
    m('update', [['b', 3]])
    m('update', { c: 4 })
    const copy = m('copy')?.value as [unknown, unknown][]
    expect(copy).toEqual([
      ['a', 10],
      [2, 'two'],
      ['b', 3],
      ['c', 4],
    ])
    expect(structuredClone(copy)).toEqual(copy)
    expect(m('pop', 'b')).toMatchObject({ value: 3, after: [3] })
    expect(m('pop', 'b')?.error).toEqual({ type: 'KeyError', message: "'b'" })
    expect(m('pop', 'b', 'dflt')?.value).toBe('dflt')
  })

  it('supports the list methods', () => {
    const { create, call } = setup()
    const l = create('mp-manager-list', 'l', { initial: [1] }).id
    const m = (method: string, ...args: unknown[]) => call(A, 'call', l, [method, ...args]).final
    m('append', 2)
    expect(m('extend', [3, 4])?.after).toEqual([4])
    expect(m('__getitem__', -1)?.value).toBe(4)
    m('__setitem__', 0, 'x')
    expect(m('__len__')?.value).toBe(4)
    expect(m('copy')?.value).toEqual(['x', 2, 3, 4])
    expect(m('pop')?.value).toBe(4)
    expect(m('pop', 0)?.value).toBe('x')
    expect(m('__getitem__', 5)).toMatchObject({
      status: 'error',
      error: { type: 'IndexError', message: 'list index out of range' },
    })
    expect(m('copy')?.value).toEqual([2, 3])
  })
})

describe('Process', () => {
  it('starts through the host, joins on exit and reports the exit code', () => {
    const { create, call, started, broker, setNow } = setup()
    const p = create('process', 'Worker-1')
    expect(p).toEqual({ __mp: 'process', id: 2 ** 31, name: 'Worker-1' })
    expect(call(A, 'join', p.id, [null]).final).toMatchObject({
      status: 'error',
      error: { type: 'AssertionError', message: 'can only join a started process' },
    })
    const forked = [{ id: 7, kind: 'lock', bytes: new ArrayBuffer(8) }]
    setNow(1000)
    const start = call(A, 'start', p.id, ['work', [1, 2], true, 'fork', forked])
    // Dated when the launch began, so it is drawn before anything the child does.
    expect(start.final).toMatchObject({ status: 'ok', value: 101, after: [1, 0], tUs: 1000 })
    expect(started).toEqual([
      {
        objectId: p.id,
        name: 'Worker-1',
        target: 'work',
        args: [1, 2],
        daemon: true,
        startMethod: 'fork',
        parentPid: 1,
        forkedObjects: forked,
      },
    ])
    expect(call(A, 'start', p.id, ['work', [], false, 'spawn']).final?.error).toEqual({
      type: 'AssertionError',
      message: 'cannot start a process twice',
    })
    expect(call(A, 'read', p.id, ['alive']).final?.value).toBe(true)
    expect(call(A, 'read', p.id, ['exitcode']).final?.value).toBe(null)
    const join = call(A, 'join', p.id, [null])
    expect(join.pending).toBe(true)
    broker.processExited(101, 3, null)
    expect(join.final).toMatchObject({ status: 'ok', cause: null, after: [0, 3] })
    expect(call(A, 'read', p.id, ['alive']).final?.value).toBe(false)
    expect(call(A, 'read', p.id, ['exitcode']).final?.value).toBe(3)
  })

  it('terminates and kills through the host, with minus the signal as exit code', () => {
    vi.useFakeTimers()
    const { create, call, killed, broker } = setup()
    const p = create('process', 'P').id
    const q = create('process', 'Q').id
    call(A, 'start', p, ['work', [], false, 'spawn'])
    call(A, 'start', q, ['work', [], false, 'spawn'])
    const join = call(A, 'join', p, [0.5])
    vi.advanceTimersByTime(500)
    expect(join.final).toMatchObject({ status: 'timeout', after: [1, 0] })
    call(A, 'abort', p, ['SIGTERM'])
    call(A, 'abort', q, ['SIGKILL'])
    expect(killed).toEqual([
      [101, 'SIGTERM'],
      [102, 'SIGKILL'],
    ])
    // A launcher that can only SIGKILL still reports the signal Python sent.
    broker.processExited(101, null, 'SIGKILL')
    broker.processExited(102, null, 'SIGKILL')
    expect(call(A, 'read', p, ['exitcode']).final?.value).toBe(-15)
    expect(call(A, 'read', q, ['exitcode']).final?.value).toBe(-9)
    expect(call(A, 'join', p, [null]).final).toMatchObject({ status: 'ok', after: [0, -15] })
  })
})

describe('the cap on processes', () => {
  const refusal = (why: string) => ({
    type: 'BlockingIOError',
    message: `[Errno 11] Resource temporarily unavailable (${why})`,
  })

  it('refuses one process too many with BlockingIOError, before launching anything, until one ends', () => {
    const { create, call, started, broker } = setup({ processes: 3 })
    const [p, q, r] = ['P', 'Q', 'R'].map((name) => create('process', name).id)
    expect(call(A, 'start', p, ['work', [], false, 'spawn']).final?.status).toBe('ok')
    expect(call(B, 'start', q, ['work', [], false, 'spawn']).final?.status).toBe('ok')
    // MainProcess and two children: the third child is one too many.
    const refused = call(A, 'start', r, ['work', [], false, 'spawn']).final
    expect(refused).toMatchObject({
      status: 'error',
      error: refusal('this run allows at most 3 processes at once, MainProcess included'),
    })
    expect(started.map((s) => s.name)).toEqual(['P', 'Q'])
    expect(call(A, 'read', r, ['alive']).final?.value).toBe(false)
    // Once a child has ended, its place is free; the refused Process object may start now.
    broker.processExited(101, 0, null)
    expect(call(A, 'start', r, ['work', [], false, 'spawn']).final).toMatchObject({
      status: 'ok',
      value: 103,
    })
  })

  it('allows 64 processes at once by default', () => {
    const { create, call, started } = setup()
    expect(DEFAULT_LIMITS.processes).toBe(64)
    for (let k = 1; k < 64; k++) {
      const p = create('process', `P${k}`).id
      expect(call(A, 'start', p, ['work', [], false, 'spawn']).final?.status).toBe('ok')
    }
    const last = create('process', 'P64').id
    expect(call(A, 'start', last, ['work', [], false, 'spawn']).final?.error).toEqual(
      refusal('this run allows at most 64 processes at once, MainProcess included'),
    )
    expect(started).toHaveLength(63)
  })

  it('refuses to start more processes in all than ids can tell apart, even one at a time', () => {
    const { create, call, broker } = setup()
    for (let k = 1; k < MAX_PROCESSES_PER_RUN; k++) {
      const p = create('process', `P${k}`).id
      const pid = call(A, 'start', p, ['work', [], false, 'spawn']).final?.value as number
      broker.processExited(pid, 0, null)
    }
    const last = create('process', 'Last').id
    expect(call(A, 'start', last, ['work', [], false, 'spawn']).final?.error).toEqual(
      refusal(`a run may start at most ${MAX_PROCESSES_PER_RUN} processes in all`),
    )
  })
})

describe('a process that dies', () => {
  it('leaves what it held held, and its pending calls get no reply', () => {
    vi.useFakeTimers()
    const { create, call, broker } = setup()
    const lock = create('mp-lock').id
    const q = create('mp-queue', 'q', { size: 0 }).id
    call(B, 'acquire', lock, [true, null])
    const a = call(A, 'acquire', lock, [true, 1])
    const aGet = call([1, 2], 'get', q, [true, null])
    const c = call(C, 'acquire', lock, [true, null])
    broker.processExited(1, 0, null)
    vi.advanceTimersByTime(5000)
    expect(a.replies).toHaveLength(1) // only `pending`
    // The dead getter is off the list: the item stays queued.
    expect(call(B, 'put', q, ['x', true, null]).final?.after).toEqual([1, 0, 0])
    expect(aGet.replies).toHaveLength(1)
    // The release goes to the living waiter, not the dead one.
    call(B, 'release', lock)
    expect(c.final).toMatchObject({ status: 'ok', after: [owner(...C), 0] })

    broker.processExited(3, 0, null)
    expect(call(B, 'acquire', lock, [false, null]).final).toMatchObject({
      status: 'fail',
      after: [owner(...C), 0],
    })
    expect(broker.describe(lock)).toEqual({ kind: 'mp-lock', name: 'mp-lock', owner: threadKey(...C) })
  })

  it('stops everything on dispose', () => {
    vi.useFakeTimers()
    const { create, call, broker } = setup()
    const ev = create('mp-event').id
    const w = call(A, 'wait', ev, [1])
    broker.dispose()
    vi.advanceTimersByTime(5000)
    expect(w.replies).toHaveLength(1)
    expect(vi.getTimerCount()).toBe(0)
  })
})
