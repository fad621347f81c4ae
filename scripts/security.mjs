#!/usr/bin/env node
/**
 * `npm run security`: Electronegativity (Doyensec's checker of Electron's security checklist) over
 * the built app in out/ (run `npm run build` first). Fails on any finding of medium severity or
 * above that is not one of the reviewed ones below, each with its reason.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'out')
if (!existsSync(join(out, 'main', 'index.js'))) {
  console.error('security: no built app in out/: run `npm run build` first')
  process.exit(2)
}

/** Findings looked at and kept, by check and the code it points at; every one says why. */
const REVIEWED = [
  {
    check: 'OPEN_EXTERNAL_JS_CHECK',
    sample: 'shell.openExternal(PYTHON_CONCURRENCY_DOCS)',
    why: "the Help menu opens one constant https address, Python's documentation (src/main/menu.ts)",
  },
  {
    check: 'OPEN_EXTERNAL_JS_CHECK',
    sample: 'if (isTrustedExternal(url)) void shell.openExternal(url)',
    why: 'only https links to docs.python.org are opened; anything else a page asks for is refused (isTrustedExternal, tested in src/main/index.test.ts)',
  },
  {
    check: 'PRELOAD_JS_CHECK',
    sample: 'preload: join(import.meta.dirname, "../preload/index.cjs")',
    why: 'the preload is the typed bridge: context isolation and the sandbox are on, and it exposes only named functions, never ipcRenderer (src/preload/index.test.ts)',
  },
]

const require = createRequire(import.meta.url)
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const installed = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version
// Electronegativity takes a release it knows offline: the major's first one (its checks go by major).
const electronVersion = `${installed.split('.')[0]}.0.0`
const bin = join(dirname(require.resolve('@doyensec/electronegativity/package.json')), 'dist', 'index.js')
const dir = mkdtempSync(join(tmpdir(), 'interleave-security-'))
const csv = join(dir, 'report.csv')
try {
  // -e: no need to look up Electron's releases (this machine may have no network beyond npm).
  // It exits 1 when it finds anything; what counts is the report it writes.
  // With its report's two writes made to land in order (see syncReportWrites.mjs).
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(root, 'scripts', 'syncReportWrites.mjs')).href,
      bin,
      ...['-i', out, '-r', '-v', 'false', '-s', 'medium', '-e', electronVersion, '-o', csv],
    ],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, INTERLEAVE_SECURITY_REPORT: csv },
    },
  )
  if (!existsSync(csv)) {
    console.error(
      `security: Electronegativity wrote no report (exit ${run.status}, ${run.error ?? 'no error'})`,
    )
    process.exit(2)
  }
  const findings = parseCsv(readFileSync(csv, 'utf8')).slice(1)
  // A file it cannot parse it skips without a word: the window's preload, which it always notes,
  // shows that main was read.
  if (!findings.some(([issue, , , file]) => issue === 'PRELOAD_JS_CHECK' && file.includes('main'))) {
    console.error("security: Electronegativity did not read main's window (out/main/index.js): no verdict")
    process.exit(2)
  }
  let failed = 0
  for (const [issue, severity, confidence, file, location, sample] of findings) {
    if (!['MEDIUM', 'HIGH', 'CRITICAL'].includes(severity)) continue
    const reviewed = REVIEWED.find(
      (r) => r.check === issue && normalise(sample).includes(normalise(r.sample)),
    )
    if (reviewed) {
      console.log(`reviewed  ${issue} ${severity}/${confidence} ${file}:${location}: ${reviewed.why}`)
    } else {
      failed++
      console.log(`FINDING   ${issue} ${severity}/${confidence} ${file}:${location}: ${sample}`)
    }
  }
  console.log(
    `security: Electronegativity on ${pkg.name}'s build (Electron ${installed}): ` +
      (failed
        ? `${failed} finding(s) of medium severity or above`
        : 'no finding of medium severity or above left'),
  )
  process.exitCode = failed ? 1 : 0
} finally {
  rmSync(dir, { recursive: true, force: true })
}

function normalise(text) {
  return text.replace(/["']/g, '"').replace(/\s+/g, ' ')
}

/** RFC 4180 CSV: quoted fields with doubled quotes. */
function parseCsv(text) {
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field.trim())
      field = ''
    } else if (c === '\n') {
      row.push(field.trim())
      rows.push(row)
      row = []
      field = ''
    } else if (c !== '\r') field += c
  }
  if (field || row.length) rows.push([...row, field.trim()])
  return rows
}
