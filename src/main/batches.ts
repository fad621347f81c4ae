import { app, type WebContents } from 'electron'
import { PageBatches } from '../engine/batch'
import type { ProcessLauncher } from '../engine/launcher'
import type { ScenarioDefinition } from '../engine/scenario'
import type { BatchRunReply, BatchStartReply } from '../shared/batch'
import { IPC } from '../shared/protocol'
import { handle } from './ipcGuard'
import { channelArgs } from './ipcSchema'

/**
 * Run many in the app: each page's batches (src/engine/batch.ts), whose progress goes to the page on
 * batch:stream. A page owns its batch: when it goes (its window closes, it reloads, its renderer
 * dies) the batch is cancelled and its kept runs let go.
 */
export class Batches {
  private readonly pages = new Map<WebContents, PageBatches>()
  private readonly closing = new Set<Promise<void>>()

  constructor(
    private readonly launcher: ProcessLauncher,
    private readonly find: (id: string) => ScenarioDefinition | undefined,
  ) {}

  /** Whether any batch still runs, or is being cancelled. */
  get busy(): boolean {
    return this.closing.size > 0 || [...this.pages.values()].some((p) => p.busy)
  }

  start(contents: WebContents, request: unknown): BatchStartReply {
    try {
      return { ok: true, ...this.pageOf(contents).start(request, this.launcher) }
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) }
    }
  }

  cancel(contents: WebContents, batchId: unknown): void {
    this.pages.get(contents)?.cancel(batchId)
  }

  run(contents: WebContents, batchId: unknown, run: unknown): BatchRunReply {
    try {
      const page = this.pages.get(contents)
      if (!page) return { ok: false, message: 'this window has run no batch' }
      return { ok: true, bytes: page.recording(batchId, run) }
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) }
    }
  }

  /** The page is gone or replaced: its batch is cancelled and forgotten. */
  release(contents: WebContents): void {
    const page = this.pages.get(contents)
    if (!page) return
    this.pages.delete(contents)
    const closed = page.close()
    this.closing.add(closed)
    void closed.finally(() => this.closing.delete(closed))
  }

  /** Cancels every batch and waits until their runs' processes have exited, or `timeoutMs` has passed. */
  async stopAll(timeoutMs = 5000): Promise<void> {
    for (const contents of [...this.pages.keys()]) this.release(contents)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    await Promise.race([Promise.all([...this.closing]), late])
    clearTimeout(timer)
  }

  private pageOf(contents: WebContents): PageBatches {
    const known = this.pages.get(contents)
    if (known) return known
    const page = new PageBatches(this.find, (message) => {
      if (!contents.isDestroyed()) contents.send(IPC.batchStream, message)
    })
    this.pages.set(contents, page)
    contents.on('render-process-gone', () => this.release(contents))
    contents.once('destroyed', () => this.release(contents))
    return page
  }
}

/**
 * Answers the batch channels, each checking its sender and arguments first (src/main/ipcGuard.ts).
 * A page that loads again loses its batch, as its runs: run:connect (src/main/index.ts) calls
 * `release`. Quitting waits until every batch's processes have exited.
 */
export function registerBatchIpc(
  launcher: ProcessLauncher,
  find: (id: string) => ScenarioDefinition | undefined,
): Batches {
  const batches = new Batches(launcher, find)
  handle(IPC.batchStart, channelArgs.batchStart, (event, request) => batches.start(event.sender, request))
  handle(IPC.batchCancel, channelArgs.batchCancel, (event, batchId) => {
    batches.cancel(event.sender, batchId)
    return { ok: true }
  })
  handle(IPC.batchRun, channelArgs.batchRun, (event, batchId, run) => batches.run(event.sender, batchId, run))
  app.on('will-quit', (event) => {
    if (!batches.busy) return
    event.preventDefault()
    void batches.stopAll().finally(() => app.quit())
  })
  return batches
}
