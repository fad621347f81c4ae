/**
 * `npm run serve`: browser mode on 127.0.0.1. The launcher is handed in by the caller (bin/serve.js
 * passes the checkout's), so that this layer imports only the engine, shared and the catalogue.
 */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { ProcessLauncher } from '../engine/launcher'
import { startServer, type InterleaveServer } from './server'

export const DEFAULT_PORT = 5174

const USAGE = `Usage: npm run serve -- [--port N] [--host ADDRESS [--token TOKEN]]

Serves Interleave to a browser at http://127.0.0.1:N/ (default ${DEFAULT_PORT}; 0 picks a free port).
The port may also come from the PORT environment variable.

--host ADDRESS listens elsewhere than this machine's loopback (e.g. 0.0.0.0, for a projector's
browser on the classroom network). Anyone who can reach it could then start processes here, so it
asks for a token: --token TOKEN (at least 16 characters), or one is made up. The address printed
carries it; only a page opened with it can run lessons.`

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])
export const MIN_TOKEN_LENGTH = 16

export interface ServeArgs {
  port: number
  host: string
  /** Set when the server listens beyond loopback. */
  token: string | undefined
}

/** --port, --host and --token, checked; a host beyond loopback gets a token (made up if not given). */
export function parseServeArgs(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  makeToken: () => string = () => randomBytes(18).toString('base64url'),
): ServeArgs {
  const rest: string[] = []
  let host = '127.0.0.1'
  let token: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (name: string): string => {
      if (arg === `--${name}`) {
        const v = argv[++i]
        if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value`)
        return v
      }
      return arg.slice(`--${name}=`.length)
    }
    if (arg === '--host' || arg.startsWith('--host=')) host = value('host')
    else if (arg === '--token' || arg.startsWith('--token=')) token = value('token')
    else rest.push(arg)
  }
  const port = parsePort(rest, env)
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH)
    throw new UsageError(`the token must be at least ${MIN_TOKEN_LENGTH} characters long`)
  if (LOOPBACK.has(host)) return { port, host, token }
  return { port, host, token: token ?? makeToken() }
}

export class UsageError extends Error {
  override name = 'UsageError'
}

/** The port from `--port N`, `--port=N` or PORT, else the default. */
export function parsePort(argv: readonly string[], env: Record<string, string | undefined>): number {
  let raw = env.PORT
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--port') raw = argv[++i]
    else if (arg.startsWith('--port=')) raw = arg.slice('--port='.length)
    else throw new UsageError(`unknown argument '${arg}'`)
  }
  if (raw === undefined || raw === '') return DEFAULT_PORT
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`the port must be a whole number from 0 to 65535 (got '${raw}')`)
  }
  return port
}

export async function serve(
  argv: readonly string[],
  launcher: () => Promise<ProcessLauncher>,
): Promise<InterleaveServer | null> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`)
    return null
  }
  let args: ServeArgs
  try {
    args = parseServeArgs(argv, process.env)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    process.stderr.write(`interleave serve: ${e.message}\n\n${USAGE}\n`)
    process.exitCode = 2
    return null
  }
  const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))
  const server = await startServer({ ...args, rendererDir, launcher })
  process.stdout.write(`Interleave is at ${server.url}\n`)
  if (args.token !== undefined) {
    process.stdout.write(
      `It listens on ${args.host}: anyone who can reach this address with its token can run lessons ` +
        'on this machine. Share the address only with your class.\n',
    )
  }
  let closing = false
  const shutDown = (): void => {
    if (closing) return
    closing = true
    // Every run's processes are killed and waited for before this process ends.
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', shutDown)
  process.on('SIGTERM', shutDown)
  return server
}
