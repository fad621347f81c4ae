import { expect, vi } from 'vitest'
import type { LaunchedProcess, ProcessLauncher } from '../../src/engine/launcher'

/** A launcher that remembers every process it started, to check that none is left. */
export class CountingLauncher implements ProcessLauncher {
  readonly launched: { handle: LaunchedProcess; exited: boolean }[] = []

  constructor(private readonly inner: ProcessLauncher) {}

  get threadEntry(): string {
    return this.inner.threadEntry
  }

  launch(name: string): LaunchedProcess {
    const entry = { handle: this.inner.launch(name), exited: false }
    entry.handle.onExit(() => (entry.exited = true))
    this.launched.push(entry)
    return entry.handle
  }

  /** Processes started and not yet exited. */
  get alive(): number {
    return this.launched.filter((p) => !p.exited).length
  }

  /** Every process launched has exited, and the OS knows no process by its pid. */
  async allGone(): Promise<void> {
    await vi.waitFor(() => expect(this.launched.filter((p) => !p.exited)).toEqual([]), { timeout: 15_000 })
    for (const { handle } of this.launched) {
      if (handle.osPid === null) continue
      expect(
        () => process.kill(handle.osPid as number, 0),
        `process ${handle.osPid} is still there`,
      ).toThrow()
    }
  }
}
