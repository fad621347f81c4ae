import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleEntries } from '../engine/bundle'
import { NodeProcessLauncher } from '../engine/nodeLauncher'

const root = fileURLToPath(new URL('../../', import.meta.url))
const src = join(root, 'src')

/**
 * A launcher for runs from this checkout (the CLI, the browser-mode server, the tests): the
 * runtime bundled from the sources, or, if bundling fails, the sources through tsx (slower start).
 * Tests pass their own thread entry (one that also knows their test models) and its folder.
 */
export async function localLauncher(
  thread = join(src, 'scenarios/threadEntry.ts'),
  extraSources: string[] = [],
): Promise<NodeProcessLauncher> {
  const host = join(src, 'engine/host/main.ts')
  try {
    const built = await bundleEntries(
      { host, thread },
      [...['shared', 'engine', 'scenarios'].map((d) => join(src, d)), ...extraSources],
      join(root, 'node_modules/.cache/interleave'),
    )
    return new NodeProcessLauncher(built.thread, built.host)
  } catch (e) {
    process.stderr.write(
      `interleave: could not bundle the runtime (${(e as Error).message}); running from sources\n`,
    )
    return new NodeProcessLauncher(thread, host)
  }
}
