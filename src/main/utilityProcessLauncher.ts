import { utilityProcess, type UtilityProcess } from 'electron'
import hostPath from '../engine/host/main?modulePath'
import threadEntryPath from '../scenarios/threadEntry?modulePath'
import type { LaunchedProcess, ProcessLauncher } from '../engine/launcher'
import type { HostInbound, HostOutbound } from '../shared/protocol'

/** Starts each Python process of a run as an Electron utility process running the engine's process host. */
export class UtilityProcessLauncher implements ProcessLauncher {
  readonly threadEntry = threadEntryPath

  launch(name: string): LaunchedProcess {
    return new UtilityLaunchedProcess(utilityProcess.fork(hostPath, [], { serviceName: name }))
  }
}

class UtilityLaunchedProcess implements LaunchedProcess {
  constructor(private readonly child: UtilityProcess) {}

  get osPid(): number | null {
    return this.child.pid ?? null
  }

  send(message: HostInbound): void {
    this.child.postMessage(message)
  }

  onMessage(listener: (message: HostOutbound) => void): void {
    this.child.on('message', (message: HostOutbound) => listener(message))
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    // A utility process reports only its exit code, never the signal.
    this.child.on('exit', (code) => listener(code, null))
  }

  /** SIGKILL, as the interface promises (utilityProcess.kill() would send SIGTERM, which a hung host may not heed). */
  kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): void {
    const pid = this.child.pid
    try {
      if (pid === undefined) throw new Error('not started')
      process.kill(pid, signal)
    } catch {
      this.child.kill() // not started, or already gone: let Electron deal with it
    }
  }
}
