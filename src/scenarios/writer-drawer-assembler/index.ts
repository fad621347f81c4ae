import { defineScenario } from '../../engine/scenario'
import type { Py } from '../../engine/thread/py'
import type { MpCondition, MpEvent } from '../../engine/thread/mp'
import { narration } from './narration'

function writer(py: Py, cond: MpCondition, written: MpEvent): void {
  py.at(9)
  py.print('Writer: writing')
  py.at(10)
  py.sleep(2)
  py.at(11)
  cond.acquire()
  py.at(12)
  cond.notifyAll()
  py.at(11)
  cond.release()
  py.at(13)
  written.set()
  py.at(14)
  py.print('Writer: done')
}

function drawer(py: Py, cond: MpCondition, written: MpEvent, drawn: MpEvent): void {
  py.at(18)
  written.wait()
  py.at(19)
  cond.acquire()
  py.at(20)
  py.print('Drawer: drawing')
  py.at(21)
  py.sleep(2)
  py.at(22)
  cond.notifyAll()
  py.at(19)
  cond.release()
  py.at(23)
  drawn.set()
  py.at(24)
  py.print('Drawer: done')
}

function assembler(py: Py, cond: MpCondition, written: MpEvent, drawn: MpEvent, fixed: boolean): void {
  py.at(28)
  written.wait()
  if (fixed) {
    py.at(30)
    drawn.wait()
  } else {
    py.at(32)
    cond.acquire()
    py.at(33)
    cond.wait()
    py.at(32)
    cond.release()
  }
  py.at(34)
  py.print('Assembler: assembling')
  py.at(35)
  py.sleep(2)
  py.at(36)
  py.print('Assembler: done')
}

function main(py: Py): void {
  const fixed = py.choice('variant') === 'fixed'
  py.at(40)
  const cond = py.mp.Condition('cond')
  py.at(41)
  const written = py.mp.Event('written')
  py.at(42)
  const drawn = py.mp.Event('drawn')
  py.at(44)
  const procs = (['writer', 'drawer', 'assembler'] as const).map((f) =>
    py.mp.Process({
      target: f,
      args: f === 'assembler' ? [cond, written, drawn, fixed] : [cond, written, drawn],
      name: f[0].toUpperCase() + f.slice(1),
    }),
  )
  py.at(48)
  for (const p of procs) p.start()
  py.at(50)
  for (const p of procs) p.join()
}

export const writerDrawerAssembler = defineScenario({
  id: 'writer-drawer-assembler',
  title: 'A lost wake-up between processes',
  concept: 'Conditions and events',
  explanation:
    'Three processes hand work on: the Writer writes, then sets an event; the Drawer and the Assembler both wait ' +
    'for it. The Drawer draws while holding the condition and then notifies; the Assembler waits on the condition ' +
    'for that notify. But a notify only wakes threads that are already waiting: if the Drawer gets the ' +
    "condition's lock first, it notifies before the Assembler waits, and the Assembler waits forever. " +
    'The fixed version hands on with one event per step, and an event that is set stays set.',
  lookFor:
    "As written: after the event, the Drawer and the Assembler race for the condition's lock. If the Assembler " +
    'wins, it waits and is woken by the notify (an arrow). If the Drawer wins, its notify wakes nobody and the ' +
    'Assembler stays waiting on the condition until the timeout. Fixed: three steps of 2 s, one after the other.',
  tags: ['processes', 'sync', 'IPC'],
  params: [
    {
      name: 'variant',
      kind: 'choice',
      default: 'as-written',
      choices: ['as-written', 'fixed'],
      help: 'as-written can miss a notify; fixed uses one event per hand-off',
    },
  ],
  timeoutS: 10,
  processesHint: () => 3,
  programUrl: new URL('./program.py', import.meta.url),
  narration,
  functions: { main, writer, drawer, assembler },
  verdict(run) {
    const printed = run.events.flatMap((e) => (e.type === 'print' ? [e.text] : []))
    const assembled = printed.includes('Assembler: done')
    const order = printed.filter((p) => p.endsWith(': done')).map((p) => p.split(':')[0])
    const hung = run.outcome.status === 'timed-out'
    const text = assembled
      ? `All three finished (${order.join(', ')}) in ${(run.outcome.wallUs / 1e6).toFixed(1)} s: ` +
        (run.params.variant === 'fixed'
          ? 'each hand-off was an event that stays set.'
          : 'the Assembler was waiting before the Drawer notified.')
      : hung && order.includes('Drawer') && run.params.variant !== 'fixed'
        ? 'Lost wake-up: the Drawer notified before the Assembler waited, so the Assembler waited until the timeout.'
        : hung
          ? `The run timed out before the Assembler finished (done by then: ${order.join(', ') || 'nobody'}); ` +
            'the lesson takes about 6 s at speed 1.'
          : `The Assembler did not finish (${run.outcome.status}).`
    return { text, figures: { assembled: assembled ? 'yes' : 'no', order: order.join(' > ') } }
  },
})
