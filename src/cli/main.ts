/**
 * The headless `interleave` command: list the scenarios, run one for real and print what
 * happened (outcome, output per thread, time per state, CPU per core), or save the run.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { resolveParams, ParamError } from '../shared/scenario'
import { makeRecording, RecordingError, type Recording } from '../shared/recording'
import type { RunRecord } from '../shared/trace'
import { APP_NAME, APP_VERSION } from '../shared/version'
import { readRecordingFile, writeRecordingFile } from '../engine/recordingFile'
import { toChromeTrace } from '../shared/export/perfetto'
import { BrowserExportError, exportInBrowser, type BrowserExportOptions } from './browserExport'
import {
  loadPlayerTemplate,
  playerHtmlFile,
  PlayerTemplateError,
  type PlayerTemplate,
} from '../engine/export/player'
import { localLauncher } from '../engine/localLauncher'
import {
  DEFAULT_HANG_AFTER_S,
  DEFAULT_OPTIONS,
  MAX_SWITCH_INTERVAL_MS,
  MIN_SWITCH_INTERVAL_MS,
  Run,
} from '../engine/run'
import { scenarioSummary, type ScenarioDefinition } from '../engine/scenario'
import { summarize } from '../engine/summary'
import { findScenario, scenarios } from '../scenarios/catalog'
import { formatSummary, formatScenarioHelp, formatList } from './format'

const USAGE = `Usage:
  interleave list [--json]
  interleave run <scenario> [--param k=v]... [--gil on|off] [--timeout s] [--speed x]
                 [--hang-after s] [--switch-interval ms] [--out run.interleave.json[.gz]] [--json]
  interleave run <scenario> --help
  interleave show <recording> [--json]
  interleave export <recording> --format perfetto|html|svg|png|webm [--out file]
                    [--size WxH] [--scale n] [--fps n] [--playback x]

--out saves the run as a recording (gzip-compressed when the name ends in .gz); the app
opens it, and \`interleave show\` prints it again. --export on a run, or the export command on
a recording, writes it as: perfetto, a trace for ui.perfetto.dev or chrome://tracing; html, one
file that replays the run in any browser, offline; svg or png, the timeline of the whole run
(--size, 1920x1080 by default; --scale for png); webm, a video of the replay (--size 1280x720,
--fps 15, --playback 1 = one second of the run per second). svg, png and webm are drawn in
headless Chromium (CHROMIUM_PATH, or /usr/bin/chromium).

--hang-after s (2 by default; 0 never): when every thread still alive has been blocked or waiting
and nothing has moved for that long, the run reports a hang, with what each thread waits for.

Exit status: 0 finished, 3 timed out, 4 stopped, 1 failed, 2 bad input.`

/** Exit codes, by outcome. */
const EXIT = { finished: 0, 'timed-out': 3, stopped: 4, failed: 1 } as const

class UsageError extends Error {}

export async function cli(
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        param: { type: 'string', multiple: true, short: 'p' },
        gil: { type: 'string' },
        timeout: { type: 'string' },
        speed: { type: 'string' },
        'hang-after': { type: 'string' },
        'switch-interval': { type: 'string' },
        out: { type: 'string', short: 'o' },
        export: { type: 'string' },
        format: { type: 'string', short: 'f' },
        size: { type: 'string' },
        scale: { type: 'string' },
        fps: { type: 'string' },
        playback: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    err(`interleave: ${(e as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command, id, ...extra] = positionals
  try {
    if (!command || (command !== 'run' && values.help)) {
      out(USAGE)
      return command || values.help ? 0 : 2
    }
    if (command === 'list') {
      if (id) throw new UsageError(`'list' takes no scenario (got '${id}')`)
      out(values.json ? JSON.stringify(scenarios.map(scenarioSummary), null, 2) : formatList(scenarios))
      return 0
    }
    if (command === 'show') {
      if (!id) throw new UsageError('show which recording? `interleave show run.interleave.json`')
      if (extra.length) throw new UsageError(`unexpected '${extra.join(' ')}'`)
      const recording = await readRecordingFile(id)
      printRun(recording.record, recording.verdict, !!values.json, out)
      return EXIT[recording.record.outcome.status]
    }
    if (command === 'export') {
      if (!id)
        throw new UsageError(
          'export which recording? `interleave export run.interleave.json --format perfetto`',
        )
      if (extra.length) throw new UsageError(`unexpected '${extra.join(' ')}'`)
      const format = exportFormat(values.format, '--format')
      const recording = await readRecordingFile(id)
      const path = values.out ?? defaultExportPath(id, format)
      writeFileSync(path, await exportRun(recording, format, browserOptions(values), err))
      out(`Wrote ${path} (${format}).`)
      return 0
    }
    if (command !== 'run') throw new UsageError(`unknown command '${command}'`)
    if (!id) throw new UsageError('which scenario? `interleave list` shows them')
    if (extra.length) throw new UsageError(`unexpected '${extra.join(' ')}'`)
    const scenario = findScenario(id)
    if (!scenario) {
      const close = scenarios.filter((s) => s.id.includes(id) || id.includes(s.id)).map((s) => s.id)
      const hint = close.length ? `; did you mean ${close.join(' or ')}?` : '; `interleave list` shows them'
      throw new UsageError(`unknown scenario '${id}'${hint}`)
    }
    if (values.help) {
      out(formatScenarioHelp(scenario))
      return 0
    }
    const params = resolveParams(scenario.params, parsePairs(values.param ?? []))
    const exporting = values.export === undefined ? null : exportFormat(values.export, '--export')
    const options = {
      gil: parseGil(values.gil),
      timeoutS: parseNumber(
        'timeout',
        values.timeout,
        scenario.timeoutS ?? DEFAULT_OPTIONS.timeoutS,
        0.1,
        3600,
      ),
      speed: parseNumber('speed', values.speed, 1, 0.01, 100),
      hangAfterS: parseNumber('hang-after', values['hang-after'], DEFAULT_HANG_AFTER_S, 0, 3600),
      switchIntervalMs: parseNumber(
        'switch-interval',
        values['switch-interval'],
        5,
        MIN_SWITCH_INTERVAL_MS,
        MAX_SWITCH_INTERVAL_MS,
      ),
    }
    const record = await runWithSignals(scenario, params, options)
    const verdict = scenario.verdict(record).text
    const recording = makeRecording(record, verdict, { name: APP_NAME, version: APP_VERSION, electron: null })
    if (values.out) await writeRecordingFile(values.out, recording)
    printRun(record, verdict, !!values.json, out)
    if (values.out && !values.json) {
      out(`\nThe whole run (trace, CPU samples, outcome) is in ${values.out}; the app opens it.`)
    }
    if (exporting) {
      const path = defaultExportPath(values.out ?? scenario.id, exporting)
      writeFileSync(path, await exportRun(recording, exporting, browserOptions(values), err))
      if (!values.json) out(`The ${exporting} export is in ${path}.`)
    }
    return EXIT[record.outcome.status]
  } catch (e) {
    if (e instanceof RecordingError) {
      err(`interleave: ${e.message}`)
      return 2
    }
    if (e instanceof UsageError || e instanceof ParamError || e instanceof RangeError) {
      err(`interleave: ${e.message}`)
      return 2
    }
    if (e instanceof BrowserExportError) {
      err(`interleave: ${e.message}`)
      return 1
    }
    if (e instanceof PlayerTemplateError) {
      err(`interleave: ${e.message}`)
      return 1
    }
    throw e
  }
}

const EXPORT_FORMATS = ['perfetto', 'html', 'svg', 'png', 'webm'] as const
const EXTENSIONS: Record<ExportFormat, string> = {
  perfetto: '.perfetto.json',
  html: '.html',
  svg: '.svg',
  png: '.png',
  webm: '.webm',
}
type ExportFormat = (typeof EXPORT_FORMATS)[number]

function exportFormat(value: string | undefined, flag: string): ExportFormat {
  if (value === undefined) throw new UsageError(`${flag} is needed: one of ${EXPORT_FORMATS.join(', ')}`)
  const format = EXPORT_FORMATS.find((f) => f === value)
  if (!format) throw new UsageError(`${flag} must be one of ${EXPORT_FORMATS.join(', ')} (got '${value}')`)
  return format
}

/** `run.interleave.json` -> `run.perfetto.json` or `run.html`, beside it. */
function defaultExportPath(from: string, format: ExportFormat): string {
  return `${from.replace(/(\.interleave)?\.json(\.gz)?$/i, '')}${EXTENSIONS[format]}`
}

async function exportRun(
  recording: Recording,
  format: ExportFormat,
  options: BrowserExportOptions,
  err: (s: string) => void,
): Promise<string | Buffer> {
  if (format === 'perfetto') return JSON.stringify(toChromeTrace(recording.record))
  const lesson = findScenario(recording.record.scenario)
  const html = playerHtmlFile(playerTemplate(err), recording, lesson ? scenarioSummary(lesson) : null)
  if (format === 'html') return html
  err(`Drawing the ${format.toUpperCase()} in headless Chromium...`)
  return exportInBrowser(html, format, options, (line) => err(`  ${line}`))
}

/** --size WxH, --scale, --fps and --playback, as the export's drawing takes them. */
function browserOptions(values: {
  size?: string
  scale?: string
  fps?: string
  playback?: string
}): BrowserExportOptions {
  const options: BrowserExportOptions = {}
  if (values.size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(values.size)
    if (!m) throw new UsageError(`--size takes WIDTHxHEIGHT in pixels, e.g. 1920x1080 (got '${values.size}')`)
    options.widthPx = Number(m[1])
    options.heightPx = Number(m[2])
  }
  if (values.scale !== undefined) options.scale = parseNumber('scale', values.scale, 1, 1, 4)
  if (values.fps !== undefined) options.fps = parseNumber('fps', values.fps, 15, 1, 60)
  if (values.playback !== undefined) options.speed = parseNumber('playback', values.playback, 1, 0.1, 16)
  return options
}

/** The built player; in a checkout, built first if it is missing. */
function playerTemplate(err: (s: string) => void): PlayerTemplate {
  try {
    return loadPlayerTemplate()
  } catch (e) {
    const vite = fileURLToPath(new URL('../../node_modules/.bin/vite', import.meta.url))
    if (!(e instanceof PlayerTemplateError) || !existsSync(vite)) throw e
    err('Building the HTML player (vite build -c vite.player.config.ts)...')
    const root = fileURLToPath(new URL('../../', import.meta.url))
    const built = spawnSync(vite, ['build', '-c', 'vite.player.config.ts', '--logLevel', 'warn'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    if (built.status !== 0) throw new Error('building the HTML player failed; see above')
    return loadPlayerTemplate()
  }
}

/** What a run or a recording prints: the summary, or it as JSON. */
function printRun(record: RunRecord, verdictText: string, json: boolean, out: (s: string) => void): void {
  const summary = summarize(record)
  if (json) {
    out(JSON.stringify({ ...summary, verdict: verdictText, result: record.result }, null, 2))
    return
  }
  // The figures come from the lesson's own reading of the run, where this app knows the lesson.
  let figures: Record<string, string | number> = {}
  try {
    figures = findScenario(record.scenario)?.verdict(record).figures ?? {}
  } catch {
    figures = {}
  }
  out(formatSummary(summary, { text: verdictText, figures }, record))
}

function parsePairs(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const p of pairs) {
    const eq = p.indexOf('=')
    if (eq <= 0) throw new UsageError(`--param takes name=value (got '${p}')`)
    out[p.slice(0, eq)] = p.slice(eq + 1)
  }
  return out
}

function parseGil(v: string | undefined): boolean {
  if (v === undefined || v === 'on') return true
  if (v === 'off') return false
  throw new UsageError(`--gil must be on or off (got '${v}')`)
}

function parseNumber(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got '${v}')`)
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max} (got ${n})`)
  return n
}

/** Runs, and turns Ctrl-C into Stop, so that no process of the run is left behind. */
async function runWithSignals(
  scenario: ScenarioDefinition,
  params: Record<string, string | number>,
  options: ConstructorParameters<typeof Run>[2],
): Promise<RunRecord> {
  const run = new Run(scenario, params, options, await localLauncher())
  const stop = (): void => run.stop()
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  try {
    return await run.start()
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]
if (isMain || process.env.INTERLEAVE_CLI === '1') {
  // `interleave ... | head` closes stdout early; that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e
  })
  cli(
    process.argv.slice(2),
    (s) => process.stdout.write(`${s}\n`),
    (s) => process.stderr.write(`${s}\n`),
  ).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`interleave: internal error: ${(e as Error).stack ?? e}\n`)
      process.exitCode = 70
    },
  )
}
