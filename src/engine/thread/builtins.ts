import type { ThreadFunction } from '../scenario'

/**
 * Thread functions the runtime itself provides, which a Thread or Process may name as its target
 * like a scenario's own: a Pool's worker loop, an executor's worker, a Manager's server. A module
 * that provides one registers it here when it is loaded. Their names start with `__`.
 */
export const builtinFunctions: Record<string, ThreadFunction> = {}

export function registerBuiltin(name: string, fn: ThreadFunction): void {
  if (!name.startsWith('__')) throw new Error(`builtin thread function '${name}' must start with __`)
  builtinFunctions[name] = fn
}
