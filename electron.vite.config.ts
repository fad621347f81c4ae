import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'
import { scenarioPrograms } from './build-tools/scenarioPrograms'

export default defineConfig({
  main: {
    // The process host and the thread worker are entries too: src/main imports them as `?modulePath`.
    build: {
      rollupOptions: { input: { index: resolve('src/main/index.ts') } },
    },
    // Scenarios' programs ship as files beside the bundle (out/main/scenarios/<id>/program.py).
    plugins: [scenarioPrograms()],
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // A sandboxed preload runs as a classic script, so it must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [vue()],
  },
})
