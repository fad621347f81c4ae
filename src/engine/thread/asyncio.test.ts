import { describe, expect, it } from 'vitest'
import { Asyncio, type Coroutine, type Task } from './asyncio'
import { isPyError, PyError } from './errors'
import type { Py } from './py'
import type { ThreadRuntime } from './runtime'

interface Op {
  id: number
  obj: string
  op: string
  result: string
  after: readonly number[]
  cause: number | null
  value: string | null
  line: number
}

/** The part of a ThreadRuntime the event loop uses, recording into arrays; blocking is real. */
class FakeRuntime {
  line = 0
  ops: Op[] = []
  states: string[] = []
  private names = new Map<number, string>()
  private nextId = 0
  private nextObj = 1

  checkpoint(): void {}
  toMs(seconds: number): number {
    return seconds * 1000
  }
  newObjectId(): number {
    return this.nextObj++
  }
  announce(handle: { id: number; name: string }): void {
    this.names.set(handle.id, handle.name)
  }
  recordOp(
    obj: number,
    op: string,
    result: string,
    after: readonly number[] = [],
    cause: number | null = null,
    value: string | null = null,
  ): number {
    const id = this.nextId++
    this.ops.push({ id, obj: this.names.get(obj)!, op, result, after, cause, value, line: this.line })
    return id
  }
  enterBlocking(state: string): void {
    this.states.push(state)
  }
  leaveBlocking(): void {
    this.states.push('running')
  }
  blockWait(i32: Int32Array, index: number, value: number, timeoutMs: number): string {
    return Atomics.wait(i32, index, value, timeoutMs)
  }
  opsOf(name: string): Op[] {
    return this.ops.filter((o) => o.obj === name)
  }
}

function setup(): { rt: FakeRuntime; aio: Asyncio; py: Py } {
  const rt = new FakeRuntime()
  const py = {} as Py
  const aio = new Asyncio(rt as unknown as ThreadRuntime, py)
  ;(py as { asyncio: Asyncio }).asyncio = aio
  return { rt, aio, py }
}

describe('asyncio event loop', () => {
  it('overlaps sleeps on one thread: the shorter finishes first, the total is the longest', () => {
    const { rt, aio } = setup()
    const finished: string[] = []
    function* nap(_py: Py, name: string, s: number): Coroutine<string> {
      rt.line = 3
      yield* aio.sleep(s)
      finished.push(name)
      return name
    }
    function* main(): Coroutine<string[]> {
      rt.line = 7
      const a = aio.createTask(nap, 'a', 0.06)
      const b = aio.createTask(nap, 'b', 0.03)
      rt.line = 8
      return yield* aio.gather(a, b)
    }
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    expect(aio.run(main)).toEqual(['a', 'b'])
    const cpu = process.cpuUsage(cpu0)
    const ms = performance.now() - t0
    expect(finished).toEqual(['b', 'a'])
    expect(ms).toBeGreaterThanOrEqual(59)
    expect(ms).toBeLessThan(150)
    // The loop blocked in io while both slept, once per wake-up at most: no busy waiting.
    expect(rt.states.filter((s) => s === 'io').length).toBeGreaterThanOrEqual(1)
    expect(rt.states.filter((s) => s === 'io').length).toBeLessThanOrEqual(3)
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(ms / 2)

    const a = rt.opsOf('Task-2')
    expect(a.map((o) => o.op)).toEqual(['start', 'set', 'wait', 'set', 'set', 'join'])
    expect(a[0]).toMatchObject({ value: "nap('a', 0.06)", line: 7 })
    expect(a[2]).toMatchObject({ value: 'sleep(0.06)', line: 3 })
    expect(a[3]).toMatchObject({ cause: a[2].id, line: 3 })
    expect(a[4]).toMatchObject({ after: [1, 0], value: "'a'" })
    expect(a[5]).toMatchObject({ cause: a[4].id, line: 8 })
    const main1 = rt.opsOf('Task-1')
    expect(main1.find((o) => o.op === 'wait')?.value).toBe('gather(2 tasks)')
    // main is resumed by the last child to finish (a).
    expect(main1.filter((o) => o.op === 'set')[1].cause).toBe(a[4].id)
  })

  it('sleep(0) gives way to the other ready tasks, in order', () => {
    const { aio } = setup()
    const log: string[] = []
    function* step(_py: Py, name: string): Coroutine<void> {
      for (let i = 1; i <= 3; i++) {
        log.push(`${name}${i}`)
        yield* aio.sleep(0)
      }
    }
    function* main(): Coroutine<void> {
      const ts = [aio.createTask(step, 'A'), aio.createTask(step, 'B')]
      yield* aio.gather(...ts)
    }
    aio.run(main)
    expect(log).toEqual(['A1', 'B1', 'A2', 'B2', 'A3', 'B3'])
  })

  it('awaiting a finished task returns at once; awaiting a coroutine runs it inside the task', () => {
    const { rt, aio } = setup()
    // eslint-disable-next-line require-yield -- an `async def` that never awaits
    function* quick(): Coroutine<number> {
      return 42
    }
    function* twice(_py: Py, x: number): Coroutine<number> {
      yield* aio.sleep(0.001)
      return 2 * x
    }
    function* main(): Coroutine<number> {
      const t = aio.createTask(quick)
      yield* aio.sleep(0.005)
      const waitsBefore = rt.opsOf('Task-1').filter((o) => o.op === 'wait').length
      const v = yield* t
      expect(rt.opsOf('Task-1').filter((o) => o.op === 'wait').length).toBe(waitsBefore)
      return v + (yield* twice({} as Py, 4))
    }
    expect(aio.run(main)).toBe(50)
    const join = rt.opsOf('Task-2').find((o) => o.op === 'join')!
    expect(join.cause).toBe(rt.opsOf('Task-2').find((o) => o.op === 'set' && o.after[0] === 1)!.id)
    expect(rt.ops.filter((o) => o.op === 'start')).toHaveLength(2)
  })

  it('an exception travels through await and gather, and out of run()', () => {
    const { rt, aio } = setup()
    function* fail(_py: Py, delay: number): Coroutine<never> {
      yield* aio.sleep(delay)
      throw new PyError('ValueError', 'bad reply')
    }
    function* fine(): Coroutine<string> {
      yield* aio.sleep(0.02)
      return 'ok'
    }
    function* main(): Coroutine<string> {
      try {
        yield* aio.createTask(fail, 0.001)
      } catch (e) {
        expect(isPyError(e, 'ValueError')).toBe(true)
      }
      const slow = aio.createTask(fine)
      try {
        yield* aio.gather(slow, aio.createTask(fail, 0.001))
        return 'not raised'
      } catch (e) {
        // gather raises the first exception without waiting for the others.
        expect(slow.done).toBe(false)
        return String(e)
      }
    }
    expect(aio.run(main)).toBe('ValueError: bad reply')
    const failed = rt.opsOf('Task-2').find((o) => o.op === 'set' && o.after[0] === 1)!
    expect(failed).toMatchObject({ result: 'error', value: 'ValueError: bad reply' })

    function* raises(): Coroutine<void> {
      yield* aio.sleep(0)
      throw new PyError('KeyError', "'x'")
    }
    expect(() => aio.run(raises)).toThrow(PyError)
  })

  it('refuses what CPython refuses', () => {
    const { aio } = setup()
    function* noop(): Coroutine<void> {}
    expect(() => aio.createTask(noop)).toThrow('no running event loop')
    let self: Task | null = null
    function* selfish(): Coroutine<string> {
      try {
        yield* self!
      } catch (e) {
        return String(e)
      }
      return 'awaited itself'
    }
    function* main(): Coroutine<unknown[]> {
      self = aio.createTask(selfish)
      const r1 = yield* self
      let r2 = ''
      try {
        yield 7 as never
      } catch (e) {
        r2 = String(e)
      }
      let r3 = ''
      try {
        aio.run(noop)
      } catch (e) {
        r3 = String(e)
      }
      return [r1, r2, r3]
    }
    expect(aio.run(main)).toEqual([
      'RuntimeError: Task cannot await on itself',
      "TypeError: object 7 can't be used in 'await' expression",
      'RuntimeError: asyncio.run() cannot be called from a running event loop',
    ])
  })
})
