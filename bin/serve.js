#!/usr/bin/env node
// `npm run serve`: browser mode. Builds the app (electron-vite) when the page is missing or older
// than its sources, then starts the server from its TypeScript sources through tsx.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { register } from 'tsx/esm/api'

const root = fileURLToPath(new URL('../', import.meta.url))
const page = join(root, 'out/renderer/index.html')

function newestMtime(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = 0
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

const sources = ['src/renderer', 'src/shared', 'src/preload/index.d.ts'].map((p) => join(root, p))
if (!existsSync(page) || statSync(page).mtimeMs < Math.max(...sources.map(newestMtime))) {
  process.stdout.write('Building the page (electron-vite build)...\n')
  const built = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  })
  if (built.status !== 0) {
    process.stderr.write('interleave serve: the build failed; see above.\n')
    process.exit(1)
  }
}

register()
// The checkout's launcher (the runtime bundled from src/); src/server takes it as a parameter.
const { localLauncher } = await import('../src/engine/localLauncher.ts')
const { PrelaunchingLauncher } = await import('../src/engine/prelaunch.ts')
const { serve } = await import('../src/server/main.ts')
// A host or two kept started between runs, so that Run shows its first events sooner.
await serve(process.argv.slice(2), async () => new PrelaunchingLauncher(await localLauncher()))
