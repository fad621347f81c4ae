// The npm registry these machines reach lacks some platform builds of native packages (rollup's and
// unrs-resolver's for other systems), so `npm install` leaves them out of package-lock.json and
// `npm ci` then refuses the lock as out of sync. This adds an entry for each optional dependency the
// lock is missing, with the os, cpu and libc its name states, so `npm ci` passes and skips them here
// while a machine that needs one still installs it. Run it after any `npm install`; it is idempotent.
import { readFileSync, writeFileSync } from 'node:fs'

const lockPath = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(lockPath, 'utf8'))
const packages = lock.packages

// e.g. @rollup/rollup-linux-arm-musleabihf, @unrs/resolver-binding-win32-x64-msvc
const platformRe =
  /-(android|darwin|freebsd|linux|openbsd|openharmony|sunos|aix|netbsd|win32)-([a-z0-9]+)(?:-([a-z]+))?$/

function platformOf(name) {
  const match = platformRe.exec(name)
  if (!match) return {}
  const [, os, cpu, abi = ''] = match
  const libc = abi.startsWith('gnu') ? ['glibc'] : abi.startsWith('musl') ? ['musl'] : undefined
  return { cpu: [cpu], ...(os === 'linux' && libc ? { libc } : {}), os: [os] }
}

const added = []
for (const [location, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = location ? `${location}/node_modules/${name}` : `node_modules/${name}`
    if (packages[nested] || packages[`node_modules/${name}`]) continue
    if (!/^\d+\.\d+\.\d+/.test(version)) continue
    packages[`node_modules/${name}`] = {
      version,
      ...platformOf(name),
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
    }
    added.push(`${name}@${version}`)
  }
}

if (added.length > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  )
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`)
}
console.log(
  added.length > 0
    ? `added to package-lock.json:\n  ${added.join('\n  ')}`
    : 'package-lock.json lacks no optional package',
)
