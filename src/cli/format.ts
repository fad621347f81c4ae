import type { ParamSpec } from '../shared/scenario'
import { THREAD_STATES, type RunRecord } from '../shared/trace'
import type { ScenarioDefinition, Verdict } from '../engine/scenario'
import type { RunSummary } from '../engine/summary'

/** Scenarios grouped by the concept they teach. */
export function formatList(scenarios: ScenarioDefinition[]): string {
  const groups = new Map<string, ScenarioDefinition[]>()
  for (const s of scenarios) groups.set(s.concept, [...(groups.get(s.concept) ?? []), s])
  const width = Math.max(...scenarios.map((s) => s.id.length))
  const lines: string[] = []
  for (const [concept, list] of groups) {
    lines.push(concept)
    for (const s of list) lines.push(`  ${s.id.padEnd(width)}  ${s.title}  [${s.tags.join(', ')}]`)
    lines.push('')
  }
  lines.push('Run one with `interleave run <scenario>`; `interleave run <scenario> --help` explains it.')
  return lines.join('\n')
}

export function formatParam(p: ParamSpec): string {
  const range = p.kind === 'choice' ? p.choices.join(' | ') : `${p.min} to ${p.max}`
  return `  --param ${p.name}=...   ${p.help} (${range}; default ${p.default})`
}

export function formatScenarioHelp(s: ScenarioDefinition): string {
  return [
    `${s.id}: ${s.title}`,
    '',
    wrap(s.explanation),
    '',
    'What to look for:',
    wrap(s.lookFor),
    '',
    'Parameters:',
    ...(s.params.length ? s.params.map(formatParam) : ['  (none)']),
    '',
    'Run options: --gil on|off  --timeout s  --speed x  --hang-after s  --switch-interval ms  --out run.json  --json',
  ].join('\n')
}

function wrap(text: string, width = 96): string {
  const words = text.split(/\s+/)
  const lines: string[] = []
  let line = ''
  for (const w of words) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line)
      line = w
    } else line = line ? `${line} ${w}` : w
  }
  if (line) lines.push(line)
  return lines.map((l) => `  ${l}`).join('\n')
}

const ms = (us: number): string => `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`

export function formatSummary(s: RunSummary, verdict: Verdict, run: RunRecord): string {
  const lines: string[] = []
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  lines.push(`${s.scenario} ${params}  (GIL ${run.options.gil ? 'on' : 'off'})`)
  lines.push(`Outcome: ${s.status}: ${s.message}`)
  lines.push(`Lesson: ${verdict.text}`)
  const figures = Object.entries(verdict.figures)
  if (figures.length) lines.push(`Result: ${figures.map(([k, v]) => `${k}=${v}`).join('  ')}`)
  lines.push('')
  lines.push('Output:')
  let any = false
  for (const t of s.threads) {
    for (const p of t.printed) {
      lines.push(`  [${t.process}/${t.name}] ${p}`)
      any = true
    }
    if (t.end !== 'returned' && !t.end.endsWith('when the run ended')) {
      for (const l of t.end.split('\n')) lines.push(`  [${t.process}/${t.name}] ${l}`)
      any = true
    }
  }
  if (!any) lines.push('  (nothing printed)')
  lines.push('')
  const states = THREAD_STATES.filter((st) => st !== 'finished' && s.threads.some((t) => t.stateUs[st] > 0))
  const nameWidth = Math.max(10, ...s.threads.map((t) => `${t.process}/${t.name}`.length))
  lines.push('Time per state:')
  lines.push(
    `  ${'thread'.padEnd(nameWidth)}  ${states.map((st) => st.padStart(10)).join('')}  ${'CPU'.padStart(10)}`,
  )
  for (const t of s.threads) {
    const cells = states.map((st) => ms(t.stateUs[st]).padStart(10)).join('')
    lines.push(`  ${`${t.process}/${t.name}`.padEnd(nameWidth)}  ${cells}  ${ms(t.cpuUs).padStart(10)}`)
  }
  lines.push('')
  lines.push(
    `CPU per core: ${s.corePct.map((p, i) => `core ${i} ${p.toFixed(0)}%`).join(', ')}  ` +
      `(${s.coresBusy.toFixed(2)} cores busy on average over ${s.wallS.toFixed(2)} s)`,
  )
  return lines.join('\n')
}
