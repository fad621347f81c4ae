/**
 * asyncio on one thread: an event loop that steps tasks between their awaits, with a ready queue
 * and a timer heap, as CPython's BaseEventLoop._run_once does. When no task is ready the loop
 * really blocks its thread until the next timer is due: in 'io', with the GIL dropped, as
 * select() does. The GIL is held only while tasks are being stepped.
 *
 * A coroutine (`async def f(x)`) is a generator function `function* f(py, x)`, and `await` is
 * `yield*` (which keeps the result's type) or `yield`:
 *
 *     yield* aio.sleep(0.5)           await asyncio.sleep(0.5)
 *     yield* aio.io(0.5, 'read()')    await reader.read(), answered after 0.5 s
 *     yield* task                     await task
 *     yield* aio.gather(t1, t2)       await asyncio.gather(t1, t2)
 *     yield* g(py, y)                 await g(y): the coroutine runs inside this task
 *
 * A Task is a traced object (kind 'task', state: done, waiters): 'start' when it is created,
 * 'set' when the loop resumes it (cause: what made it ready) and, with done = 1, when its result
 * is set; 'wait' when it suspends at an await (value: what it awaits); 'join' on an awaited task
 * when the await (or the gather) that waited for it returns (cause: the task's result).
 */
import { PyError } from './errors'
import type { Py } from './py'
import { pyRepr } from './repr'
import type { ThreadRuntime } from './runtime'

export type Coroutine<T = unknown> = Generator<Awaitable, T, unknown>

/** Something a coroutine can await. `yield* x` awaits it and gives its result, typed. */
export abstract class Awaitable<T = unknown> {
  *[Symbol.iterator](): Generator<Awaitable, T, unknown> {
    return (yield this) as T
  }
}

/** asyncio.sleep, or a simulated I/O wait: the task resumes when its timer is due. */
class Timer extends Awaitable<undefined> {
  constructor(
    readonly seconds: number,
    /** What the task waits for, as the trace shows it: sleep(0.5), read(). */
    readonly what: string,
  ) {
    super()
  }
}

class Gather<T> extends Awaitable<T[]> {
  constructor(readonly tasks: Task<T>[]) {
    super()
  }
}

type Outcome = { value: unknown } | { error: unknown }

export class Task<T = unknown> extends Awaitable<T> {
  done = false
  outcome: Outcome | null = null
  /** The event that set the result (or the exception): what an await of this task was woken by. */
  doneEvent = -1
  /** Called once, when the task is done: the tasks and gathers waiting for it. */
  waiters: (() => void)[] = []
  /** The program.py line the task is suspended at (0 before its first step). */
  line = 0
  /** Its last 'wait': the event that started the timer it sleeps on. */
  waitEvent = -1

  constructor(
    readonly id: number,
    readonly name: string,
    readonly coro: Coroutine<T>,
  ) {
    super()
  }
}

interface Ready {
  task: Task
  input: Outcome
  cause: number
  /** Awaited tasks whose 'join' the resumed task records (await task, gather). */
  joined: Task[]
}

interface TimerEntry {
  atMs: number
  seq: number
  task: Task
}

/** A binary min-heap of timers by due time, first-scheduled first among equals (CPython's heapq of TimerHandles). */
class TimerHeap {
  private items: TimerEntry[] = []

  get size(): number {
    return this.items.length
  }
  peek(): TimerEntry | undefined {
    return this.items[0]
  }
  push(e: TimerEntry): void {
    const a = this.items
    a.push(e)
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1
      if (!before(a[i], a[p])) break
      ;[a[i], a[p]] = [a[p], a[i]]
      i = p
    }
  }
  pop(): TimerEntry | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last) {
      a[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && before(a[l], a[m])) m = l
        if (r < a.length && before(a[r], a[m])) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m], a[i]]
        i = m
      }
    }
    return top
  }
}

function before(x: TimerEntry, y: TimerEntry): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq)
}

class EventLoop {
  private ready: Ready[] = []
  private readyHead = 0
  private timers = new TimerHeap()
  private timerSeq = 0
  current: Task | null = null

  constructor(
    private readonly rt: ThreadRuntime,
    /** The line of asyncio.run(): where the thread is while the loop selects. */
    private readonly runLine: number,
  ) {}

  schedule(task: Task, input: Outcome, cause: number, joined: Task[] = []): void {
    this.ready.push({ task, input, cause, joined })
  }

  /** Runs until `main` is done, like run_until_complete. */
  runUntilComplete(main: Task): void {
    const rt = this.rt
    const cell = new Int32Array(new SharedArrayBuffer(4))
    while (!main.done) {
      if (this.readyHead === this.ready.length) {
        // Nothing to run: select() until the next timer, or for ever if there is none.
        const next = this.timers.peek()
        const dueMs = next ? next.atMs : Infinity
        if (dueMs > performance.now()) {
          rt.line = this.runLine
          rt.enterBlocking('io')
          // epoll's timeout is whole milliseconds, rounded up: timers due close together fire together.
          const until = next ? performance.now() + Math.ceil(dueMs - performance.now()) : Infinity
          for (let left = until - performance.now(); left > 0; left = until - performance.now()) {
            rt.blockWait(cell, 0, 0, left)
          }
          rt.leaveBlocking()
        }
      }
      const now = performance.now()
      for (let t = this.timers.peek(); t && t.atMs <= now; t = this.timers.peek()) {
        this.timers.pop()
        this.schedule(t.task, { value: undefined }, t.task.waitEvent)
      }
      // Only what was ready when this pass began runs in it; what it schedules waits for the next.
      const end = this.ready.length
      while (this.readyHead < end) {
        const r = this.ready[this.readyHead++]
        this.step(r)
      }
      if (this.readyHead === this.ready.length) {
        this.ready = []
        this.readyHead = 0
      }
    }
  }

  /** Task.__step: resume the coroutine until it awaits something not yet done, or returns. */
  private step(r: Ready): void {
    const rt = this.rt
    const task = r.task
    rt.checkpoint()
    this.current = task
    rt.line = task.line
    rt.recordOp(task.id, 'set', 'ok', [0, task.waiters.length], r.cause >= 0 ? r.cause : null)
    for (const t of r.joined) rt.recordOp(t.id, 'join', 'ok', [1, 0], t.doneEvent)
    let input = r.input
    for (;;) {
      let next: IteratorResult<Awaitable, unknown>
      try {
        next = 'error' in input ? task.coro.throw(input.error) : task.coro.next(input.value)
      } catch (error) {
        this.finish(task, { error })
        break
      }
      if (next.done) {
        this.finish(task, { value: next.value })
        break
      }
      const now = this.suspend(task, next.value)
      if (now === null) break
      input = now
    }
    task.line = rt.line
    this.current = null
  }

  /**
   * The task awaits `aw`: registers it to be resumed and returns null, or, when `aw` is already
   * done (an awaited task that has finished), returns its outcome to continue with at once.
   */
  private suspend(task: Task, aw: unknown): Outcome | null {
    const rt = this.rt
    if (aw instanceof Timer) {
      task.waitEvent = rt.recordOp(task.id, 'wait', 'ok', [0, task.waiters.length], null, aw.what)
      if (aw.seconds <= 0) {
        // sleep(0) yields once: the task goes to the back of the ready queue.
        this.schedule(task, { value: undefined }, task.waitEvent)
      } else {
        const atMs = performance.now() + rt.toMs(aw.seconds)
        this.timers.push({ atMs, seq: this.timerSeq++, task })
      }
      return null
    }
    if (aw instanceof Task) {
      if (aw === task) return { error: new PyError('RuntimeError', 'Task cannot await on itself') }
      if (aw.done) {
        rt.recordOp(aw.id, 'join', 'ok', [1, 0], aw.doneEvent)
        return aw.outcome!
      }
      rt.recordOp(task.id, 'wait', 'ok', [0, task.waiters.length], null, aw.name)
      aw.waiters.push(() => this.schedule(task, aw.outcome!, aw.doneEvent, [aw]))
      return null
    }
    if (aw instanceof Gather) {
      const children = aw.tasks as Task[]
      const pending = children.filter((c) => !c.done)
      const failed = children.find((c) => c.done && 'error' in c.outcome!)
      if (failed) return this.gathered(children, failed)
      if (pending.length === 0) {
        for (const c of children) rt.recordOp(c.id, 'join', 'ok', [1, 0], c.doneEvent)
        return this.gathered(children, null)
      }
      rt.recordOp(task.id, 'wait', 'ok', [0, task.waiters.length], null, `gather(${children.length} tasks)`)
      let left = pending.length
      let over = false
      for (const c of pending) {
        c.waiters.push(() => {
          if (over) return
          left--
          const error = 'error' in c.outcome!
          if (!error && left > 0) return
          over = true
          const joined = error ? [c] : children
          this.schedule(task, this.gathered(children, error ? c : null), c.doneEvent, joined)
        })
      }
      return null
    }
    return { error: new PyError('TypeError', `object ${pyRepr(aw)} can't be used in 'await' expression`) }
  }

  /** gather's result: every child's value in order, or the first exception. */
  private gathered(children: Task[], failed: Task | null): Outcome {
    if (failed) return failed.outcome!
    return { value: children.map((c) => (c.outcome as { value: unknown }).value) }
  }

  /** The coroutine returned or raised: the task's result is set and its waiters are woken. */
  private finish(task: Task, outcome: Outcome): void {
    task.done = true
    task.outcome = outcome
    const error = 'error' in outcome
    const value = error ? String(outcome.error) : pyRepr(outcome.value)
    task.doneEvent = this.rt.recordOp(task.id, 'set', error ? 'error' : 'ok', [1, 0], null, value)
    const waiters = task.waiters
    task.waiters = []
    for (const w of waiters) w()
  }
}

/** The asyncio module, for the models: `py.asyncio`. */
export class Asyncio {
  private loop: EventLoop | null = null
  /** Names Task-1, Task-2, ...: CPython counts per process, this per thread (one loop a thread is usual). */
  private tasksNamed = 0

  constructor(
    private readonly rt: ThreadRuntime,
    private readonly py: Py,
  ) {}

  /**
   * asyncio.run(fn(...args)): runs an event loop on this thread until the coroutine is done;
   * returns its result or raises its exception.
   */
  run<A extends unknown[], T>(fn: (py: Py, ...args: A) => Coroutine<T>, ...args: A): T {
    const rt = this.rt
    rt.checkpoint()
    if (this.loop)
      throw new PyError('RuntimeError', 'asyncio.run() cannot be called from a running event loop')
    const line = rt.line
    this.loop = new EventLoop(rt, line)
    try {
      const main = this.createTask(fn, ...args)
      this.loop.runUntilComplete(main)
      // Back from the loop, the thread is on the line that called asyncio.run().
      rt.line = line
      const outcome = main.outcome!
      if ('error' in outcome) throw outcome.error
      return outcome.value as T
    } finally {
      this.loop = null
    }
  }

  /** asyncio.create_task(fn(...args)): the task starts at the loop's next pass. */
  createTask<A extends unknown[], T>(fn: (py: Py, ...args: A) => Coroutine<T>, ...args: A): Task<T> {
    const rt = this.rt
    const loop = this.running()
    rt.checkpoint()
    const task = new Task<T>(rt.newObjectId(), `Task-${++this.tasksNamed}`, fn(this.py, ...args))
    rt.announce({ __py: 'task', id: task.id, name: task.name }, 0)
    const coro = `${fn.name}(${args.map(pyRepr).join(', ')})`
    const started = rt.recordOp(task.id, 'start', 'ok', [0, 0], null, coro)
    loop.schedule(task, { value: undefined }, started)
    return task
  }

  /** asyncio.sleep(seconds): the task gives way; the loop resumes it when the time is up. */
  sleep(seconds: number): Awaitable<undefined> {
    if (seconds < 0) seconds = 0
    return new Timer(seconds, `sleep(${pyRepr(seconds)})`)
  }

  /** A simulated I/O wait (a socket read answered after `seconds`), shown as `what`. */
  io(seconds: number, what: string): Awaitable<undefined> {
    return new Timer(Math.max(0, seconds), what)
  }

  /** asyncio.gather(*tasks): their results in order, or the first exception. */
  gather<T>(...tasks: Task<T>[]): Awaitable<T[]> {
    this.running()
    return new Gather(tasks)
  }

  /** asyncio.current_task(). */
  currentTask(): Task | null {
    return this.loop?.current ?? null
  }

  private running(): EventLoop {
    if (!this.loop) throw new PyError('RuntimeError', 'no running event loop')
    return this.loop
  }
}
