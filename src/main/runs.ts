import { MessageChannelMain, type MessagePortMain, type WebContents } from 'electron'
import type { ProcessLauncher } from '../engine/launcher'
import type { ScenarioDefinition } from '../engine/scenario'
import { startSession, type RunSession } from '../engine/session'
import { runControl } from '../shared/requestSchema'
import {
  IPC,
  type RunControlReply,
  type RunRequest,
  type RunStartReply,
  type RunStreamWireMessage,
} from '../shared/protocol'

/**
 * Main's end of one page's run stream. Messages for a page that has gone are dropped. A run's
 * events go as the ArrayBuffer of their frame (src/shared/eventCodec.ts), which the page decodes:
 * the port copies one block of bytes rather than cloning an object per event, and the preload hands
 * the page bytes too. (A MessagePortMain transfers ports only; an ArrayBuffer is copied, once.)
 */
class PageStream {
  private open = true

  constructor(private readonly port: MessagePortMain) {}

  send(message: RunStreamWireMessage): void {
    if (!this.open) return
    if (!(message instanceof Uint8Array)) return this.port.postMessage(message)
    const whole = message.byteOffset === 0 && message.byteLength === message.buffer.byteLength
    this.port.postMessage(whole ? message.buffer : message.slice().buffer)
  }

  close(): void {
    if (!this.open) return
    this.open = false
    this.port.close()
  }
}

/** A loaded page: its stream, and the runs it started, which nothing else may stop. */
interface Page {
  stream: PageStream | null
  runs: Map<string, RunSession>
}

/**
 * The runs of every window. Each page owns the runs it started and gets their messages over one
 * MessagePort: when the page goes (its window closes, it reloads, its renderer dies), they stop.
 */
export class Runs {
  private readonly pages = new Map<WebContents, Page>()
  private readonly running = new Set<RunSession>()

  constructor(
    private readonly launcher: ProcessLauncher,
    private readonly find: (id: string) => ScenarioDefinition | undefined,
  ) {}

  /** Whether any run still has processes (or is stopping them). */
  get busy(): boolean {
    return this.running.size > 0
  }

  /**
   * A page has loaded and asks for its stream: main keeps port1 and sends port2 to the page. The
   * runs of the page it replaces (a reload) are stopped: no view of them is left.
   */
  connect(contents: WebContents): PageStream {
    const page = this.pageOf(contents)
    this.release(page)
    const { port1, port2 } = new MessageChannelMain()
    const stream = new PageStream(port1)
    page.stream = stream
    contents.postMessage(IPC.runStream, null, [port2])
    return stream
  }

  /** Starts a run for the page; a bad request is refused with a message for the user, and nothing starts. */
  start(contents: WebContents, request: RunRequest): RunStartReply {
    const page = this.pageOf(contents)
    // The preload connects as the page loads, before it can start anything; this is only a safety net.
    const stream = page.stream ?? this.connect(contents)
    let session: RunSession
    try {
      session = startSession(this.find, request, this.launcher, (message) => stream.send(message))
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) }
    }
    page.runs.set(session.runId, session)
    this.running.add(session)
    const forget = (): void => {
      page.runs.delete(session.runId)
      this.running.delete(session)
    }
    session.done.then(forget, (e: unknown) => {
      forget()
      console.error(`interleave: run ${session.runId} failed:`, e)
    })
    return { ok: true, runId: session.runId }
  }

  /** Stops one of the page's runs; its stream then ends with run:end. Another page's run is not its to stop. */
  stop(contents: WebContents, runId: string): void {
    this.pages.get(contents)?.runs.get(runId)?.stop()
  }

  /** Pauses, resumes or steps one of the page's runs; a refusal is an answer with its message. */
  control(contents: WebContents, runId: string, command: unknown): RunControlReply {
    try {
      const checked = runControl(command, 'command')
      const session = this.pages.get(contents)?.runs.get(runId)
      if (!session) return { ok: false, message: `no run '${String(runId)}' of this window is going on` }
      session.control(checked)
      return { ok: true }
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) }
    }
  }

  /**
   * Stops every run and waits until their processes have exited, or `timeoutMs` has passed (a quit
   * must not hang on a host that never reports its exit).
   */
  async stopAll(timeoutMs = 5000): Promise<void> {
    for (const page of this.pages.values()) this.release(page)
    const ended = Promise.all([...this.running].map((session) => session.done.catch(() => {})))
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))
    await Promise.race([ended, late])
    clearTimeout(timer)
  }

  private pageOf(contents: WebContents): Page {
    const known = this.pages.get(contents)
    if (known) return known
    const page: Page = { stream: null, runs: new Map() }
    this.pages.set(contents, page)
    contents.on('render-process-gone', () => this.release(page))
    contents.once('destroyed', () => {
      this.release(page)
      this.pages.delete(contents)
    })
    return page
  }

  /** The page is gone or replaced: its runs are stopped and its stream closed. */
  private release(page: Page): void {
    for (const session of page.runs.values()) session.stop()
    page.runs.clear()
    page.stream?.close()
    page.stream = null
  }
}
