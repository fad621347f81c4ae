/**
 * Running the runtime from TypeScript sources costs every worker a compile. So the process host
 * and the thread entry are bundled once into plain JavaScript (esbuild), kept in a cache and
 * rebuilt when a source changes. Built apps ship their own bundles and skip this.
 */
import { createHash, type Hash } from 'node:crypto'
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, existsSync } from 'node:fs'
import { join } from 'node:path'

export interface RuntimeEntries {
  host: string
  thread: string
}

function addSources(dir: string, hash: Hash): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    const st = statSync(path)
    if (st.isDirectory()) addSources(path, hash)
    else if (/\.(ts|mjs|js)$/.test(name)) hash.update(`${path}:${st.size}:${st.mtimeMs}\n`)
  }
}

/**
 * Returns bundled copies of the given TypeScript entries, building them if the sources under
 * `srcDirs` changed. Concurrent callers are safe: a build lands by an atomic rename.
 */
export async function bundleEntries(
  entries: RuntimeEntries,
  srcDirs: string[],
  cacheDir: string,
): Promise<RuntimeEntries> {
  const hash = createHash('sha1')
  hash.update(`${entries.host}\n${entries.thread}\n`)
  for (const d of srcDirs) addSources(d, hash)
  const key = hash.digest('hex').slice(0, 16)
  const outDir = join(cacheDir, key)
  const result = { host: join(outDir, 'host.mjs'), thread: join(outDir, 'thread.mjs') }
  if (existsSync(result.host) && existsSync(result.thread)) return result
  const { build } = await import('esbuild')
  const tmp = `${outDir}.tmp-${process.pid}-${Date.now()}`
  mkdirSync(tmp, { recursive: true })
  await build({
    entryPoints: { host: entries.host, thread: entries.thread },
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // Some dependencies are CommonJS; give the ESM bundle a `require`.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  })
  try {
    renameSync(tmp, outDir)
  } catch {
    rmSync(tmp, { recursive: true, force: true }) // another process built it first
  }
  // Old builds may still serve a run in another process: remove only those unused for a day.
  for (const old of readdirSync(cacheDir)) {
    const path = join(cacheDir, old)
    if (old !== key && Date.now() - statSync(path).mtimeMs > 86_400_000)
      rmSync(path, { recursive: true, force: true })
  }
  return result
}
