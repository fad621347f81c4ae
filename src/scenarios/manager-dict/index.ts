import { defineScenario } from '../../engine/scenario'
import type { ManagedCollection } from '../../engine/thread/mp'
import type { Py } from '../../engine/thread/py'
import { narration } from './narration'

function worker(py: Py, shared: ManagedCollection, n: number): void {
  py.at(8)
  shared.set(`worker-${n}`, n * n)
}

function main(py: Py): void {
  const count = py.int('workers')
  py.at(12)
  const manager = py.mp.Manager()
  py.at(13)
  const shared = manager.dict('shared')
  py.at(14)
  const workers = Array.from({ length: count }, (_, n) =>
    py.mp.Process({ target: 'worker', args: [shared, n] }),
  )
  py.at(16)
  for (const p of workers) p.start()
  py.at(18)
  for (const p of workers) p.join()
  py.at(19)
  const items = shared.snapshot() as [string, number][]
  py.print(new Map(items))
  py.at(20)
  const size = shared.call('__len__') as number
  py.print(`${size} keys, expected ${count}`)
  py.result('keys', items.map(([k]) => k).sort())
  py.result('len', size)
  py.at(12)
  manager.shutdown()
}

export const managerDict = defineScenario({
  id: 'manager-dict',
  title: 'A Manager: shared state in a server process',
  concept: 'Shared state',
  explanation:
    'Processes share no memory, so a plain dict written in a child stays in that child. Manager() starts ' +
    'a server process (SyncManager-1) that owns the real dict; manager.dict() hands out a proxy. Every ' +
    'operation on the proxy, such as shared[key] = value, is a message to the server and a reply from it: ' +
    "the server does it on its dict, one request at a time. So every worker's write lands in the one dict, " +
    'and the parent, asking the server in turn, sees every key. Leaving the with block shuts the server down.',
  lookFor:
    'A lane of its own for SyncManager-1, which waits on its request queue. Each write on line 8 is a round ' +
    "trip: an arrow from the worker to the server (the request), then one back on the worker's own reply " +
    'queue, and the worker is blocked until the answer comes. The parent reads the dict the same way, after ' +
    'the joins.',
  tags: ['processes', 'IPC'],
  params: [
    { name: 'workers', kind: 'int', default: 4, min: 1, max: 16, help: 'processes that write a key each' },
  ],
  processesHint: (p) => Number(p.workers) + 1,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const workers = Number(run.params.workers)
    const keys = (run.result.keys as string[] | undefined) ?? []
    const expected = Array.from({ length: workers }, (_, n) => `worker-${n}`).sort()
    const missing = expected.filter((k) => !keys.includes(k))
    const server = run.processes.find((p) => p.name.startsWith('SyncManager'))
    const calls = run.events.filter((e) => e.type === 'op' && e.op === 'call').length
    const text =
      run.result.keys === undefined
        ? `The parent did not read the dict (${run.outcome.status}).`
        : missing.length === 0
          ? `The parent saw all ${workers} keys: each worker's write went to the one dict in ` +
            `${server?.name ?? 'the manager'}, by ${calls} proxy calls in all.`
          : `The parent missed ${missing.join(', ')}: this is a bug in Interleave.`
    return { text, figures: { keys: keys.length, expected: workers, 'proxy calls': calls } }
  },
})
