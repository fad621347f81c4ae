/**
 * The README keeps true what it can be checked against: its keyboard table is the app's own list of
 * shortcuts (what `?` shows), its table of lessons names every lesson in the catalogue, and its
 * benchmark table is bench/results.json's.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { formatMarkdown, type Figure } from '../bench/figures'
import { SHORTCUTS } from '../src/renderer/src/shortcuts'
import { scenarios } from '../src/scenarios/catalog'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** The rows of the table under a heading: each row's cells. */
function tableUnder(heading: string): string[][] {
  const at = readme.indexOf(`\n${heading}\n`)
  expect(at, `the README has "${heading}"`).toBeGreaterThanOrEqual(0)
  const lines = readme.slice(at).split('\n')
  const first = lines.findIndex((l) => l.startsWith('|'))
  const rows: string[][] = []
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
  }
  return rows
}

describe('the README', () => {
  it('lists every shortcut the app has, with what it does, in its order', () => {
    const rows = tableUnder('### Keyboard')
    expect(rows.map((r) => r[1])).toEqual(SHORTCUTS.map((s) => s.what))
    rows.forEach(([keys], i) => {
      for (const key of SHORTCUTS[i].keys) expect(keys, SHORTCUTS[i].what).toContain(`${key}`)
    })
  })

  it('shows the benchmark table of bench/results.json, figure for figure (npm run bench -- --markdown)', () => {
    const { figures } = JSON.parse(
      readFileSync(new URL('../bench/results.json', import.meta.url), 'utf8'),
    ) as { figures: Figure[] }
    const at = readme.indexOf('\n| figure | measured |')
    expect(at, 'the README has the benchmark table').toBeGreaterThanOrEqual(0)
    const lines = readme.slice(at + 1).split('\n')
    const table = lines.slice(
      0,
      lines.findIndex((l) => !l.startsWith('|')),
    )
    expect(table).toEqual(formatMarkdown(figures))
  })

  it('names every lesson of the catalogue, once', () => {
    const named = tableUnder('### The lessons').map((r) => r[1].replaceAll('`', ''))
    expect([...named].sort()).toEqual(scenarios.map((s) => s.id).sort())
  })
})
