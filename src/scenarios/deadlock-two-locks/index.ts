import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Lock } from '../../engine/thread/primitives'
import { narration } from './narration'

function worker(py: Py, first: Lock, second: Lock): void {
  const name = py.currentThread().name
  py.at(13)
  first.acquire()
  py.at(14)
  py.print(`${name} has its first lock`)
  py.at(15)
  py.sleep(0.1)
  py.at(16)
  second.acquire()
  py.at(17)
  py.print(`${name} has both locks`)
  py.at(16)
  second.release()
  py.at(13)
  first.release()
}

function main(py: Py): void {
  py.at(7)
  const lockA = py.Lock('lock_a')
  py.at(8)
  const lockB = py.Lock('lock_b')
  const t2Locks = py.choice('order') === 'opposite' ? [lockB, lockA] : [lockA, lockB]
  py.at(25)
  const t1 = py.Thread({ target: 'worker', args: [lockA, lockB], name: 'T1' })
  py.at(26)
  const t2 = py.Thread({ target: 'worker', args: t2Locks, name: 'T2' })
  py.at(27)
  t1.start()
  py.at(28)
  t2.start()
  py.at(29)
  t1.join()
  py.at(30)
  t2.join()
  py.at(31)
  py.print('both threads finished')
}

export const deadlockTwoLocks = defineScenario({
  id: 'deadlock-two-locks',
  title: 'Deadlock: two locks in opposite orders',
  concept: 'Deadlock',
  explanation:
    'T1 takes lock_a, then lock_b; T2 takes lock_b, then lock_a. Each takes its first lock, pauses, and asks for ' +
    'its second, which the other holds. Neither can go on, and neither will let go: a deadlock. The program ' +
    'hangs for ever. The fix is one global order: if every thread takes lock_a before lock_b, a cycle of ' +
    'waiting cannot form.',
  lookFor:
    'With opposite orders, both threads turn blocked within a moment of each other and stay blocked: each ' +
    "lock's owner is the thread the other one waits for. Interleave detects the cycle and names the threads, " +
    'the locks and the lines. With the same order, T2 simply waits for lock_a until T1 is done.',
  tags: ['threads', 'sync'],
  params: [
    {
      name: 'order',
      kind: 'choice',
      default: 'opposite',
      choices: ['opposite', 'same'],
      help: 'T2 takes the locks in the opposite order to T1, or the same',
    },
  ],
  threadsHint: () => 2,
  timeoutS: 3,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const cycle = run.outcome.deadlock?.cycle
    if (cycle) {
      const who = cycle.map((c) => `${c.thread} waits for ${c.objName} at line ${c.line}`).join(' and ')
      return {
        text: `Deadlock: ${who}, each held by the other. The program would hang for ever.`,
        figures: { deadlocked: cycle.map((c) => c.thread).join(', ') },
      }
    }
    const done = run.events.some((e) => e.type === 'print' && e.text === 'both threads finished')
    return {
      text: done
        ? 'Both threads finished: taking the locks in one order leaves no cycle of waiting.'
        : `No deadlock was found, but the threads did not finish (${run.outcome.status}).`,
      figures: { deadlocked: 'none' },
    }
  },
})
