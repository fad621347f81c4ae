/**
 * Every IPC channel main answers goes through here. A message is read only if it comes from the app's
 * own page (the main frame of one of its windows, showing the page the app loaded) and its arguments
 * pass the channel's schema (src/main/ipcSchema.ts, over src/shared/requestSchema.ts). Anything else is
 * refused with a message for the page and a line in main's log (src/engine/refusalLog.ts, which browser
 * mode's server uses too), and main goes on.
 *
 * No handler throws: Electron would answer the page with its own wrapping of the message, and print
 * every thrown error to stderr itself, one line per message however many a page sends. A refusal is an
 * answer, `{ ok: false, message }`, as run:start's always was; the preload turns it into a rejection.
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  BrowserWindow,
  ipcMain,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
  type WebContents,
  type WebFrameMain,
} from 'electron'
import { logRefused, printable, refuseAndLog } from '../engine/refusalLog'
import type { Args } from './ipcSchema'

/** A refused message's answer. */
export interface Refusal {
  ok: false
  message: string
}

/** What an invoke channel answers: `{ ok: true, ...value }`, or a refusal. */
export type Answer<T extends object = object> = ({ ok: true } & T) | Refusal

/** The built page the app's window loads when no dev server runs. */
export function appPageFile(): string {
  return join(import.meta.dirname, '../renderer/index.html')
}

/**
 * Whether `url` is the app's page: the dev server's origin when electron-vite runs one (it sets
 * ELECTRON_RENDERER_URL), else the built index.html, by its path (its query and fragment aside).
 */
export function isAppPage(url: string): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer) {
    try {
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === new URL(devServer).origin
    } catch {
      return false
    }
  }
  if (u.protocol !== 'file:' || u.host !== '') return false
  try {
    const path = resolve(fileURLToPath(u))
    const page = resolve(appPageFile())
    return process.platform === 'win32' ? path.toLowerCase() === page.toLowerCase() : path === page
  } catch {
    return false // not a path on this system
  }
}

/** Where a message came from, as Electron tells it. */
interface SenderOf {
  sender: WebContents
  senderFrame: WebFrameMain | null
}

/** Why a message is not from the app's own page, or null when it is. */
export function senderProblem(event: SenderOf): string | null {
  const contents = event.sender
  const frame = event.senderFrame
  if (!contents || !frame) return 'it came from no frame (the page navigated away or closed)'
  if (!BrowserWindow.fromWebContents(contents))
    return "it came from web contents that are not one of the app's windows"
  if (frame.parent !== null) return 'it came from a frame inside the page, not the page itself'
  if (!isAppPage(frame.url)) return `it came from a page that is not the app's (${printable(frame.url, 100)})`
  return null
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function refusal(channel: string, reason: string): Refusal {
  return { ok: false, message: refuseAndLog(channel, reason) }
}

/**
 * Answers an invoke channel: the sender and the arguments are checked before `handler` sees them,
 * and whatever it refuses (or throws) is logged and answered as a refusal.
 */
export function handle<A extends unknown[], R extends Answer>(
  channel: string,
  args: Args<A>,
  handler: (event: IpcMainInvokeEvent, ...args: A) => R | Promise<R>,
): void {
  ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...raw: unknown[]): Promise<R | Refusal> => {
    const who = senderProblem(event)
    if (who) return refusal(channel, who)
    let checked: A
    try {
      checked = args(raw, channel)
    } catch (e) {
      return refusal(channel, messageOf(e))
    }
    try {
      const reply = await handler(event, ...checked)
      return reply.ok ? reply : refusal(channel, (reply as Refusal).message)
    } catch (e) {
      return refusal(channel, messageOf(e))
    }
  })
}

/**
 * Listens on a send channel (no answer): a message from another sender, or with bad arguments, is
 * logged and dropped; an error in `listener` is logged too, rather than thrown into Electron (where an
 * uncaught error in main shows the user a dialog).
 */
export function listen<A extends unknown[]>(
  channel: string,
  args: Args<A>,
  listener: (event: IpcMainEvent, ...args: A) => void,
): void {
  ipcMain.on(channel, (event: IpcMainEvent, ...raw: unknown[]) => {
    const who = senderProblem(event)
    if (who) return logRefused(channel, who)
    let checked: A
    try {
      checked = args(raw, channel)
    } catch (e) {
      return logRefused(channel, messageOf(e))
    }
    try {
      listener(event, ...checked)
    } catch (e) {
      logRefused(channel, `it failed: ${messageOf(e)}`)
    }
  })
}

/**
 * Logs what a page sends on channels nobody listens on, and refuses every synchronous message (the
 * app has none: without an answer the sender's page would hang, and Electron would warn unthrottled).
 * An invoke on a channel nobody handles is answered by Electron itself ("No handler registered"), which
 * offers main no hook to log it.
 */
export function refuseUnknownChannels(contents: WebContents): void {
  contents.on('ipc-message', (_event, channel: string) => {
    if (ipcMain.listenerCount(channel) === 0) logRefused(String(channel), 'nothing listens on this channel')
  })
  contents.on('ipc-message-sync', (event, channel: string) => {
    const reason = 'the app answers no synchronous message'
    event.returnValue = { ok: false, message: reason } satisfies Refusal
    // A listened channel's listener logs it, if it refuses it.
    if (ipcMain.listenerCount(channel) === 0) logRefused(String(channel), reason)
  })
}
