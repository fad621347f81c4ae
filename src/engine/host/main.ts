/**
 * Entry of a process host: an Electron utility process (messages on process.parentPort) or a
 * Node child process (IPC). It ends when its Python process ends, or when its parent goes.
 */
import type { HostInbound, HostOutbound } from '../../shared/protocol'
import { ProcessHost } from './host'

interface ParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (e: { data: unknown }) => void): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

if (parentPort) {
  const host = new ProcessHost(
    (m: HostOutbound) => parentPort.postMessage(m),
    (code) => setTimeout(() => process.exit(code), 10),
  )
  parentPort.on('message', (e) => host.receive(e.data as HostInbound))
  process.once('SIGTERM', () =>
    host.terminate(() => setTimeout(() => process.kill(process.pid, 'SIGTERM'), 10)),
  )
} else if (process.send) {
  const send = process.send.bind(process)
  const host = new ProcessHost(
    (m: HostOutbound) => send(m),
    (code) => {
      // Leave once the last messages are on their way.
      send({ type: 'host:flushed' }, () => process.exit(code))
    },
  )
  process.on('message', (m) => host.receive(m as HostInbound))
  process.on('disconnect', () => process.exit(1))
  process.once('SIGTERM', () =>
    host.terminate(() => send({ type: 'host:flushed' }, () => process.kill(process.pid, 'SIGTERM'))),
  )
} else {
  process.stderr.write('interleave: the process host must be started by the Interleave engine\n')
  process.exit(2)
}
