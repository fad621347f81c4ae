/**
 * Test models for `multiprocessing`: every py.mp.Process is a real OS process, and every mp object
 * lives in the broker. Lines passed to py.at() only label operations for the tests to find them.
 */
import type { Py } from '../../src/engine/thread/py'
import type { Event, Lock, Variable } from '../../src/engine/thread/primitives'
import type {
  Connection,
  ManagedCollection,
  MpArray,
  MpBarrier,
  MpCondition,
  MpEvent,
  MpLock,
  MpQueue,
  MpValue,
} from '../../src/engine/thread/mp'
import { isPyError, PyError } from '../../src/engine/thread/errors'
import { model } from './define'

/** start/join/is_alive/exitcode, current_process().name, a child that raises, a fork child. */
export const mpProcessBasics = model('test-mp-process-basics', {
  main(py: Py) {
    const p = py.mp.Process({ target: 'named', args: [0.4, 'a'], name: 'Worker-A' })
    py.result('aliveBeforeStart', p.isAlive())
    py.result('exitcodeBeforeStart', p.exitcode)
    p.start()
    py.result('aliveAfterStart', p.isAlive())
    py.at(1)
    p.join(0.05)
    py.result('aliveAfterShortJoin', p.isAlive())
    py.result('exitcodeWhileRunning', p.exitcode)
    py.at(2)
    p.join()
    py.result('aliveAfterJoin', p.isAlive())
    py.result('exitcode', p.exitcode)

    const bad = py.mp.Process({ target: 'raiser', name: 'Raiser' })
    bad.start()
    bad.join()
    py.result('raiserExitcode', bad.exitcode)

    py.mp.setStartMethod('fork')
    const f = py.mp.Process({ target: 'named', args: [0, 'f'], name: 'Forked' })
    f.start()
    f.join()
    py.result('forkedExitcode', f.exitcode)
    py.result('mainName', py.mp.currentProcess().name)
    py.result('continued', true)
  },
  named(py: Py, seconds: number, key: string) {
    py.result(`childName.${key}`, py.mp.currentProcess().name)
    py.sleep(seconds)
  },
  raiser(py: Py) {
    py.at(20)
    throw new PyError('ValueError', 'boom')
  },
})

/**
 * A threading.Lock held by another thread when the process starts, and a global the parent has
 * changed: under fork the child gets copies of both; under spawn it gets fresh ones.
 */
function startMethodModel(method: 'fork' | 'spawn') {
  return model(`test-mp-${method}-copies`, {
    main(py: Py) {
      const lock = py.Lock('tlock')
      const counter = py.shared('counter', 1)
      const held = py.Event('held')
      const done = py.Event('done')
      counter.set(42)
      const t = py.Thread({ target: 'holder', args: [lock, held, done], name: 'Holder' })
      t.start()
      held.wait()
      py.mp.setStartMethod(method)
      const p = py.mp.Process({ target: 'child', args: [lock, counter], name: 'Child' })
      p.start()
      p.join()
      py.result('childExitcode', p.exitcode)
      done.set()
      t.join()
      // The parent's own lock is free again once Holder released it.
      py.at(3)
      py.result('parentAcquired', lock.acquire(true, 1))
    },
    holder(py: Py, lock: Lock, held: Event, done: Event) {
      py.at(10)
      lock.acquire()
      held.set()
      done.wait()
      py.at(11)
      lock.release()
    },
    child(py: Py, lock: Lock, counter: Variable<number>) {
      py.at(30)
      const t0 = py.perfCounter()
      py.result('childAcquired', lock.acquire(true, 0.5))
      py.result('childWaitedS', py.perfCounter() - t0)
      py.result('childCounter', counter.get())
    },
  })
}
export const mpForkCopies = startMethodModel('fork')
export const mpSpawnCopies = startMethodModel('spawn')

/** Two processes take turns in a critical section guarded by one mp.Lock. */
export const mpLockExclusion = model('test-mp-lock', {
  main(py: Py) {
    const lock = py.mp.Lock('mplock')
    const inside = py.mp.Value('inside', 'i', 0, false)
    const go = py.mp.Barrier('go', 2)
    const ps = ['A', 'B'].map((name) =>
      py.mp.Process({ target: 'worker', args: [lock, inside, go, 6], name: `Locker-${name}` }),
    )
    for (const p of ps) p.start()
    for (const p of ps) p.join()
    py.result(
      'exitcodes',
      ps.map((p) => p.exitcode),
    )
  },
  worker(py: Py, lock: MpLock, inside: MpValue, go: MpBarrier, n: number) {
    go.wait()
    let overlaps = 0
    for (let i = 0; i < n; i++) {
      py.at(40)
      lock.acquire()
      py.at(41)
      if (inside.value !== 0) overlaps++
      inside.value = 1
      py.sleep(0.02)
      inside.value = 0
      py.at(42)
      lock.release()
    }
    py.result(`overlaps.${py.mp.currentProcess().name}`, overlaps)
  },
})

/** mp.Queue from a child to the parent; queue.Empty; a JoinableQueue drained by the child. */
export const mpQueues = model('test-mp-queue', {
  main(py: Py) {
    const q = py.mp.Queue('q')
    const jq = py.mp.JoinableQueue('jq')
    let empty = ''
    const t0 = py.perfCounter()
    try {
      py.at(50)
      q.get(true, 0.2)
    } catch (e) {
      if (isPyError(e, 'queue.Empty')) empty = e.type
      else throw e
    }
    py.result('emptyAfterS', py.perfCounter() - t0)
    py.result('empty', empty)
    const p = py.mp.Process({ target: 'producer', args: [q, jq, 6], name: 'Producer' })
    p.start()
    const got: unknown[] = []
    for (;;) {
      py.at(51)
      const v = q.get()
      if (v === null) break
      got.push(v)
    }
    py.result('got', got)
    for (const x of [1, 2, 3, null]) {
      py.at(52)
      jq.put(x)
    }
    py.at(53)
    jq.join()
    py.result('joined', true)
    p.join()
  },
  producer(py: Py, q: MpQueue, jq: MpQueue, n: number) {
    for (let i = 0; i < n; i++) {
      py.at(60)
      q.put(i)
    }
    py.at(60)
    q.put(null)
    const done: unknown[] = []
    for (;;) {
      py.at(61)
      const v = jq.get()
      py.sleep(0.02)
      py.at(62)
      jq.taskDone()
      if (v === null) break
      done.push(v)
    }
    py.result('done', done)
  },
})

/** Pipe(duplex=False): the child sends on the write end, the parent receives on the read end. */
export const mpPipe = model('test-mp-pipe', {
  main(py: Py) {
    const [r, w] = py.mp.Pipe('pipe', false)
    let error = ''
    try {
      py.at(70)
      r.send('x')
    } catch (e) {
      if (isPyError(e, 'OSError')) error = e.toString()
      else throw e
    }
    py.result('sendOnReadEnd', error)
    const p = py.mp.Process({ target: 'sender', args: [w, 6], name: 'Sender' })
    p.start()
    const got: unknown[] = []
    for (;;) {
      py.at(71)
      const v = r.recv()
      got.push(v)
      if (v === null) break
    }
    py.result('got', got)
    p.join()
  },
  sender(py: Py, w: Connection, n: number) {
    for (let i = 0; i < n; i++) {
      py.at(80)
      w.send(i)
    }
    py.at(80)
    w.send(null)
  },
})

/** mp.Value with and without its lock, and an mp.Array, written by two processes. */
export const mpValues = model('test-mp-value', {
  main(py: Py) {
    const safe = py.mp.Value('safe', 'i', 0)
    const racy = py.mp.Value('racy', 'i', 0, false)
    const arr = py.mp.Array('arr', 'i', [0, 0, 0, 0])
    const go = py.mp.Barrier('go', 2)
    const n = 40
    const ps = [0, 1].map((k) =>
      py.mp.Process({ target: 'adder', args: [safe, racy, arr, go, k, n], name: `Adder-${k}` }),
    )
    for (const p of ps) p.start()
    for (const p of ps) p.join()
    py.result('n', n)
    py.result('safe', safe.value)
    py.result('racy', racy.value)
    py.result('arr', arr.toList())
    arr.set(-1, 7)
    py.result('arrLast', arr.get(3))
    let error = ''
    try {
      arr.get(4)
    } catch (e) {
      if (isPyError(e, 'IndexError')) error = e.toString()
      else throw e
    }
    py.result('arrOutOfRange', error)
    try {
      racy.getLock()
    } catch (e) {
      if (isPyError(e, 'AttributeError')) py.result('racyHasNoLock', true)
      else throw e
    }
  },
  adder(py: Py, safe: MpValue, racy: MpValue, arr: MpArray, go: MpBarrier, k: number, n: number) {
    go.wait()
    const lock = safe.getLock()
    for (let i = 0; i < n; i++) {
      lock.acquire()
      safe.value = safe.value + 1
      lock.release()
      racy.value = racy.value + 1
    }
    arr.set(k, (k + 1) * 10)
    arr.set(k + 2, arr.get(k) + 1)
  },
})

/** An mp.Event set in a child wakes the parent; the parent's notify wakes the child's wait. */
export const mpEventCondition = model('test-mp-event-condition', {
  main(py: Py) {
    const started = py.mp.Event('started')
    const cond = py.mp.Condition('cond')
    const p = py.mp.Process({ target: 'waiter', args: [started, cond], name: 'Waiter' })
    p.start()
    py.at(90)
    py.result('startedWait', started.wait(10))
    py.at(91)
    cond.acquire()
    py.at(92)
    cond.notify()
    py.at(93)
    cond.release()
    p.join()
    py.result('exitcode', p.exitcode)
  },
  waiter(py: Py, started: MpEvent, cond: MpCondition) {
    py.at(100)
    cond.acquire()
    py.at(101)
    started.set()
    py.at(102)
    py.result('woken', cond.wait(10))
    py.at(103)
    cond.release()
    const never = py.mp.Event('never')
    py.at(104)
    py.result('neverWait', never.wait(0.1))
  },
})

/** A Manager's dict and list, written by two child processes. */
export const mpManager = model('test-mp-manager', {
  main(py: Py) {
    const m = py.mp.Manager()
    const d = m.dict('d')
    const l = m.list('l')
    const ps = ['a', 'b'].map((tag) =>
      py.mp.Process({ target: 'writer', args: [d, l, tag], name: `Writer-${tag}` }),
    )
    for (const p of ps) p.start()
    for (const p of ps) p.join()
    py.result('keys', (d.call('keys') as string[]).sort())
    py.result('items', d.snapshot())
    py.result('list', (l.snapshot() as string[]).sort())
    py.result('len', l.call('__len__'))
  },
  writer(py: Py, d: ManagedCollection, l: ManagedCollection, tag: string) {
    for (let i = 0; i < 3; i++) {
      d.set(`${tag}${i}`, i)
      l.call('append', `${tag}${i}`)
    }
  },
})

/**
 * A child that sleeps until something outside kills it, and one the parent terminates
 * (Process.terminate()); the parent joins both.
 */
export const mpKilled = model('test-mp-killed', {
  main(py: Py) {
    const p = py.mp.Process({ target: 'sleeper', args: ['sleeperOsPid'], name: 'Sleeper' })
    const q = py.mp.Process({ target: 'sleeper', args: ['terminatedOsPid'], name: 'Terminated' })
    p.start()
    q.start()
    py.sleep(0.3)
    q.terminate()
    py.at(110)
    p.join()
    py.at(111)
    q.join()
    py.result('exitcode', p.exitcode)
    py.result('alive', p.isAlive())
    py.result('terminatedExitcode', q.exitcode)
  },
  sleeper(py: Py, key: string) {
    // os.getpid()
    py.result(key, process.pid)
    py.at(120)
    py.sleep(15)
  },
})

/**
 * MainProcess returns without joining: Python joins its non-daemonic children at exit and
 * terminates its daemonic ones.
 */
export const mpDaemon = model('test-mp-daemon', {
  main(py: Py) {
    py.mp.Process({ target: 'sleeper', args: [15, 'daemonDone'], name: 'Daemon', daemon: true }).start()
    py.mp.Process({ target: 'sleeper', args: [0.5, 'childDone'], name: 'NonDaemon' }).start()
    py.result('mainDone', true)
  },
  sleeper(py: Py, seconds: number, key: string) {
    py.sleep(seconds)
    py.result(key, true)
  },
})

export const mpModels = [
  mpProcessBasics,
  mpForkCopies,
  mpSpawnCopies,
  mpLockExclusion,
  mpQueues,
  mpPipe,
  mpValues,
  mpEventCondition,
  mpManager,
  mpKilled,
  mpDaemon,
]
