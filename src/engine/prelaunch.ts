/**
 * Process hosts started before they are needed: a window that will press Run again keeps one or two
 * hosts idle (Node or Electron started, the runtime loaded, no run yet), so a run's first process
 * skips that start-up (a few hundred milliseconds on a small machine). An idle host knows nothing of
 * any run until its host:prepare; it is refilled a moment after one is taken, not while the run
 * that took it is starting, and every idle host is ended by close().
 */
import type { LaunchedProcess, ProcessLauncher } from './launcher'

/** Hosts kept idle: a run's MainProcess and its first spare. */
export const IDLE_HOSTS = 2
/** Workers an idle host starts: as many as a run's host starts at least (MainThread and spares). */
export const WARM_THREADS = 3
/** How long after a host is taken its replacement starts. */
export const REFILL_DELAY_MS = 1500

interface Idle {
  process: LaunchedProcess
  exited: boolean
  gone: Promise<void>
}

export class PrelaunchingLauncher implements ProcessLauncher {
  private readonly idle: Idle[] = []
  private refillTimer: ReturnType<typeof setTimeout> | null = null
  private closed = false

  constructor(
    private readonly inner: ProcessLauncher,
    private readonly keep = IDLE_HOSTS,
  ) {
    this.refill()
  }

  get threadEntry(): string {
    return this.inner.threadEntry
  }

  /** How many hosts wait idle now (for tests and the bench). */
  get idleCount(): number {
    return this.idle.filter((i) => !i.exited).length
  }

  launch(name: string): LaunchedProcess {
    let taken = this.idle.shift()
    while (taken?.exited) taken = this.idle.shift()
    if (!this.closed && !this.refillTimer) {
      this.refillTimer = setTimeout(() => {
        this.refillTimer = null
        this.refill()
      }, REFILL_DELAY_MS)
      this.refillTimer.unref?.()
    }
    return taken && !taken.exited ? taken.process : this.inner.launch(name)
  }

  private refill(): void {
    while (!this.closed && this.idle.length < this.keep) {
      const process = this.inner.launch('interleave-host')
      // Its workers start too, and load the runtime; they learn their run with host:prepare.
      process.send({ type: 'host:warm', threadEntry: this.inner.threadEntry, threads: WARM_THREADS })
      const entry: Idle = { process, exited: false, gone: Promise.resolve() }
      entry.gone = new Promise((done) =>
        process.onExit(() => {
          entry.exited = true
          const i = this.idle.indexOf(entry)
          if (i >= 0) this.idle.splice(i, 1)
          done()
        }),
      )
      this.idle.push(entry)
    }
  }

  /** Ends the idle hosts and waits until they have exited; launching afterwards starts hosts afresh. */
  async close(): Promise<void> {
    this.closed = true
    if (this.refillTimer) clearTimeout(this.refillTimer)
    this.refillTimer = null
    const idle = this.idle.splice(0)
    for (const i of idle) i.process.kill('SIGKILL')
    await Promise.all(idle.map((i) => i.gone))
  }
}
