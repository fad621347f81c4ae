/**
 * The launcher of the benchmark's runs: the checkout's runtime (bundled, as the CLI and the server
 * run it) with a thread entry that also knows the benchmark's models (bench/models.ts).
 */
import { fileURLToPath } from 'node:url'
import type { NodeProcessLauncher } from '../src/engine/nodeLauncher'
import { localLauncher } from '../src/engine/localLauncher'

let launcher: Promise<NodeProcessLauncher> | undefined

export function benchLauncher(): Promise<NodeProcessLauncher> {
  launcher ??= localLauncher(fileURLToPath(new URL('./threadEntry.ts', import.meta.url)), [
    fileURLToPath(new URL('.', import.meta.url)),
  ])
  return launcher
}
