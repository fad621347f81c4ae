import { utilityProcess, type UtilityProcess } from 'electron'
import hostPath from '../engine/host/main?modulePath'
import threadEntryPath from '../scenarios/threadEntry?modulePath'
import type { LaunchedProcess, ProcessLauncher } from '../engine/launcher'
import type { HostInbound, HostOutbound } from '../shared/protocol'

/**
 * Where a file the package unpacks (electron-builder.yml's asarUnpack) really is: beside the archive, in
 * app.asar.unpacked. Worker threads load the thread entry as an ES module, and Node's module loader
 * reads files itself, not through Electron's archive-aware fs; from a plain folder it always can.
 */
export function unpackedPath(path: string): string {
  return path.replace(/\.asar([\\/])/, '.asar.unpacked$1')
}

/** Starts each Python process of a run as an Electron utility process running the engine's process host. */
export class UtilityProcessLauncher implements ProcessLauncher {
  /** Outside the archive in a package (with the lesson programs it reads); as it is otherwise. */
  readonly threadEntry = unpackedPath(threadEntryPath)

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
