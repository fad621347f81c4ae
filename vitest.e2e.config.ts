import { configDefaults, defineConfig } from 'vitest/config'

/**
 * End-to-end tests: browser mode's server and the built page, driven in Debian's Chromium, and the
 * built app in Electron where a binary exists (`npm run test:e2e`, after `electron-vite build`).
 * Not part of the unit run.
 */
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/e2e/**/*.test.ts', 'tests/electron/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'out/**'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
})
