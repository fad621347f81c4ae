/**
 * Browser mode: the built renderer over HTTP and the InterleaveApi over a WebSocket at `/api`, on
 * 127.0.0.1 only. Each socket owns the runs it started: closing it stops them. What the page sends
 * is JSON, checked whole; what it gets is JSON too, but for runs' events, which go as binary frames.
 */
import { timingSafeEqual } from 'node:crypto'
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve, sep } from 'node:path'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { ProcessLauncher } from '../engine/launcher'
import { scenarioSummary } from '../engine/scenario'
import { startSession, type RunSession } from '../engine/session'
import { PageBatches } from '../engine/batch'
import { loadPlayerTemplate } from '../engine/export/player'
import { logRefused, refuseAndLog } from '../engine/refusalLog'
import { IPC, type RunStreamWireMessage, type SocketMessage, type SocketRequest } from '../shared/protocol'
import { findScenario, scenarios } from '../scenarios/catalog'
import { readSocketMessage } from './socketSchema'

export interface ServerOptions {
  /** 0 picks any free port. */
  port: number
  /** Where `electron-vite build` put the renderer (out/renderer). */
  rendererDir: string
  /** Where the HTML player was built (out/player); by default beside rendererDir. */
  playerDir?: string
  /** Made once, on first need (bundling the runtime takes a moment), and shared by every run. */
  launcher: () => Promise<ProcessLauncher>
  /** The address to listen on: 127.0.0.1 unless asked (npm run serve -- --host). */
  host?: string
  /**
   * When set, a socket must bring it (`/api?token=...`): what keeps others on the network from
   * starting processes here when the server listens beyond this machine. The page's address carries it.
   */
  token?: string
}

/** The largest request a socket may send. */
export const MAX_REQUEST_BYTES = 256 * 1024

/** Whether `token` (from a request) is the server's, compared in constant time. */
function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

export interface InterleaveServer {
  readonly url: string
  readonly port: number
  /** Stops every run (their processes are killed and waited for), then closes every connection. */
  close(): Promise<void>
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

export async function startServer(options: ServerOptions): Promise<InterleaveServer> {
  const host = options.host ?? '127.0.0.1'
  const rendererDir = resolve(options.rendererDir)
  let launcher: Promise<ProcessLauncher> | null = null
  const getLauncher = (): Promise<ProcessLauncher> => (launcher ??= options.launcher())
  const running = new Set<RunSession>()
  /** Each socket's Run-many batches. */
  const batchesOfPages = new Set<PageBatches>()

  const http = createServer((req, res) => serveFile(rendererDir, req, res))
  // A request is a few hundred bytes; a larger frame closes the socket (1009) before it is read.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES })

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname
    // A page from another site must not start processes on this machine; nor may anyone without
    // the token, when there is one.
    const origin = req.headers.origin
    const tokenOk = options.token === undefined || tokenMatches(options.token, url.searchParams.get('token'))
    if (path !== '/api' || !tokenOk || (origin !== undefined && origin !== `http://${req.headers.host}`)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
  })

  function serveSocket(ws: WebSocket): void {
    const mine = new Set<RunSession>()
    const send = (message: SocketMessage): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message))
    }
    /** A run's stream: its run:events as binary frames (the bytes the session made), the rest as JSON. */
    const sendRun = (message: RunStreamWireMessage): void => {
      if (!(message instanceof Uint8Array)) return send({ type: IPC.runStream, message })
      if (ws.readyState === ws.OPEN) ws.send(message, { binary: true })
    }
    /** Answers a refused message with why (`id` null: it had none to answer to), and logs it. */
    const refuse = (id: number | null, type: string | null, reason: string): void =>
      send({ type: 'api:error', id, message: refuseAndLog(type === null ? '/api' : `/api ${type}`, reason) })
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Checked whole (its type known, its fields exact) before anything reads it: socketSchema.ts.
      const read = readSocketMessage(isBinary ? '' : data.toString(), isBinary)
      if (!read.ok) return refuse(read.id, read.type, read.message)
      const { request } = read
      answer(request).then(
        (value) => send({ type: 'api:reply', id: request.id, value: value ?? null }),
        (e: unknown) => refuse(request.id, request.type, e instanceof Error ? e.message : String(e)),
      )
    })
    const batches = new PageBatches(findScenario, (message) => send({ type: IPC.batchStream, message }))
    batchesOfPages.add(batches)
    // A frame too large, or a broken one: ws closes that socket; the server goes on (an 'error'
    // without a listener would end the process). Logged as a refusal: a page reconnecting in a loop
    // cannot flood the log.
    ws.on('error', (e) => logRefused('/api', `the socket was closed: ${e.message}`))
    ws.on('close', () => {
      for (const session of mine) session.stop()
      void batches.close().finally(() => batchesOfPages.delete(batches))
    })

    async function answer(request: SocketRequest): Promise<unknown> {
      switch (request.type) {
        case IPC.scenariosList:
          return scenarios.map(scenarioSummary)
        case IPC.runStart: {
          const chosen = await getLauncher()
          if (ws.readyState !== ws.OPEN) throw new Error('the connection closed')
          const session = startSession(findScenario, request.request, chosen, sendRun)
          mine.add(session)
          running.add(session)
          const forget = (): void => {
            mine.delete(session)
            running.delete(session)
          }
          session.done.then(forget, (e: unknown) => {
            forget()
            process.stderr.write(`interleave: run ${session.runId} failed: ${(e as Error)?.stack ?? e}\n`)
          })
          return { runId: session.runId }
        }
        case IPC.runStop: {
          for (const session of mine) if (session.runId === request.runId) session.stop()
          return null
        }
        case IPC.runControl: {
          const session = [...mine].find((s) => s.runId === request.runId)
          if (!session) throw new Error(`no run '${request.runId}' is going on`)
          session.control(request.command)
          return null
        }
        case IPC.batchStart: {
          const chosen = await getLauncher()
          if (ws.readyState !== ws.OPEN) throw new Error('the connection closed')
          return batches.start(request.request, chosen)
        }
        case IPC.batchCancel:
          batches.cancel(request.batchId)
          return null
        case IPC.batchRun:
          return { base64: Buffer.from(batches.recording(request.batchId, request.run)).toString('base64') }
        case IPC.playerTemplate:
          return loadPlayerTemplate(options.playerDir ?? join(rendererDir, '../player'))
        default:
          // readSocketMessage lets no other type through.
          throw new Error(`unknown request '${(request as { type?: unknown }).type}'`)
      }
    }
  }

  await new Promise<void>((done, fail) => {
    http.once('error', fail)
    http.listen(options.port, host, () => {
      http.off('error', fail)
      done()
    })
  })
  const port = (http.address() as AddressInfo).port
  getLauncher().catch(() => {}) // warm: bundle the runtime now rather than at the first Run

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/${
      options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`
    }`,
    port,
    async close() {
      await Promise.all([...batchesOfPages].map((batches) => batches.close()))
      const ending = [...running].map((session) => {
        session.stop()
        return session.done.catch(() => {})
      })
      await Promise.all(ending)
      // Hosts kept ready for the next run (PrelaunchingLauncher) end with the server.
      await launcher?.then((l) => l.close?.()).catch(() => {})
      for (const ws of wss.clients) ws.terminate()
      wss.close()
      await new Promise<void>((done) => {
        http.close(() => done())
        http.closeAllConnections()
      })
    },
  }
}

function serveFile(rendererDir: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end()
    return
  }
  if (!existsSync(join(rendererDir, 'index.html'))) {
    res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8', 'Retry-After': '10' })
    res.end(notBuiltPage(rendererDir))
    return
  }
  let path: string
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
  } catch {
    res.writeHead(400).end()
    return
  }
  if (path.endsWith('/')) path += 'index.html'
  const file = resolve(rendererDir, `.${path}`)
  const stat = file.startsWith(rendererDir + sep) && existsSync(file) ? statSync(file) : null
  if (!stat?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Not found: ${path}\n`)
    return
  }
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-cache',
  })
  if (req.method === 'HEAD') res.end()
  else createReadStream(file).pipe(res)
}

function notBuiltPage(rendererDir: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Interleave: not built</title></head>
<body style="font: 20px/1.5 system-ui, sans-serif; margin: 2rem">
<h1>Interleave's page is not built yet</h1>
<p>There is no <code>index.html</code> in <code>${escapeHtml(rendererDir)}</code>.</p>
<p>Run <code>npm run build</code> and reload, or start browser mode with <code>npm run serve</code>,
which builds the page when it is missing.</p>
</body></html>
`
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
}
