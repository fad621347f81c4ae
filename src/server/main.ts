/**
 * `npm run serve`: browser mode on 127.0.0.1. The launcher is handed in by the caller (bin/serve.js
 * passes the checkout's), so that this layer imports only the engine, shared and the catalogue.
 */
import { fileURLToPath } from 'node:url'
import type { ProcessLauncher } from '../engine/launcher'
import { startServer, type InterleaveServer } from './server'

export const DEFAULT_PORT = 5174

const USAGE = `Usage: npm run serve -- [--port N]

Serves Interleave to a browser at http://127.0.0.1:N/ (default ${DEFAULT_PORT}; 0 picks a free port).
The port may also come from the PORT environment variable.`

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
  let port: number
  try {
    port = parsePort(argv, process.env)
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    process.stderr.write(`interleave serve: ${e.message}\n\n${USAGE}\n`)
    process.exitCode = 2
    return null
  }
  const rendererDir = fileURLToPath(new URL('../../out/renderer', import.meta.url))
  const server = await startServer({ port, rendererDir, launcher })
  process.stdout.write(`Interleave is at ${server.url}\n`)
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
