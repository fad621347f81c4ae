import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { Lock, Variable } from '../../engine/thread/primitives'
import type { RunRecord } from '../../shared/trace'
import { narration } from './narration'

function claim(py: Py, seen: Variable<Set<number>>, item: number): void {
  py.at(14)
  if (!seen.get().has(item)) {
    py.at(15)
    py.sleep(0)
    py.at(16)
    seen.update((set) => set.add(item))
    py.at(17)
    py.print(`${py.currentThread().name} claimed ${item}`)
  }
}

function worker(py: Py, seen: Variable<Set<number>>, lock: Lock, items: number, useLock: boolean): void {
  for (let item = 0; item < items; item++) {
    if (useLock) {
      py.at(23)
      lock.acquire()
      claim(py, seen, item)
      py.at(23)
      lock.release()
    } else {
      claim(py, seen, item)
    }
  }
}

function main(py: Py): void {
  const threads = py.int('threads')
  const items = py.int('items')
  const useLock = py.choice('lock') === 'on'
  py.at(9)
  const seen = py.shared('seen', new Set<number>())
  py.at(10)
  const lock = py.Lock('lock')
  py.at(30)
  const workers = Array.from({ length: threads }, () =>
    py.Thread({ target: 'worker', args: [seen, lock, items, useLock] }),
  )
  py.at(32)
  for (const t of workers) t.start()
  py.at(34)
  for (const t of workers) t.join()
  py.at(35)
  const sorted = [...seen.get()].sort((a, b) => a - b)
  py.print(`seen = [${sorted.join(', ')}]`)
  py.result('seen', sorted)
}

/** Who claimed each item, from the threads' "<name> claimed <item>" lines, in time order. */
export function claimsByItem(run: RunRecord): Map<number, string[]> {
  const claims = new Map<number, string[]>()
  const prints = run.events.flatMap((e) => (e.type === 'print' ? [e] : [])).sort((a, b) => a.tUs - b.tUs)
  for (const p of prints) {
    const m = /^(.+) claimed (\d+)$/.exec(p.text)
    if (!m) continue
    const item = Number(m[2])
    claims.set(item, [...(claims.get(item) ?? []), m[1]])
  }
  return claims
}

export const seenSet = defineScenario({
  id: 'seen-set',
  title: 'Check-then-act on a shared set',
  concept: 'Race conditions and locks',
  explanation:
    'Each thread walks the same items and claims an item if it is not yet in a shared set: it checks ' +
    '(item not in seen), then acts (seen.add(item)). Each step alone is safe, but the pair is not: if another ' +
    'thread runs between the check and the act, both see the item as new and both claim it. Holding a lock ' +
    'around the check and the act makes the pair one step, so each item is claimed by exactly one thread.',
  lookFor:
    'Without the lock, two threads read the set (the check), both sleep, then both add the same item and both ' +
    'print a claim. With the lock, one thread holds it from the check to the act while the others are blocked ' +
    'on it; the prints show which thread won each item.',
  tags: ['threads', 'sync'],
  params: [
    { name: 'threads', kind: 'int', default: 2, min: 2, max: 16, help: 'how many threads claim items' },
    {
      name: 'items',
      kind: 'int',
      default: 10,
      min: 1,
      max: 50,
      help: 'how many items each thread tries to claim',
    },
    {
      name: 'lock',
      kind: 'choice',
      default: 'off',
      choices: ['off', 'on'],
      help: 'hold a lock around the check and the act',
    },
  ],
  threadsHint: (p) => Number(p.threads),
  distribution: { figure: 'doubled', label: 'items claimed more than once', expected: 0 },
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, worker },
  verdict(run) {
    const items = Number(run.params.items)
    const claims = claimsByItem(run)
    const doubled = [...claims].filter(([, who]) => who.length > 1).sort(([a], [b]) => a - b)
    const total = [...claims.values()].reduce((s, who) => s + who.length, 0)
    const won = new Map<string, number[]>()
    for (const [item, who] of [...claims].sort(([a], [b]) => a - b)) {
      for (const name of who) won.set(name, [...(won.get(name) ?? []), item])
    }
    const winners = [...won].map(([name, list]) => `${name} won ${list.join(', ')}`).join('; ')
    const shown = doubled.slice(0, 3).map(([item, who]) => `${item} by ${who.join(' and ')}`)
    if (doubled.length > shown.length) shown.push('...')
    const text =
      doubled.length > 0
        ? `${doubled.length} of ${items} items claimed more than once (${shown.join('; ')}): ` +
          'each thread checked before the other added the item.'
        : claims.size === items
          ? `Each of the ${items} items was claimed exactly once: ${winners}.` +
            (run.params.lock === 'on' ? '' : ' The race is real but did not strike this time; run again.')
          : `Only ${claims.size} of ${items} items were claimed (${run.outcome.status}).`
    return {
      text,
      figures: {
        items,
        claims: total,
        doubled: doubled.length,
        ...Object.fromEntries([...won].map(([name, list]) => [name, list.length])),
      },
    }
  },
})
