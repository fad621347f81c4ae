import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveParams } from '../shared/scenario'
import { scenarios } from './catalog'

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'])
    return true
  } catch {
    return false
  }
}

describe('the scenario catalogue', () => {
  it('has unique ids, and every scenario explains itself and bounds its parameters', () => {
    expect(new Set(scenarios.map((s) => s.id)).size).toBe(scenarios.length)
    for (const s of scenarios) {
      expect(s.title.length, s.id).toBeGreaterThan(5)
      expect(s.explanation.length, s.id).toBeGreaterThan(80)
      expect(s.lookFor.length, s.id).toBeGreaterThan(40)
      expect(s.tags.length, s.id).toBeGreaterThan(0)
      expect(s.functions.main, `${s.id} has no main`).toBeTypeOf('function')
      for (const p of s.params) {
        expect(p.help.length, `${s.id}.${p.name}`).toBeGreaterThan(5)
        if (p.kind !== 'choice') {
          expect(p.min, `${s.id}.${p.name}`).toBeLessThanOrEqual(p.default)
          expect(p.max, `${s.id}.${p.name}`).toBeGreaterThanOrEqual(p.default)
          expect(() => resolveParams(s.params, { [p.name]: p.max + 1 })).toThrow(`at most ${p.max}`)
          expect(() => resolveParams(s.params, { [p.name]: p.min - 1 })).toThrow(`at least ${p.min}`)
        } else {
          expect(p.choices, `${s.id}.${p.name}`).toContain(p.default)
        }
      }
    }
  })

  it.runIf(hasPython())('every program.py is valid Python that CPython compiles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-py-'))
    for (const s of scenarios) {
      const file = join(dir, `${s.id}.py`)
      writeFileSync(file, s.program)
      expect(() => execFileSync('python3', ['-m', 'py_compile', file], { stdio: 'pipe' }), s.id).not.toThrow()
    }
  })
})
