import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { localLauncher } from '../engine/localLauncher'
import { isEventFrame } from '../shared/eventCodec'
import type { RunStreamMessage } from '../shared/protocol'
import { SocketClient as Client } from '../../tests/support/socketClient'
import { parsePort, parseServeArgs, UsageError } from './main'
import { MAX_REQUEST_BYTES, startServer, type InterleaveServer } from './server'

/** How many step views of the run said that a choice could be made. */
function stepsReady(stream: RunStreamMessage[], runId: string): number {
  return stream.filter(
    (m) => m.type === 'run:step' && m.runId === runId && m.step.ready && m.step.candidates.length > 0,
  ).length
}

function alive(osPid: number): boolean {
  try {
    process.kill(osPid, 0)
    return true
  } catch {
    return false
  }
}

describe('parsePort', () => {
  it('takes --port, --port=, PORT, or the default', () => {
    expect(parsePort([], {})).toBe(5174)
    expect(parsePort([], { PORT: '8080' })).toBe(8080)
    expect(parsePort(['--port', '0'], { PORT: '8080' })).toBe(0)
    expect(parsePort(['--port=9000'], {})).toBe(9000)
    expect(() => parsePort(['--port', 'x'], {})).toThrow(UsageError)
    expect(() => parsePort(['--bogus'], {})).toThrow(/unknown argument/)
  })
})

describe('parseServeArgs', () => {
  it('listens on loopback without a token, elsewhere only with one', () => {
    const made = (): string => 'made-up-token-of-24-chars'
    expect(parseServeArgs([], {}, made)).toEqual({ port: 5174, host: '127.0.0.1', token: undefined })
    expect(parseServeArgs(['--host', '0.0.0.0'], {}, made)).toEqual({
      port: 5174,
      host: '0.0.0.0',
      token: 'made-up-token-of-24-chars',
    })
    expect(
      parseServeArgs(['--host=10.0.0.5', '--token', 'sixteen-chars-ok', '--port', '0'], {}, made),
    ).toEqual({ port: 0, host: '10.0.0.5', token: 'sixteen-chars-ok' })
    expect(() => parseServeArgs(['--host', '0.0.0.0', '--token', 'short'], {})).toThrow(/at least 16/)
    expect(() => parseServeArgs(['--host'], {})).toThrow(/--host needs a value/)
    expect(() => parseServeArgs(['--bogus'], {})).toThrow(UsageError)
  })
})

describe('a server that asks for a token', () => {
  it('refuses a socket without the token or with another, and takes one with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'interleave-token-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>')
    const token = 'a-token-for-this-test-only'
    const server = await startServer({ port: 0, rendererDir: dir, launcher: () => localLauncher(), token })
    try {
      expect(server.url).toMatch(/\/\?token=a-token-for-this-test-only$/)
      const base = server.url.replace(/^http/, 'ws').replace(/\?.*$/, '')
      const opens = (url: string): Promise<boolean> =>
        new Promise((resolve) => {
          const ws = new WebSocket(url)
          ws.once('open', () => {
            ws.close()
            resolve(true)
          })
          ws.once('error', () => resolve(false))
        })
      expect(await opens(`${base}api`)).toBe(false)
      expect(await opens(`${base}api?token=a-token-for-this-test-onlX`)).toBe(false)
      expect(await opens(`${base}api?token=${token}`)).toBe(true)
    } finally {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the browser-mode server', () => {
  let dir: string
  let server: InterleaveServer
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'interleave-server-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>')
    server = await startServer({ port: 0, rendererDir: dir, launcher: () => localLauncher() })
  })
  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves the page, and nothing outside its folder', async () => {
    const page = await fetch(server.url)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(await page.text()).toContain('<title>page</title>')
    expect((await fetch(`${server.url}%2e%2e/%2e%2e/etc/passwd`)).status).toBe(404)
    expect((await fetch(`${server.url}missing.js`)).status).toBe(404)
  })

  it('says plainly when the page is not built', async () => {
    const empty = await startServer({
      port: 0,
      rendererDir: join(dir, 'nothing-here'),
      launcher: () => localLauncher(),
    })
    try {
      const res = await fetch(empty.url)
      expect(res.status).toBe(503)
      expect(await res.text()).toContain('npm run build')
    } finally {
      await empty.close()
    }
  })

  it('refuses a socket opened by a page of another origin', async () => {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws') + 'api', { origin: 'http://evil.example' })
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'))
      ws.once('error', () => resolve('refused'))
    })
    expect(outcome).toBe('refused')
  })

  it('lists scenarios and rejects bad requests with their message', async () => {
    const client = await Client.open(server.url)
    try {
      const list = (await client.call({ type: 'scenarios:list' })) as { id: string; params: unknown[] }[]
      expect(list.map((s) => s.id)).toContain('race-counter')
      expect(list[0]).not.toHaveProperty('functions')
      await expect(
        client.call({ type: 'run:start', request: { scenario: 'nope', params: {} } }),
      ).rejects.toThrow("unknown scenario 'nope'")
      await expect(
        client.call({ type: 'run:start', request: { scenario: 'race-counter', params: { threads: 99 } } }),
      ).rejects.toThrow("parameter 'threads' must be at most 16")
    } finally {
      client.ws.close()
    }
  })

  it('hands over the built HTML player, or says it is not built', async () => {
    const client = await Client.open(server.url)
    try {
      // Beside the page: out/renderer and out/player. Here, the page's folder has no sibling player.
      await expect(client.call({ type: 'player:template' })).rejects.toThrow(/the HTML player is not built/)
      const player = mkdtempSync(join(tmpdir(), 'interleave-player-'))
      for (const name of ['player.html', 'player.js', 'player.css']) writeFileSync(join(player, name), name)
      const other = await startServer({
        port: 0,
        rendererDir: dir,
        playerDir: player,
        launcher: () => localLauncher(),
      })
      const second = await Client.open(other.url)
      try {
        expect(await second.call({ type: 'player:template' })).toEqual({
          html: 'player.html',
          js: 'player.js',
          css: 'player.css',
        })
      } finally {
        second.ws.close()
        await other.close()
      }
    } finally {
      client.ws.close()
    }
  })

  it('streams a run from run:started to run:end, its events as binary frames and the rest as JSON', async () => {
    const client = await Client.open(server.url)
    // Every frame as it came: text or bytes.
    const frames: { binary: boolean; data: Buffer }[] = []
    client.ws.on('message', (data: Buffer, binary) => frames.push({ binary, data }))
    try {
      const { runId } = (await client.call({
        type: 'run:start',
        request: { scenario: 'race-counter', params: { iterations: 20 } },
      })) as { runId: string }
      await client.until(() => client.stream.some((m) => m.type === 'run:end'))
      const mine = client.stream.filter((m) => m.runId === runId)
      expect(mine[0].type).toBe('run:started')
      expect(mine.at(-1)?.type).toBe('run:end')
      const events = mine.flatMap((m) => (m.type === 'run:events' ? m.events : []))
      expect(
        events.filter((e) => e.type === 'thread-start').map((e) => e.type === 'thread-start' && e.name),
      ).toEqual(expect.arrayContaining(['MainThread']))
      const end = mine.at(-1)
      if (end?.type !== 'run:end') throw new Error('the stream did not end with run:end')
      expect(end.summary.outcome.status).toBe('finished')
      expect(end.verdict).toMatch(/increment/)
      // The end does not repeat the events: the stream carried every one the engine recorded.
      expect(end.summary).not.toHaveProperty('events')
      expect(end.summary.counts.events).toBe(events.length)
      expect(end.summary.counts.cpu).toBe(mine.flatMap((m) => (m.type === 'run:events' ? m.cpu : [])).length)
      const binary = frames.filter((f) => f.binary)
      expect(binary.length).toBe(mine.filter((m) => m.type === 'run:events').length)
      expect(binary.every((f) => isEventFrame(f.data))).toBe(true)
      for (const f of frames.filter((f) => !f.binary))
        expect(JSON.parse(f.data.toString()).message?.type).not.toBe('run:events')
      // A frame carries a sixth of the bytes its JSON would.
      const bytes = binary.reduce((n, f) => n + f.data.length, 0)
      const json = mine
        .filter((m) => m.type === 'run:events')
        .reduce((n, m) => n + Buffer.byteLength(JSON.stringify({ type: 'run:stream', message: m })), 0)
      expect(bytes * 6).toBeLessThan(json)
    } finally {
      client.ws.close()
    }
  })

  it('steps a run in step mode over the socket, and refuses bad controls with their message', async () => {
    const client = await Client.open(server.url)
    try {
      const { runId } = (await client.call({
        type: 'run:start',
        request: { scenario: 'race-counter', params: { iterations: 1 }, options: { step: true } },
      })) as { runId: string }
      await expect(
        client.call({ type: 'run:control', runId, command: { type: 'jump' } as never }),
      ).rejects.toThrow(/a run control is pause, resume, or step/)
      await expect(
        client.call({ type: 'run:control', runId: 'run-x', command: { type: 'pause' } }),
      ).rejects.toThrow(/no run 'run-x'/)
      // Whoever waits first goes, until the run ends.
      let answered = 0
      for (;;) {
        const ended = (): boolean => client.stream.some((m) => m.runId === runId && m.type === 'run:end')
        await client.until(() => ended() || answered < stepsReady(client.stream, runId))
        if (ended()) break
        const step = [...client.stream].reverse().find((m) => m.type === 'run:step' && m.runId === runId)
        if (step?.type !== 'run:step') throw new Error('no step to take')
        answered = stepsReady(client.stream, runId)
        await client.call({
          type: 'run:control',
          runId,
          command: { type: 'step', key: step.step.candidates[0].key },
        })
      }
      const end = client.stream.find((m) => m.runId === runId && m.type === 'run:end')
      if (end?.type !== 'run:end') throw new Error('no end')
      expect(end.summary.outcome.status).toBe('finished')
      expect(end.summary.schedule!.length).toBeGreaterThan(5)
    } finally {
      client.ws.close()
    }
  })

  it('refuses malformed and hostile requests with a message, and goes on serving', async () => {
    const client = await Client.open(server.url)
    try {
      // Not JSON, or no id to answer to: refused with an api:error of no id, and the socket stays open.
      client.ws.send('{ not json')
      client.ws.send(JSON.stringify({ type: 'scenarios:list' }))
      await client.until(() => client.refusedWithoutId.length === 2)
      expect(client.refusedWithoutId).toEqual([
        'a request is a JSON object with an id (a whole number) and a type; this is not JSON',
        'a request is a JSON object with an id (a whole number) and a type',
      ])
      const refusals: [unknown, RegExp][] = [
        [{ type: 'no:such-channel' }, /unknown request 'no:such-channel'/],
        [{ type: 'run:start', request: 42 }, /a run request is an object/],
        [{ type: 'run:start', request: { scenario: 7 } }, /^request.scenario must be a scenario id$/],
        [
          { type: 'run:start', request: { scenario: 'race-counter', params: 'x' } },
          /^request.params must be an object$/,
        ],
        [
          { type: 'run:start', request: { scenario: 'race-counter', params: { threads: {} } } },
          /^request.params.threads must be a finite number or a word/,
        ],
        [
          { type: 'run:start', request: { scenario: 'race-counter', params: {}, options: { step: 'yes' } } },
          /^request.options.step must be true or false$/,
        ],
        [
          {
            type: 'run:start',
            request: { scenario: 'race-counter', params: {}, options: { schedule: 'x' } },
          },
          /^request.options.schedule must be a list$/,
        ],
        [
          { type: 'run:start', request: { scenario: 'race-counter', params: {}, options: { evil: 1 } } },
          /^request.options has a field it may not have: "evil"$/,
        ],
        [
          // Within the schema's sanity bound: the engine's range says it.
          {
            type: 'run:start',
            request: { scenario: 'race-counter', params: {}, options: { timeoutS: 3601 } },
          },
          /at most 3600/,
        ],
        [
          { type: 'run:start', request: { scenario: 'race-counter' }, extra: 1 },
          /^the message has a field it may not have: "extra"$/,
        ],
        [{ type: 'run:control', runId: 'run-1', command: { type: 'step', key: 'x' } }, /a run control is/],
        [{ type: 'run:stop', runId: { $gt: '' } }, /^runId must be a run id$/],
      ]
      for (const [request, message] of refusals) {
        const answer = client.call(request as never).then(
          () => 'answered',
          (e: Error) => e.message,
        )
        expect(await answer).toMatch(message)
      }
      // A frame larger than any request closes that socket before it is read; others are not touched.
      const big = await Client.open(server.url)
      const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)))
      big.ws.send('x'.repeat(MAX_REQUEST_BYTES + 1))
      expect(await closed).toBe(1009)
      // Still serving, on the first socket and on a new one.
      await expect(client.call({ type: 'scenarios:list' })).resolves.toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'race-counter' })]),
      )
      const fresh = await Client.open(server.url)
      await expect(fresh.call({ type: 'scenarios:list' })).resolves.toHaveProperty('length')
      fresh.ws.close()
      // Nothing was started by any of it.
      expect(client.stream).toEqual([])
    } finally {
      client.ws.close()
    }
  })

  it('stops a socket’s runs when it closes: no process is left', async () => {
    const client = await Client.open(server.url)
    await client.call({
      type: 'run:start',
      request: { scenario: 'writer-drawer-assembler', params: {}, options: { timeoutS: 30 } },
    })
    await client.until(() => client.stream.filter((m) => m.type === 'run:process').length >= 3)
    const osPids = client.stream.flatMap((m) =>
      m.type === 'run:process' && m.process.osPid ? [m.process.osPid] : [],
    )
    expect(osPids.some(alive)).toBe(true)
    client.ws.close()
    await client.until(() => !osPids.some(alive), 15_000)
  })
})
