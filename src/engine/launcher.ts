import type { HostInbound, HostOutbound } from '../shared/protocol'

/** One running OS process that hosts a Python process's runtime (src/engine/host). */
export interface LaunchedProcess {
  readonly osPid: number | null
  send(message: HostInbound): void
  onMessage(listener: (message: HostOutbound) => void): void
  /** Called once, when the OS process has exited. */
  onExit(listener: (code: number | null, signal: string | null) => void): void
  /** Ends the OS process: SIGKILL by default; SIGTERM for Python's terminate(). */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): void
}

/**
 * Starts process hosts. The Node implementation (child_process.fork) is in nodeLauncher.ts;
 * the Electron one (utilityProcess.fork) lives in src/main.
 */
export interface ProcessLauncher {
  /** The worker_threads entry that runs one Python thread; handed to every host. */
  readonly threadEntry: string
  launch(name: string): LaunchedProcess
  /**
   * A run is about to launch its hosts, each of which will start `workers` workers before its
   * MainThread runs: a launcher that keeps hosts ready (PrelaunchingLauncher) starts as many in
   * them, for the next run of the same lesson, so that it does not wait for a worker to boot.
   */
  warmFor?(workers: number): void
  /** Ends any process the launcher keeps ready (PrelaunchingLauncher); runs end on their own. */
  close?(): Promise<void>
}
