import { expect } from 'vitest'
import type { RunRecord } from '../../src/shared/trace'

/**
 * Every traced line of a run points at code in its program.py: a line that exists and is neither
 * blank nor a comment. (Line 0 means "before any line", such as a thread's start.)
 */
export function expectLinesInProgram(run: RunRecord): void {
  const lines = run.program.split('\n')
  const bad = new Set<number>()
  for (const e of run.events) {
    if (!('line' in e) || e.line === 0) continue
    const text = lines[e.line - 1]
    if (text === undefined || text.trim() === '' || text.trim().startsWith('#')) bad.add(e.line)
  }
  expect([...bad], `lines that are not code in ${run.scenario}/program.py`).toEqual([])
}
