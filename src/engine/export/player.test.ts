import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeRecording, recordingFileValue } from '../../shared/recording'
import type { RunRecord } from '../../shared/trace'
import { loadPlayerTemplate, playerHtmlFile, PlayerTemplateError } from './player'

const template = {
  html: [
    '<!doctype html><html><head><meta charset="UTF-8" />',
    '<script type="module" crossorigin src="./player.js"></script>',
    '<link rel="stylesheet" crossorigin href="./player.css">',
    '</head><body><div id="app"></div></body></html>',
  ].join('\n'),
  js: 'const end = "</script>"; console.log(end)',
  css: 'body { color: red }',
}
const recording = makeRecording(
  { scenario: 'hello', program: 'print("</script><!--")\n', events: [] } as unknown as RunRecord,
  'said hello',
  { name: 'Interleave', version: '0', electron: null },
)

describe('the HTML player file', () => {
  it('inlines the script, allowed by its hash alone, and the recording, which cannot end its element', () => {
    const html = playerHtmlFile(template, recording, null)
    const script = /<script type="module">([\s\S]*?)<\/script>/.exec(html)?.[1]
    expect(script).toBe('const end = "<\\/script>"; console.log(end)')
    const hash = createHash('sha256')
      .update(script ?? '')
      .digest('base64')
    expect(html).toContain(`script-src 'sha256-${hash}'`)
    expect(html).toContain("connect-src 'none'")
    expect(html).toContain('<style>\nbody { color: red }\n</style>')
    expect(html).not.toMatch(/src="\.\/player\.js"|href="\.\/player\.css"/)
    const data = /<script type="application\/json" id="interleave-recording">([\s\S]*?)<\/script>/.exec(
      html,
    )?.[1]
    expect(data).not.toContain('<')
    // The recording as its file holds it (version 2, events as columns).
    expect(JSON.parse(data ?? '')).toEqual({ recording: recordingFileValue(recording), lesson: null })
  })

  it('refuses a page that does not load the built files, and says when they are missing', () => {
    expect(() => playerHtmlFile({ ...template, html: '<html></html>' }, recording, null)).toThrow(
      PlayerTemplateError,
    )
    const dir = mkdtempSync(join(tmpdir(), 'interleave-player-'))
    expect(() => loadPlayerTemplate(dir)).toThrow(/the HTML player is not built .*npm run build/)
    for (const [name, text] of Object.entries({
      'player.html': template.html,
      'player.js': template.js,
      'player.css': template.css,
    }))
      writeFileSync(join(dir, name), text)
    expect(loadPlayerTemplate(dir)).toEqual(template)
  })
})
