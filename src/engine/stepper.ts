/**
 * Step mode's scheduler, in the run's orchestrator: every thread of every process waits at its next
 * operation (see ThreadRuntime.gate) until chosen. A choice takes effect only when no thread runs,
 * so that each step is one operation and its consequences (a woken thread taking the lock it was
 * given) before the next: the same choices then give the same interleaving, run after run.
 */
import type { StepCandidate, StepGate, StepView } from '../shared/protocol'
import { splitThreadKey, threadKey } from '../shared/trace'

/** How long a replayed schedule waits for a thread it names before it is called off. */
export const DIVERGE_AFTER_MS = 2000

interface HostStepState {
  running: boolean
  gated: StepGate[]
  grants: number
  replies: number
}

export interface StepperIo {
  grant(pid: number, tid: number): void
  publish(view: StepView): void
  processName(pid: number): string
}

export class Stepper {
  /** null: a process not heard from yet (it counts as running). */
  private readonly hosts = new Map<number, HostStepState | null>()
  private readonly grantsSent = new Map<number, number>()
  private readonly repliesSent = new Map<number, number>()
  private choice: number | null = null
  /** The thread chosen at each step: the run's schedule. */
  readonly chosen: number[] = []
  private scheduleAt = 0
  private diverged: string | null = null
  private divergeTimer: ReturnType<typeof setTimeout> | null = null
  private lastView = ''
  private disposed = false

  constructor(
    private readonly schedule: readonly number[],
    private readonly io: StepperIo,
  ) {}

  /** Every thread has stopped and the run waits for the teacher's choice among waiting threads. */
  waitingForChoice = false

  processStarted(pid: number): void {
    this.hosts.set(pid, null)
    this.evaluate()
  }

  processEnded(pid: number): void {
    this.hosts.delete(pid)
    this.evaluate()
  }

  /** The run sent a broker reply to a thread of `pid`: until the host says it took it in, the host's state is old. */
  replySent(pid: number): void {
    this.repliesSent.set(pid, (this.repliesSent.get(pid) ?? 0) + 1)
  }

  hostState(pid: number, state: HostStepState): void {
    if (!this.hosts.has(pid)) return
    this.hosts.set(pid, state)
    this.evaluate()
  }

  /** The teacher's choice: the thread (a key) to do its next operation, now or once every thread has stopped. */
  choose(key: number): void {
    this.choice = key
    this.evaluate()
  }

  dispose(): void {
    this.disposed = true
    if (this.divergeTimer) clearTimeout(this.divergeTimer)
  }

  private get replaying(): boolean {
    return this.scheduleAt < this.schedule.length && this.diverged === null
  }

  private evaluate(): void {
    if (this.disposed) return
    let ready = true
    const candidates: StepCandidate[] = []
    for (const [pid, s] of [...this.hosts].sort((a, b) => a[0] - b[0])) {
      if (
        s === null ||
        s.running ||
        s.grants !== (this.grantsSent.get(pid) ?? 0) ||
        s.replies !== (this.repliesSent.get(pid) ?? 0)
      ) {
        ready = false
      }
      for (const g of s?.gated ?? []) {
        candidates.push({
          key: threadKey(pid, g.tid),
          pid,
          tid: g.tid,
          process: this.io.processName(pid),
          name: g.name,
          line: g.line,
        })
      }
    }
    if (ready) {
      const want = this.replaying ? this.schedule[this.scheduleAt] : this.choice
      const pick = want === null ? undefined : candidates.find((c) => c.key === want)
      if (pick) {
        this.grant(pick)
        return
      }
      if (this.replaying) this.armDiverge()
      else this.choice = null
    } else if (this.divergeTimer) {
      clearTimeout(this.divergeTimer)
      this.divergeTimer = null
    }
    // With nobody to choose (each thread blocked or asleep), the run's timeout goes on: it may hang.
    this.waitingForChoice = ready && !this.replaying && candidates.length > 0
    this.publish({
      candidates,
      ready,
      steps: this.chosen.length,
      replayLeft: this.replaying ? this.schedule.length - this.scheduleAt : 0,
      diverged: this.diverged,
    })
  }

  private grant(c: StepCandidate): void {
    if (this.divergeTimer) clearTimeout(this.divergeTimer)
    this.divergeTimer = null
    this.chosen.push(c.key)
    if (this.replaying) this.scheduleAt++
    else this.choice = null
    this.grantsSent.set(c.pid, (this.grantsSent.get(c.pid) ?? 0) + 1)
    this.io.grant(c.pid, c.tid)
    this.evaluate()
  }

  /** A replayed schedule names a thread that is not waiting: give it time (it may be asleep), then hand over to the teacher. */
  private armDiverge(): void {
    if (this.divergeTimer) return
    const at = this.scheduleAt
    this.divergeTimer = setTimeout(() => {
      this.divergeTimer = null
      if (this.scheduleAt !== at || !this.replaying) return
      const { pid, tid } = splitThreadKey(this.schedule[at])
      this.diverged =
        `step ${at + 1} of the schedule chose thread ${tid} of ${this.io.processName(pid)}, which never got there: ` +
        'this run went another way; choose the next steps yourself'
      this.evaluate()
    }, DIVERGE_AFTER_MS)
  }

  private publish(view: StepView): void {
    const key = JSON.stringify(view)
    if (key === this.lastView) return
    this.lastView = key
    this.io.publish(view)
  }
}
