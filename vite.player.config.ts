import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

/**
 * The HTML player's page (src/renderer/player.html): built on its own into one script and one
 * stylesheet, which the exporter (src/engine/export/player.ts) inlines with the recording into a
 * single file that needs no server and no network.
 */
export default defineConfig({
  root: resolve('src/renderer'),
  base: './',
  plugins: [vue()],
  build: {
    outDir: resolve('out/player'),
    emptyOutDir: true,
    cssCodeSplit: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    modulePreload: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: resolve('src/renderer/player.html'),
      output: { inlineDynamicImports: true, entryFileNames: 'player.js', assetFileNames: 'player[extname]' },
    },
  },
})
