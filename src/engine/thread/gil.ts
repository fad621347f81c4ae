import { C_GIL_DROP, C_GIL_HOLDER, C_GIL_SWITCHES, C_GIL_WAITERS } from './control'

/** What the GIL needs from the thread that takes it: who it is and how to show that it waits. */
export interface GilClient {
  readonly ownerCode: number
  /** Blocks like Atomics.wait, flushing the thread's trace first if the wait may be long. */
  blockWait(i32: Int32Array, index: number, expected: number, timeoutMs: number): string
  onGilWait(): void
  onGilTaken(): void
}

/**
 * CPython's GIL (the "new GIL" of 3.2+): a waiting thread that sees no switch for one
 * switch interval sets a drop request; the holder drops at its next check and waits until
 * another thread has taken it (forced switching). Blocking calls drop it without forcing.
 */
export class Gil {
  private held = false

  constructor(
    private readonly i32: Int32Array,
    private readonly client: GilClient,
    private readonly enabled: boolean,
    private readonly intervalMs: number,
  ) {}

  get holding(): boolean {
    return this.held
  }

  take(): void {
    if (!this.enabled) {
      this.client.onGilTaken()
      return
    }
    if (this.held) return
    const i32 = this.i32
    const me = this.client.ownerCode
    if (Atomics.compareExchange(i32, C_GIL_HOLDER, 0, me) !== 0) {
      this.client.onGilWait()
      Atomics.add(i32, C_GIL_WAITERS, 1)
      for (;;) {
        const holder = Atomics.load(i32, C_GIL_HOLDER)
        if (holder === 0) {
          if (Atomics.compareExchange(i32, C_GIL_HOLDER, 0, me) === 0) break
          continue
        }
        const switches = Atomics.load(i32, C_GIL_SWITCHES)
        const r = this.client.blockWait(i32, C_GIL_HOLDER, holder, this.intervalMs)
        if (
          r === 'timed-out' &&
          Atomics.load(i32, C_GIL_SWITCHES) === switches &&
          Atomics.load(i32, C_GIL_HOLDER) === holder
        ) {
          Atomics.store(i32, C_GIL_DROP, 1)
        }
      }
      Atomics.sub(i32, C_GIL_WAITERS, 1)
    }
    this.held = true
    Atomics.store(i32, C_GIL_DROP, 0)
    Atomics.add(i32, C_GIL_SWITCHES, 1)
    Atomics.notify(i32, C_GIL_SWITCHES)
    this.client.onGilTaken()
  }

  drop(): void {
    if (!this.enabled || !this.held) return
    this.held = false
    Atomics.store(this.i32, C_GIL_HOLDER, 0)
    Atomics.notify(this.i32, C_GIL_HOLDER, 1)
  }

  /** The eval loop's check: hand the GIL over if another thread has asked for it. */
  checkpoint(): void {
    if (!this.held || Atomics.load(this.i32, C_GIL_DROP) === 0) return
    const i32 = this.i32
    if (Atomics.load(i32, C_GIL_WAITERS) === 0) {
      Atomics.store(i32, C_GIL_DROP, 0)
      return
    }
    const switches = Atomics.load(i32, C_GIL_SWITCHES)
    // Shown before the drop: once dropped, another thread may run at once.
    this.client.onGilWait()
    this.drop()
    // Forced switching: do not retake the GIL before another thread has had it.
    this.client.blockWait(i32, C_GIL_SWITCHES, switches, this.intervalMs * 2)
    this.take()
  }
}
