/**
 * Process hosts started before they are needed: a window that will press Run again keeps one or two
 * hosts idle (Node or Electron started, the runtime loaded, no run yet), so a run's first process
 * skips that start-up (a few hundred milliseconds on a small machine). An idle host knows nothing of
 * any run until its host:prepare; it is refilled a moment after one is taken, not while the run
 * that took it is starting, and every idle host is ended by close(). Idle hosts start as many workers
 * as the latest run's hosts started before its MainThread ran (warmFor; from the next refill on), so
 * that running the same lesson again waits for none to boot.
 */
import type { HostInbound } from '../shared/protocol'
import type { LaunchedProcess, ProcessLauncher } from './launcher'

/** Hosts kept idle: a run's MainProcess and its first spare. */
export const IDLE_HOSTS = 2
/** Workers an idle host starts: as many as a run's host starts at least (MainThread and spares). */
export const WARM_THREADS = 3
/**
 * The most workers an idle host starts when the latest run wanted more (warmFor): every lesson of
 * the catalogue at its default parameters, without keeping dozens of idle threads for a large one.
 */
export const MAX_WARM_THREADS = 6

/** The workers a host started ahead starts, for runs that start `workers` before MainThread runs. */
export function warmThreadsFor(workers: number): number {
  return Math.min(MAX_WARM_THREADS, Math.max(WARM_THREADS, Math.floor(workers)))
}

/** How long after a host is taken its replacement starts. */
export const REFILL_DELAY_MS = 1500

interface Idle {
  process: LaunchedProcess
  /** The workers it was told to start. */
  threads: number
  exited: boolean
  gone: Promise<void>
}

export class PrelaunchingLauncher implements ProcessLauncher {
  private readonly idle: Idle[] = []
  private refillTimer: ReturnType<typeof setTimeout> | null = null
  private closed = false
  /** Workers each idle host starts: as many as the latest run's hosts start (within bounds). */
  private threads = WARM_THREADS

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

  /**
   * The run starting now has its hosts start `workers` workers before MainThread runs. A person
   * is likely to run the same lesson again: idle hosts start as many, so that the next run's
   * MainThread does not wait for one to boot (a few hundred milliseconds on a small machine).
   */
  warmFor(workers: number): void {
    // Idle hosts that have fewer start more at the next refill, not while this run starts.
    this.threads = warmThreadsFor(workers)
  }

  private warmMessage(): HostInbound {
    return { type: 'host:warm', threadEntry: this.inner.threadEntry, threads: this.threads }
  }

  private refill(): void {
    // host:warm only ever adds workers to a host: one that has more keeps them.
    for (const i of this.idle) {
      if (i.exited || i.threads >= this.threads) continue
      i.process.send(this.warmMessage())
      i.threads = this.threads
    }
    while (!this.closed && this.idle.length < this.keep) {
      const process = this.inner.launch('interleave-host')
      // Its workers start too, and load the runtime; they learn their run with host:prepare.
      process.send(this.warmMessage())
      const entry: Idle = { process, threads: this.threads, exited: false, gone: Promise.resolve() }
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
