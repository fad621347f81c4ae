import { execFile, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkChromeTrace } from '../shared/export/traceFormat'
import { parseRecording, RECORDING_VERSION } from '../shared/recording'
import { TRACE_VERSION } from '../shared/trace'
import { scenarios } from '../scenarios/catalog'

const bin = fileURLToPath(new URL('../../bin/interleave.js', import.meta.url))

interface Result {
  code: number
  stdout: string
  stderr: string
}

/**
 * Every process these tests start carries this mark in its environment, and so do the hosts of its
 * runs (they inherit it): leftovers are told apart from other runs on the machine by it.
 */
const MARK = `INTERLEAVE_TEST_MARK=cli-${process.pid}`
const env = { ...process.env, INTERLEAVE_TEST_MARK: MARK.split('=')[1] }

/** Runs `interleave` as a user would, in its own process. */
function interleave(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile('node', [bin, ...args], { timeout: 90_000, env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** Process hosts of the runs these tests started that are still alive (there should be none). */
function leftoverHosts(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
  return ps.split('\n').filter((l) => {
    if (!/interleave\/[0-9a-f]+\/host\.mjs|engine\/host\/main\.ts/.test(l)) return false
    try {
      const environ = readFileSync(`/proc/${l.trim().split(' ')[0]}/environ`, 'utf8')
      return environ.split('\0').includes(MARK)
    } catch {
      return false // it ended meanwhile
    }
  })
}

describe('interleave list', () => {
  it('groups the scenarios by concept', async () => {
    const r = await interleave('list')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Race conditions and locks\n {2}race-counter +Race condition: lost updates/m)
    expect(r.stdout).toMatch(/^The GIL\n {2}countdown-gil/m)
  })

  it('prints JSON with --json', async () => {
    const r = await interleave('list', '--json')
    const list = JSON.parse(r.stdout) as { id: string; params: { name: string }[] }[]
    expect(list.map((s) => s.id)).toEqual(scenarios.map((s) => s.id))
    const race = list.find((s) => s.id === 'race-counter')!
    expect(race.params.map((p) => p.name)).toEqual(['threads', 'iterations', 'lock'])
  })
})

describe('interleave run: bad input gets a clear message and exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['run', 'nope'], /unknown scenario 'nope'; `interleave list` shows them/],
    [['run', 'race'], /unknown scenario 'race'; did you mean race-counter\?/],
    [
      ['run', 'race-counter', '-p', 'thread=2'],
      /unknown parameter 'thread' \(parameters: threads, iterations, lock\)/,
    ],
    [['run', 'race-counter', '-p', 'threads=99'], /parameter 'threads' must be at most 16; got 99/],
    [['run', 'race-counter', '-p', 'threads=1'], /parameter 'threads' must be at least 2; got 1/],
    [['run', 'race-counter', '-p', 'threads=two'], /parameter 'threads' must be a number; got 'two'/],
    [['run', 'race-counter', '-p', 'threads=2.5'], /parameter 'threads' must be a whole number/],
    [['run', 'race-counter', '-p', 'lock=maybe'], /parameter 'lock' must be one of off, on; got 'maybe'/],
    [['run', 'race-counter', '-p', 'lock'], /--param takes name=value \(got 'lock'\)/],
    [['run', 'race-counter', '--gil', 'maybe'], /--gil must be on or off/],
    [['run', 'race-counter', '--timeout', '0'], /--timeout must be between 0.1 and 3600/],
    [['run'], /which scenario\?/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['run', 'race-counter', '--colour'], /Unknown option '--colour'/],
  ]
  for (const [args, message] of cases) {
    it(args.join(' ') || '(nothing)', async () => {
      const r = await interleave(...args)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stdout).toBe('')
    })
  }
})

describe('interleave run', () => {
  it('--help explains the scenario and its parameters with their bounds', async () => {
    const r = await interleave('run', 'race-counter', '--help')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/Each thread reads a shared counter/)
    expect(r.stdout).toMatch(
      /--param threads=\.\.\. +how many threads add to the counter \(2 to 16; default 2\)/,
    )
    expect(r.stdout).toMatch(/--param lock=\.\.\. .*\(off \| on; default off\)/)
  })

  it('prints a readable summary: outcome, output per thread, time per state, CPU per core', async () => {
    const r = await interleave('run', 'race-counter', '-p', 'iterations=200', '-p', 'lock=on')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Outcome: finished: finished in \d+\.\d\d s$/m)
    expect(r.stdout).toMatch(/^Lesson: All 400 increments counted/m)
    expect(r.stdout).toMatch(/\[MainProcess\/MainThread\] counter = 400, expected 400, lost 0/)
    expect(r.stdout).toMatch(/^Time per state:\n +thread +running +gil-wait +blocked/m)
    expect(r.stdout).toMatch(/MainProcess\/Thread-1 \(worker\) +\d/)
    expect(r.stdout).toMatch(/^CPU per core: core 0 \d+%, core 1 \d+%/m)
  })

  it('--json gives the same with the result values, and --out saves the whole run as a recording', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-'))
    const out = join(dir, 'run.interleave.json')
    const r = await interleave(
      'run',
      'race-counter',
      '-p',
      'iterations=100',
      '-p',
      'lock=on',
      '--json',
      '--out',
      out,
    )
    expect(r.code).toBe(0)
    const summary = JSON.parse(r.stdout)
    expect(summary.status).toBe('finished')
    expect(summary.result).toEqual({ counter: 200, expected: 200 })
    expect(summary.threads).toHaveLength(3)
    expect(summary.threads[1].stateUs.running).toBeGreaterThan(0)
    // The file as written (version 2: events as columns), read as the app reads it.
    const file = JSON.parse(readFileSync(out, 'utf8')) as { version: number; record: { events: object } }
    expect(file.version).toBe(RECORDING_VERSION)
    expect(Array.isArray(file.record.events)).toBe(false)
    const recording = parseRecording(file)
    expect(recording.format).toBe('interleave-recording')
    expect(recording.verdict).toMatch(/increments/)
    const record = recording.record
    expect(record.version).toBe(TRACE_VERSION)
    expect(record.program).toMatch(/^# A race condition/)
    expect(record.events.some((e) => e.type === 'op' && e.op === 'acquire')).toBe(true)
    expect(record.objects.find((o) => o.name === 'lock')?.state).toEqual({ owner: null, waiters: 0 })
    expect(record.cpu.length).toBeGreaterThan(0)

    // `show` prints the saved run as the run printed it.
    const shown = await interleave('show', out, '--json')
    expect(shown.code).toBe(0)
    expect(JSON.parse(shown.stdout)).toEqual(summary)
    const text = await interleave('show', out)
    expect(text.stdout).toMatch(/^Outcome: finished/m)
    expect(text.stdout).toMatch(/^Result: counter=200/m)
  })

  it('exports a run and a recording as a Perfetto trace that keeps the trace format’s rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-'))
    const saved = join(dir, 'bb.interleave.json.gz')
    const r = await interleave(
      'run',
      'bounded-buffer',
      '-p',
      'duration=0.5',
      '--out',
      saved,
      '--export',
      'perfetto',
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`The perfetto export is in ${join(dir, 'bb.perfetto.json')}.`)
    const fromRun = JSON.parse(readFileSync(join(dir, 'bb.perfetto.json'), 'utf8')) as unknown
    expect(checkChromeTrace(fromRun)).toEqual([])

    const out = join(dir, 'again.json')
    const e = await interleave('export', saved, '--format', 'perfetto', '--out', out)
    expect(e.code).toBe(0)
    const fromRecording = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { name?: string }[] }
    expect(checkChromeTrace(fromRecording)).toEqual([])
    expect(fromRecording).toEqual(fromRun)
    expect(
      fromRecording.traceEvents.some((ev) => ev.name === 'queue q depth' || ev.name?.startsWith('queue')),
    ).toBe(true)

    const bad = await interleave('export', saved, '--format', 'gif')
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--format must be one of perfetto, html, svg, png, webm \(got 'gif'\)/)
  })

  it('show refuses a file that is not a recording, with a message and status 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-'))
    const bad = join(dir, 'bad.interleave.json')
    writeFileSync(bad, '{"format": "interleave-recording", "version": 9}')
    const r = await interleave('show', bad)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/version 9 of the format; .*newer Interleave/)
    const missing = await interleave('show', join(dir, 'nothing.interleave.json'))
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no such file/)
  })

  it('a hang ends by its timeout with exit status 3 and leaves no process behind', async () => {
    // The fixed variant takes about 6 s; 3.5 s ends it with the three processes started even on a
    // busy machine, each still waiting or sleeping.
    const r = await interleave('run', 'writer-drawer-assembler', '-p', 'variant=fixed', '--timeout', '3.5')
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/^Outcome: timed-out: timed out after 3.5 s; still waiting: /m)
    expect(leftoverHosts()).toEqual([])
  })

  it('Ctrl-C stops the run, prints what happened and leaves no process behind', async () => {
    const child = spawn('node', [bin, 'run', 'countdown-gil', '-p', 'count=500000000'], {
      stdio: 'pipe',
      env,
    })
    let stdout = ''
    child.stdout.on('data', (d) => (stdout += d))
    await new Promise((r) => setTimeout(r, 2500))
    child.kill('SIGINT')
    const code = await new Promise<number | null>((r) => child.on('exit', r))
    expect(code).toBe(4)
    expect(stdout).toMatch(/^Outcome: stopped: stopped after \d+\.\d\d s$/m)
    expect(leftoverHosts()).toEqual([])
  })
})
