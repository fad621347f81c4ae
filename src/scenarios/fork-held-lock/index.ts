import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Event, Lock } from '../../engine/thread/primitives'
import { splitThreadKey, type RunRecord } from '../../shared/trace'
import { narration } from './narration'

function holder(py: Py, lock: Lock, held: Event): void {
  py.at(13)
  lock.acquire()
  py.at(14)
  held.set()
  py.at(15)
  py.sleep(1)
  py.at(13)
  lock.release()
}

/**
 * The lock arrives as an argument: under spawn the runtime makes the child a fresh one (as
 * re-importing the module does), under fork a copy of the parent's, owner included.
 */
function child(py: Py, lock: Lock): void {
  // Not a line of program.py: what the child's copy of the lock says before the child takes it.
  py.result('ownerInChild', lock.locked() ? lock.ownerCode() - 1 : null)
  py.at(19)
  py.print('child: taking the lock')
  py.at(20)
  lock.acquire()
  py.at(21)
  py.print('child: got the lock')
  py.at(20)
  lock.release()
}

function main(py: Py): void {
  const method = py.choice('start_method') as 'fork' | 'spawn'
  py.at(8)
  const lock = py.Lock('lock')
  py.at(9)
  const held = py.Event('held')
  py.at(25)
  py.mp.setStartMethod(method)
  py.at(26)
  const t = py.Thread({ target: 'holder', args: [lock, held], name: 'Holder' })
  py.at(27)
  t.start()
  py.at(28)
  held.wait()
  py.at(29)
  const p = py.mp.Process({ target: 'child', args: [lock], name: 'Child' })
  py.at(30)
  p.start()
  py.at(31)
  p.join()
  py.at(32)
  t.join()
  py.at(33)
  py.print('main: done')
}

/** The thread a lock owner key names, as "Process/Thread". */
function ownerName(run: RunRecord, key: number): string {
  const { pid, tid } = splitThreadKey(key)
  const start = run.events.find((e) => e.type === 'thread-start' && e.pid === pid && e.tid === tid)
  const process = run.processes[pid]?.name ?? `process ${pid}`
  return `${process}/${start && start.type === 'thread-start' ? start.name : `thread ${tid}`}`
}

export const forkHeldLock = defineScenario({
  id: 'fork-held-lock',
  title: 'fork copies a held lock',
  concept: 'Threads and processes',
  explanation:
    "fork() copies the parent's memory into the child, locks included, but only the thread that called fork " +
    'exists in the child. If another thread held a lock at that moment, the child gets a copy that is locked, ' +
    'by a thread it does not have: nothing in the child will ever release it, and a child that takes it waits ' +
    'forever. The parent, waiting in join(), waits forever too. spawn starts a fresh interpreter that imports ' +
    'the module again, so the child gets a new, unlocked lock.',
  lookFor:
    'Holder takes the lock and sleeps while MainThread starts the Child. With fork, the Child lane turns ' +
    'blocked on the lock and stays blocked even after Holder releases the lock in the parent (that release ' +
    "is on the parent's lock, not the Child's copy); MainThread stays blocked in join() until the timeout. " +
    'With spawn, the Child takes its own lock at once and ends.',
  tags: ['processes', 'threads', 'sync'],
  params: [
    {
      name: 'start_method',
      kind: 'choice',
      default: 'fork',
      choices: ['fork', 'spawn'],
      help: 'how multiprocessing starts the child',
    },
  ],
  timeoutS: 5,
  threadsHint: () => 2,
  processesHint: () => 1,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, holder, child },
  verdict(run) {
    const child = run.processes.find((p) => p.name === 'Child')
    const childMain = run.final.find((t) => t.pid === child?.pid && t.tid === 0)
    const got = run.events.some((e) => e.type === 'print' && e.text === 'child: got the lock')
    const owner = (run.result.ownerInChild ?? null) as number | null
    // A thread key names its process: a copied owner still names a thread of the parent.
    const ownerIsChilds = owner !== null && splitThreadKey(owner).pid === child?.pid
    const figures: Record<string, string | number> = {
      startMethod: String(run.params.start_method),
      childGotLock: got ? 'yes' : 'no',
      lockOwnerInChild: owner === null ? 'none' : ownerName(run, owner),
      wallS: (run.outcome.wallUs / 1e6).toFixed(1),
    }
    let text: string
    if (got && run.outcome.status === 'finished') {
      text =
        owner === null
          ? 'The Child got a fresh, unlocked lock of its own, took it at once and finished; so did the parent.'
          : `The Child's lock was held by ${ownerName(run, owner)} but it still finished.`
    } else if (!got && childMain?.state === 'blocked' && owner !== null) {
      text =
        `The Child blocked forever on its copy of the lock, held by ${ownerName(run, owner)}, ` +
        `${ownerIsChilds ? 'a thread of the Child' : 'a thread of the parent that does not exist in the Child'}; ` +
        `the parent's join() waited too, until the ${run.options.timeoutS} s timeout ended the run.`
    } else {
      text = `The Child ${got ? 'got' : 'did not get'} the lock (${run.outcome.status}).`
    }
    return { text, figures }
  },
})
