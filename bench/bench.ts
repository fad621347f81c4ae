/**
 * `npm run bench`: every benchmark of issue 8 on this machine, then one table (figure, measured,
 * unit, target, met or not) and bench/results.json (the same figures, and the machine). It does not
 * fail on a missed target: timings on a shared machine are for reading, not for gating. Each figure
 * that has a physical reference is measured against it in the same run (see each part's file).
 *
 *   npm run bench                      every part (the soak with FULL_SUITE_SOAK_RUNS runs)
 *   npm run bench -- engine latency    only those parts: engine, latency, browser, recording,
 *                                      pipeline, soak (the soak alone runs issue 7's 500 runs)
 *   npm run bench -- soak --soak-runs=200
 *   npm run bench -- pipeline --profile   also print where the time of the slow figures goes
 *   npm run bench -- --markdown        measure nothing: bench/results.json as the README's table
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { browserFigures, type BrowserPart } from './browser'
import { engineFigures } from './engine'
import { formatMarkdown, formatTable, notMeasured, type Figure } from './figures'
import { latencyFigures } from './latency'
import { machine } from './machine'
import { childProcesses } from '../tests/e2e/support'
import { SOAK_RUNS, soakFigures, soakLines, soakTable } from './soak'

const PARTS = ['engine', 'latency', 'browser', 'recording', 'pipeline', 'soak'] as const
type Part = (typeof PARTS)[number]

/**
 * The soak's runs when every part runs: the whole suite must finish in ten minutes on two cores
 * shared with other work, and 500 runs alone take four to eight minutes there (0.8 to 1.7 s a run,
 * by the load). `npm run bench -- soak` runs all 500.
 */
const FULL_SUITE_SOAK_RUNS = 100

const resultsPath = fileURLToPath(new URL('./results.json', import.meta.url))

interface Options {
  parts: Part[]
  profile: boolean
  soakRuns: number
  markdown: boolean
}

function parseArgs(args: readonly string[]): Options {
  const parts: Part[] = []
  let profile = false
  let markdown = false
  let soakRuns: number | null = null
  for (const arg of args) {
    if (arg === '--profile') profile = true
    else if (arg === '--markdown') markdown = true
    else if (arg.startsWith('--soak-runs=')) {
      soakRuns = Number(arg.slice('--soak-runs='.length))
      if (!Number.isInteger(soakRuns) || soakRuns < 1)
        throw new Error(`--soak-runs takes a whole number of runs`)
    } else if ((PARTS as readonly string[]).includes(arg)) parts.push(arg as Part)
    else
      throw new Error(
        `unknown argument '${arg}': parts are ${PARTS.join(', ')}; options --profile, --soak-runs=N, --markdown`,
      )
  }
  const all = parts.length === 0
  return {
    parts: all ? [...PARTS] : parts,
    profile,
    soakRuns: soakRuns ?? (all ? FULL_SUITE_SOAK_RUNS : SOAK_RUNS),
    markdown,
  }
}

/**
 * The longest a part may take (the soak's 500 runs alone, the longest, take four to eight minutes on
 * two busy cores): past it the part is reported as failed and the suite goes on, rather than wait.
 */
const PART_LIMIT_MS = 10 * 60_000
/** Set once a part has been given up on: what it left running is killed at the end. */
let abandoned = false

/** A part that throws or runs past PART_LIMIT_MS is reported as such in the table; the others still run. */
async function guarded(part: string, measure: () => Promise<Figure[]>): Promise<Figure[]> {
  const t0 = performance.now()
  process.stdout.write(`${part}: measuring (load ${loadavg()[0].toFixed(2)})...\n`)
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandoned = true
      reject(new Error(`it had not finished after ${PART_LIMIT_MS / 60_000} minutes (its last step above)`))
    }, PART_LIMIT_MS)
  })
  try {
    const figures = await Promise.race([measure(), limit])
    process.stdout.write(`${part}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`)
    return figures
  } catch (e) {
    process.stdout.write(`${part}: FAILED: ${(e as Error).stack ?? e}\n`)
    return [notMeasured(`${part} figures`, '', null, `the part failed: ${(e as Error).message}`)]
  } finally {
    clearTimeout(timer)
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  if (options.markdown) {
    const { figures } = JSON.parse(readFileSync(resultsPath, 'utf8')) as { figures: Figure[] }
    for (const l of formatMarkdown(figures)) console.log(l)
    return
  }
  const began = performance.now()
  const where = machine()
  console.log(
    `Interleave benchmarks on ${where.cores} cores (${where.cpuModel}), ${where.os}, Node ${where.node}; ` +
      `load ${where.loadStart.toFixed(2)} at the start. Parts: ${options.parts.join(', ')}.\n`,
  )
  const figures: Figure[] = []
  const lines: string[] = []
  const has = (p: Part): boolean => options.parts.includes(p)

  if (has('engine')) figures.push(...(await guarded('engine', () => engineFigures(options.profile, lines))))
  if (has('latency')) figures.push(...(await guarded('latency', latencyFigures)))
  const pageParts = (['browser', 'recording', 'pipeline'] as const).filter((p: BrowserPart) => has(p))
  if (pageParts.length)
    figures.push(
      ...(await guarded(pageParts.join(' + '), async () => {
        const r = await browserFigures(pageParts, options.profile)
        lines.push(...r.lines)
        return r.figures
      })),
    )
  if (has('soak'))
    figures.push(
      ...(await guarded(`soak (${options.soakRuns} runs)`, async () => {
        const f = await soakFigures(options.soakRuns)
        lines.push(...soakLines(f))
        return soakTable(f)
      })),
    )

  const seconds = (performance.now() - began) / 1000
  where.loadEnd = loadavg()[0]
  console.log('')
  for (const l of lines) console.log(l)
  console.log('')
  for (const l of formatTable(figures)) console.log(l)
  console.log(
    `\n${figures.filter((f) => f.met === true).length} met, ${figures.filter((f) => f.met === false).length} NOT met, ` +
      `${figures.filter((f) => f.met === null).length} without a target or not measured; ` +
      `${(seconds / 60).toFixed(1)} minutes; load ${where.loadStart.toFixed(2)} at the start, ${where.loadEnd.toFixed(2)} at the end`,
  )
  const json = JSON.stringify({ machine: where, parts: options.parts, seconds: Math.round(seconds), figures })
  // As the checkout's Prettier would write it, so that the file passes `npm run format:check` if kept.
  const prettier = await import('prettier')
  const config = (await prettier.resolveConfig(resultsPath)) ?? {}
  writeFileSync(resultsPath, await prettier.format(json, { ...config, filepath: resultsPath }))
  console.log(`written: bench/results.json (every figure's notes say what it was measured against)`)
  if (abandoned) {
    // A part given up on may still hold a browser, a server or run processes: end them and this.
    const left = childProcesses()
    for (const line of left) {
      try {
        process.kill(Number(line.split(' ')[0]), 'SIGKILL')
      } catch {
        // Gone already.
      }
    }
    if (left.length) console.log(`killed what the abandoned part left running:\n${left.join('\n')}`)
    process.exit(1)
  }
}

main().catch((e) => {
  console.error(e)
  process.exitCode = 1
})
