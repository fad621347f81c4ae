import type { RunLimits } from '../../src/shared/protocol'
import type { LaunchedProcess, ProcessLauncher } from '../../src/engine/launcher'

/**
 * A launcher whose hosts are prepared with other limits than the defaults (small ones, so that a
 * test reaches them quickly): it adds them to each host:prepare on its way, as a run would.
 * `warmFirst`: each host is first warmed for no run in particular (host:warm, as the app's
 * PrelaunchingLauncher does), so its first workers start under the default limits.
 */
export function withLimits(
  inner: ProcessLauncher,
  limits: Partial<RunLimits>,
  warmFirst = false,
): ProcessLauncher {
  return {
    get threadEntry() {
      return inner.threadEntry
    },
    launch(name: string): LaunchedProcess {
      const handle = inner.launch(name)
      if (warmFirst) handle.send({ type: 'host:warm', threadEntry: inner.threadEntry, threads: 2 })
      return {
        get osPid() {
          return handle.osPid
        },
        send: (message) =>
          handle.send(
            message.type === 'host:prepare'
              ? {
                  ...message,
                  prepare: { ...message.prepare, limits: { ...message.prepare.limits, ...limits } },
                }
              : message,
          ),
        onMessage: (listener) => handle.onMessage(listener),
        onExit: (listener) => handle.onExit(listener),
        kill: (signal) => handle.kill(signal),
      }
    },
  }
}
