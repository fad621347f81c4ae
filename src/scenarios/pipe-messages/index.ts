import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Connection } from '../../engine/thread/mp'
import { narration } from './narration'

function producer(py: Py, w: Connection, count: number): void {
  for (let i = 0; i < count; i++) {
    py.at(10)
    py.sleep(0.2)
    py.at(11)
    w.send(i)
  }
  py.at(12)
  w.send(null)
}

function consumer(py: Py, r: Connection): void {
  const got: unknown[] = []
  for (;;) {
    py.at(17)
    const msg = r.recv()
    if (msg === null) break
    got.push(msg)
    py.at(20)
    py.print(`consumer got ${String(msg)}`)
  }
  py.at(21)
  py.print('consumer: the sentinel, done')
  py.result('received', got)
}

function main(py: Py): void {
  const count = py.int('count')
  py.at(25)
  const [r, w] = py.mp.Pipe('pipe', false)
  py.at(26)
  const procs = [
    py.mp.Process({ target: 'producer', args: [w, count], name: 'Producer' }),
    py.mp.Process({ target: 'consumer', args: [r], name: 'Consumer' }),
  ]
  py.at(31)
  for (const p of procs) p.start()
  py.at(33)
  for (const p of procs) p.join()
  py.at(34)
  py.print('main: both processes ended')
  py.result('sent', count)
}

export const pipeMessages = defineScenario({
  id: 'pipe-messages',
  title: 'Message passing through a Pipe',
  concept: 'Message passing',
  explanation:
    'Processes share no memory, so they talk by sending messages. Pipe(duplex=False) gives two ends: the ' +
    'Producer sends on one, the Consumer receives on the other. recv() blocks until a message arrives, and ' +
    'messages arrive in the order they were sent. Since the Consumer cannot know how many will come, the ' +
    'Producer ends with a sentinel, None, and the Consumer stops when it receives it.',
  lookFor:
    'Each send in the Producer lane has an arrow to the recv in the Consumer lane that took it. Between ' +
    'messages the Consumer is blocked in recv() while the Producer sleeps. The last arrow carries None, and ' +
    'the Consumer lane ends right after it; MainProcess is blocked in join() until both have ended.',
  tags: ['processes', 'IPC'],
  params: [
    {
      name: 'count',
      kind: 'int',
      default: 5,
      min: 1,
      max: 50,
      help: 'how many numbers the Producer sends before the sentinel',
    },
  ],
  threadsHint: () => 1,
  processesHint: () => 2,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, producer, consumer },
  verdict(run) {
    const sent = Number(run.result.sent)
    const received = (run.result.received as unknown[] | undefined) ?? []
    const inOrder = received.length === sent && received.every((v, i) => v === i)
    const printed = run.events.flatMap((e) => (e.type === 'print' ? [e.text] : []))
    const stopped = printed.includes('consumer: the sentinel, done')
    const text =
      inOrder && stopped
        ? `The Consumer received all ${sent} numbers in the order they were sent, then None, and stopped.`
        : stopped
          ? `The Consumer stopped at None but received [${received.join(', ')}], not 0..${sent - 1}: this is a bug in Interleave.`
          : `The Consumer did not reach the sentinel (${run.outcome.status}).`
    return {
      text,
      figures: { sent, received: received.length, order: received.join(' ') },
    }
  },
})
