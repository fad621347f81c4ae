import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveParams } from '../shared/scenario'
import { allCues, isBranches, type NarrationStep } from '../shared/narration'
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

  it('every scenario has captions: 3 or more a run, short, with known placeholders and parameters', () => {
    for (const s of scenarios) {
      const steps = s.narration ?? []
      const cues = allCues(steps)
      expect(cues.length, `${s.id} has no narration`).toBeGreaterThanOrEqual(3)
      for (const cue of cues) {
        expect(cue.text.length, `${s.id}: ${cue.text}`).toBeLessThanOrEqual(115)
        for (const [, name] of cue.text.matchAll(/\{(\w+)\}/g)) {
          const known =
            cue.at.kind === 'run-end'
              ? ['status', 'seconds']
              : ['who', 'thread', 'process', 'object', 'value', 'text', 'line']
          expect(known, `${s.id}: {${name}} in ${cue.text}`).toContain(name)
        }
        if (cue.at.kind === 'op' || cue.at.kind === 'state' || cue.at.kind === 'print')
          if (cue.at.line !== undefined)
            expect(s.program.split('\n').length, s.id).toBeGreaterThanOrEqual(cue.at.line)
      }
      // Parameters a step is for are the scenario's own, with values it takes.
      const check = (list: readonly NarrationStep[]): void => {
        for (const step of list) {
          for (const [name, want] of Object.entries(step.params ?? {})) {
            const spec = s.params.find((p) => p.name === name)
            expect(spec?.kind, `${s.id}: narration for parameter ${name}`).toBe('choice')
            for (const v of Array.isArray(want) ? want : [want])
              expect(spec?.kind === 'choice' && spec.choices, `${s.id}.${name}`).toContain(v)
          }
          if (isBranches(step)) step.branches.forEach(check)
        }
      }
      check(steps)
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
