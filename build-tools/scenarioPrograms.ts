/**
 * Each scenario reads its program.py through `new URL('./program.py', import.meta.url)` (src/engine/
 * scenario.ts), which holds from the sources (tsx) but not once bundled: every chunk's import.meta.url
 * is the chunk's own, so the packaged app looked for out/main/program.py. This plugin emits each
 * program as a file of the build (out/main/scenarios/<id>/program.py) and points the URL at it
 * through Rollup's file URL, which Rollup resolves relative to whichever chunk holds the code.
 */
import { readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Plugin } from 'vite'

/** The one spelling the scenarios use (checked: a scenario spelled otherwise fails the build). */
const PROGRAM_URL = /new URL\((['"])\.\/program\.py\1, import\.meta\.url\)/g

export function scenarioPrograms(): Plugin {
  return {
    name: 'interleave-scenario-programs',
    transform(code, id) {
      const file = id.split('?')[0].replaceAll('\\', '/')
      if (!/\/src\/scenarios\/[^/]+\/index\.ts$/.test(file)) return null
      if (!code.includes('program.py')) return null
      const scenario = basename(dirname(file))
      let found = 0
      const out = code.replace(PROGRAM_URL, () => {
        found++
        const ref = this.emitFile({
          type: 'asset',
          fileName: `scenarios/${scenario}/program.py`,
          source: readFileSync(join(dirname(file), 'program.py')),
        })
        return `new URL(import.meta.ROLLUP_FILE_URL_${ref})`
      })
      if (found !== 1)
        this.error(`${file} names program.py other than as new URL('./program.py', import.meta.url)`)
      return { code: out, map: null }
    },
  }
}
