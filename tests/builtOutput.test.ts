/**
 * The desktop app as it ships: `electron-vite build` (and the player's build) into a folder of its
 * own, then (1) every file the built code loads at run time is in that build, (2) every package it
 * imports is a production dependency (what electron-builder packs beside it) and (3) the built main
 * process runs lessons through its own IPC handlers, with the built process host and thread entry,
 * nothing from src/. Electron itself is the fake (tests/fakes/electron.ts, vitest's alias), which
 * cannot start utility processes: the built host runs as a Node child process, as in browser mode.
 *
 * The build goes inside the checkout (`tmp-built-<pid>`, ignored by git) so that the packages it
 * imports resolve from node_modules as they would from the package's own; it is outside src/ and
 * out/, so that no relative path can reach the sources or an older build.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getConfig } from 'app-builder-lib/out/util/config/config'
import { getFileMatchers } from 'app-builder-lib/out/fileMatcher'
import type { ProcessLauncher } from '../src/engine/launcher'
import { NodeProcessLauncher } from '../src/engine/nodeLauncher'
import { IPC, type RunStartReply, type RunStreamMessage } from '../src/shared/protocol'
import { scenarios } from '../src/scenarios/catalog'
import { BrowserWindow, fake, type FakeMessagePortMain } from './fakes/electron'

const root = fileURLToPath(new URL('..', import.meta.url))
const built = join(root, `tmp-built-${process.pid}`)
const out = join(built, 'out')

/**
 * References the bundles keep that the packaged app never follows, each with why. A reference that
 * is missing and not here fails the test; one here that stops being in the bundles fails it too.
 */
const SOURCE_ONLY: Record<string, string> = {
  // The host boots a thread through tsx only when the thread entry is TypeScript (runs from sources).
  './tsxBoot.mjs': 'src/engine/host/host.ts: only for a .ts thread entry',
  // The CLI's and the server's default player folder; main passes its own (out/player).
  '../../../out/player': 'src/engine/export/player.ts: the checkout default; main passes its own',
}

/** What the test uses of the built main module (its entry keeps its exports). */
interface BuiltMain {
  registerIpc(launcher: ProcessLauncher): { stopAll(): Promise<void> }
}

interface Reference {
  /** The built file that names it, and the name as written. */
  from: string
  name: string
  path: string
}

function filesUnder(dir: string, match: RegExp): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => match.test(path) && statSync(path).isFile())
}

/** Paths the built code names relative to itself: join(import.meta.dirname, "…"), new URL("…", import.meta.url). */
function referencesIn(file: string): Reference[] {
  const code = readFileSync(file, 'utf8')
  const named = [
    ...code.matchAll(/join(?:\$\d+)?\(\s*import\.meta\.dirname,\s*"([^"]+)"\s*\)/g),
    ...code.matchAll(/new URL\(\s*"([^"]+)",\s*import\.meta\.url\s*\)/g),
  ].map((m) => m[1])
  return named.map((name) => ({ from: relative(out, file), name, path: resolve(dirname(file), name) }))
}

/** Packages the built code imports (not relative, not Node's own). */
function packagesIn(file: string): string[] {
  const code = readFileSync(file, 'utf8')
  const specifiers = [
    ...code.matchAll(/^\s*import\s[^;]*?from\s*"([^"]+)"/gm),
    ...code.matchAll(/^\s*import\s*"([^"]+)"/gm),
    ...code.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ...code.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1])
  const builtins = new Set(builtinModules)
  return specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtins.has(s))
}

function packageName(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function npx(...args: string[]): void {
  execFileSync('npx', args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
}

describe('the built app', () => {
  beforeAll(() => {
    rmSync(built, { recursive: true, force: true })
    npx('electron-vite', 'build', '--outDir', out, '--logLevel', 'error')
    npx(
      'vite',
      'build',
      '-c',
      'vite.player.config.ts',
      '--outDir',
      join(out, 'player'),
      '--logLevel',
      'error',
    )
  }, 300_000)
  afterAll(() => rmSync(built, { recursive: true, force: true }))

  it('holds every file its code loads at run time, and each lesson program as written', () => {
    const code = [...filesUnder(join(out, 'main'), /\.m?js$/), ...filesUnder(join(out, 'preload'), /\.c?js$/)]
    const references = code.flatMap(referencesIn)
    // What the app cannot start without is among them: the page, the preload, the host and thread entries.
    const named = references.map((r) => relative(out, r.path))
    for (const needed of ['renderer/index.html', 'preload/index.cjs', 'player'])
      expect(named, `main names ${needed}`).toContain(needed)
    expect(named.filter((n) => /^main\/chunks\/.*\.js$/.test(n)).length).toBeGreaterThanOrEqual(2)

    // Held: inside the build, and there (a path out of it would find the checkout's files here,
    // and nothing in an installed package).
    const held = (r: Reference): boolean => !relative(out, r.path).startsWith('..') && existsSync(r.path)
    const unheld = references.filter((r) => !held(r))
    expect(
      unheld.filter((r) => !(r.name in SOURCE_ONLY)),
      'files the built code names that the build does not hold',
    ).toEqual([])
    expect(new Set(unheld.map((r) => r.name)), 'SOURCE_ONLY lists what the bundles still name').toEqual(
      new Set(Object.keys(SOURCE_ONLY)),
    )

    // The page's own files: what index.html loads.
    const html = readFileSync(join(out, 'renderer/index.html'), 'utf8')
    const assets = [...html.matchAll(/(?:src|href)="(\.\/[^"]+|\/[^"]+)"/g)].map((m) => m[1])
    expect(assets.length).toBeGreaterThanOrEqual(2)
    for (const asset of assets) expect(existsSync(join(out, 'renderer', asset)), asset).toBe(true)
    // The player's template, which exports inline.
    expect(existsSync(join(out, 'player/player.js'))).toBe(true)

    // Every lesson's program, byte for byte, where the bundles look for it.
    expect(scenarios.length).toBeGreaterThan(10)
    for (const s of scenarios) {
      const shipped = join(out, 'main/scenarios', s.id, 'program.py')
      expect(existsSync(shipped), `${s.id}'s program.py`).toBe(true)
      expect(readFileSync(shipped, 'utf8')).toBe(s.program)
    }
  })

  it('imports no package but the production dependencies electron-builder packs, and Electron', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>
    }
    const allowed = new Set([...Object.keys(pkg.dependencies), 'electron'])
    const code = [...filesUnder(join(out, 'main'), /\.m?js$/), ...filesUnder(join(out, 'preload'), /\.c?js$/)]
    const imported = new Set(code.flatMap(packagesIn).map(packageName))
    expect(imported.has('electron')).toBe(true) // the scan sees imports at all
    expect([...imported].filter((p) => !allowed.has(p))).toEqual([])
  })

  it("leaves out of the archive what worker threads load, by electron-builder's own matching", async () => {
    const config = await getConfig(root, null, null)
    // The app folder electron-builder packs holds out/ and package.json: `built` stands for it.
    const matchers = getFileMatchers(config, 'asarUnpack', join(built, 'packed'), {
      macroExpander: (pattern: string) => pattern,
      customBuildOptions: {},
      globalOutDir: join(built, 'dist'),
      defaultSrc: built,
    })
    expect(matchers).not.toBeNull()
    const unpacks = matchers![0].createFilter()
    const files = filesUnder(join(out, 'main'), /./)
    const unpacked = files.filter((f) => unpacks(f, statSync(f))).map((f) => relative(out, f))
    // The thread entry, and every lesson program it reads relative to itself; not main or the host.
    const expected = files
      .map((f) => relative(out, f))
      .filter((f) => /^main\/chunks\/threadEntry-[^/]+\.js$/.test(f) || f.startsWith('main/scenarios/'))
    expect(expected.length).toBe(scenarios.length + 1)
    expect(unpacked.sort()).toEqual(expected.sort())
  })

  it('runs lessons through the built main process, with the built host and thread entry', async () => {
    const chunks = readdirSync(join(out, 'main/chunks'))
    const entry = (prefix: string): string => {
      const found = chunks.filter((c) => c.startsWith(prefix) && c.endsWith('.js'))
      expect(found, `one ${prefix} chunk`).toHaveLength(1)
      return join(out, 'main/chunks', found[0])
    }
    const main = (await import(pathToFileURL(join(out, 'main/index.js')).href)) as BuiltMain
    fake.reset()
    const runs = main.registerIpc(new NodeProcessLauncher(entry('threadEntry-'), entry('main-')))
    try {
      const window = new BrowserWindow({})
      void window.loadFile(join(out, 'renderer/index.html')) // the built page: main answers no other
      fake.sendToMain(IPC.runConnect, window.webContents)
      const posted = window.webContents.posted.at(-1)
      expect(posted?.channel).toBe(IPC.runStream)
      const port = posted!.ports[0] as FakeMessagePortMain
      const heard: unknown[] = []
      port.on('message', (event: { data: unknown }) => heard.push(event.data))
      port.start()

      const ends: Extract<RunStreamMessage, { type: 'run:end' }>[] = []
      // Threads in one process, and a child process with a queue between them.
      for (const request of [
        { scenario: 'race-counter', params: { threads: 2, iterations: 200 } },
        { scenario: 'queue-results', params: {} },
      ]) {
        const reply = (await fake.invokeFrom(fake.eventFrom(window.webContents), IPC.runStart, [
          request,
        ])) as RunStartReply
        if (!reply.ok) throw new Error(reply.message)
        ends.push(
          await vi.waitFor(
            () => {
              const end = heard.find(
                (m): m is Extract<RunStreamMessage, { type: 'run:end' }> =>
                  typeof m === 'object' &&
                  m !== null &&
                  (m as RunStreamMessage).type === 'run:end' &&
                  (m as RunStreamMessage).runId === reply.runId,
              )
              if (!end) throw new Error(`no end of ${request.scenario} yet`)
              return end
            },
            { timeout: 60_000, interval: 50 },
          ),
        )
      }
      const [race, queue] = ends
      expect(race.summary.outcome.status).toBe('finished')
      expect(race.summary.counts.events).toBeGreaterThan(400)
      // The program the run reports is the one the build ships, read through the bundled catalogue.
      expect(race.summary.program).toBe(scenarios.find((s) => s.id === 'race-counter')!.program)
      expect(race.verdict).not.toBe('')
      expect(queue.summary.outcome.status).toBe('finished')
      expect(queue.summary.processes.length).toBeGreaterThan(1)
    } finally {
      await runs.stopAll()
    }
  }, 180_000)
})
