import { fileURLToPath } from 'node:url'
import { configDefaults, defineConfig, type Plugin } from 'vitest/config'

const fakeElectron = fileURLToPath(new URL('./tests/fakes/electron.ts', import.meta.url))

/**
 * electron-vite turns `import p from './entry?modulePath'` into the built file's path. Under test it is
 * the source file's path, and the entry itself is never loaded.
 */
function modulePath(): Plugin {
  const suffix = '?modulePath'
  return {
    name: 'interleave:module-path',
    enforce: 'pre',
    async resolveId(source, importer) {
      if (!source.endsWith(suffix)) return null
      const resolved = await this.resolve(source.slice(0, -suffix.length), importer, { skipSelf: true })
      if (!resolved) return null
      return `\0module-path:${resolved.id}`
    },
    load(id) {
      if (!id.startsWith('\0module-path:')) return null
      return `export default ${JSON.stringify(id.slice('\0module-path:'.length))}`
    },
  }
}

export default defineConfig({
  plugins: [modulePath()],
  resolve: {
    alias: { electron: fakeElectron },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'tests/e2e/**', 'tests/electron/**', 'out/**'],
    pool: 'forks',
    // Tests run real processes and threads and measure CPU and wall time: on a 2-core machine,
    // test files running side by side would distort each other's measurements.
    fileParallelism: false,
    testTimeout: 120_000,
  },
})
