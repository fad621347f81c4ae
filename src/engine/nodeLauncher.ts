import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { HostInbound, HostOutbound } from '../shared/protocol'
import type { LaunchedProcess, ProcessLauncher } from './launcher'

/** Process hosts as Node child processes (the CLI, the browser-mode server and the tests). */
export class NodeProcessLauncher implements ProcessLauncher {
  private readonly hostEntry: string

  constructor(
    readonly threadEntry: string,
    hostEntry?: string,
  ) {
    this.hostEntry = hostEntry ?? fileURLToPath(new URL('./host/main.ts', import.meta.url))
  }

  launch(name: string): LaunchedProcess {
    const execArgv = this.hostEntry.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : []
    const child = fork(this.hostEntry, [name], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    return new NodeLaunchedProcess(child)
  }
}

class NodeLaunchedProcess implements LaunchedProcess {
  private exited = false

  constructor(private readonly child: ChildProcess) {
    child.on('exit', () => (this.exited = true))
  }

  get osPid(): number | null {
    return this.child.pid ?? null
  }

  send(message: HostInbound): void {
    if (!this.exited && this.child.connected) this.child.send(message)
  }

  onMessage(listener: (message: HostOutbound) => void): void {
    this.child.on('message', (m) => listener(m as HostOutbound))
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    let called = false
    const once = (code: number | null, signal: string | null): void => {
      if (called) return
      called = true
      listener(code, signal)
    }
    this.child.on('exit', once)
    this.child.on('error', () => {
      if (this.child.pid === undefined) once(null, null)
    })
  }

  kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): void {
    if (!this.exited) this.child.kill(signal)
  }
}
