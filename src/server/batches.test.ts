/**
 * Run many over browser mode's socket, for real: batch:start, its batch:stream, batch:run's kept
 * recording, refusals, and a closed socket cancelling its batch with no process left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { ProcessLauncher } from '../engine/launcher'
import { localLauncher } from '../engine/localLauncher'
import { readRecording } from '../shared/recording'
import { CountingLauncher } from '../../tests/support/countingLauncher'
import { SocketClient as Client } from '../../tests/support/socketClient'
import { startServer, type InterleaveServer } from './server'

const race = { scenario: 'race-counter', params: { threads: 2, iterations: 20 } }

describe('run many in browser mode', () => {
  let server: InterleaveServer
  let launcher: CountingLauncher
  let base: ProcessLauncher
  const dir = mkdtempSync(join(tmpdir(), 'interleave-batches-'))

  beforeAll(async () => {
    base = await localLauncher()
    launcher = new CountingLauncher(base)
    server = await startServer({ port: 0, rendererDir: dir, launcher: async () => launcher })
  })
  afterAll(async () => {
    await server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('streams a batch to its socket and hands over the kept run of each value', async () => {
    const client = await Client.open(server.url)
    const { batchId } = (await client.call({ type: 'batch:start', request: { run: race, runs: 4 } })) as {
      batchId: string
    }
    const end = await client.end(batchId)
    const mine = client.batches.filter((m) => m.batchId === batchId)
    expect(mine.map((m) => m.type)).toEqual([
      'batch:started',
      'batch:progress',
      'batch:progress',
      'batch:progress',
      'batch:progress',
      'batch:end',
    ])
    expect(end).toMatchObject({ status: 'finished', done: 4, total: 4, expected: 40 })
    for (const v of end.values) {
      const { base64 } = (await client.call({ type: 'batch:run', batchId, run: v.firstRun })) as {
        base64: string
      }
      const recording = await readRecording(new Uint8Array(Buffer.from(base64, 'base64')))
      expect(recording.record.result.counter).toBe(v.value)
    }
    // A run that was not the first of its value, and a batch that is not this socket's, are refused.
    const notKept = [0, 1, 2, 3].find((i) => !end.values.some((v) => v.firstRun === i))
    if (notKept !== undefined) {
      await expect(client.call({ type: 'batch:run', batchId, run: notKept })).rejects.toThrow(
        `run ${notKept + 1} of that batch was not kept`,
      )
    }
    const other = await Client.open(server.url)
    await expect(other.call({ type: 'batch:run', batchId, run: 0 })).rejects.toThrow('no longer kept')
    other.ws.close()
    client.ws.close()
  })

  it('refuses a bad batch with a message and starts nothing', async () => {
    const client = await Client.open(server.url)
    const before = launcher.launched.length
    await expect(client.call({ type: 'batch:start', request: { run: race, runs: 0 } })).rejects.toThrow(
      'the number of runs must be a whole number from 1 to 1000; got 0',
    )
    await expect(client.call({ type: 'batch:start', request: { run: race, runs: 1001 } })).rejects.toThrow(
      /from 1 to 1000; got 1001/,
    )
    await expect(
      client.call({ type: 'batch:start', request: { run: { scenario: 'nope', params: {} }, runs: 3 } }),
    ).rejects.toThrow("unknown scenario 'nope'")
    await expect(
      client.call({ type: 'batch:run', batchId: 'batch-none', run: 'x' as unknown as number }),
    ).rejects.toThrow('run must be a whole number from 0 to 999')
    expect(launcher.launched.length).toBe(before)
    client.ws.close()
  })

  it('cancels a batch by its id, and a closed socket cancels its batch: no process is left', async () => {
    const client = await Client.open(server.url)
    const { batchId } = (await client.call({ type: 'batch:start', request: { run: race, runs: 1000 } })) as {
      batchId: string
    }
    await expect(client.call({ type: 'batch:start', request: { run: race, runs: 5 } })).rejects.toThrow(
      /already under way/,
    )
    await vi.waitFor(() => expect(client.batches.some((m) => m.type === 'batch:progress')).toBe(true), {
      timeout: 30_000,
    })
    await client.call({ type: 'batch:cancel', batchId })
    const end = await client.end(batchId)
    expect(end.status).toBe('cancelled')
    expect(end.done).toBeLessThan(1000)
    await launcher.allGone()

    // Closing the socket in the middle of a batch cancels it.
    const again = await Client.open(server.url)
    await again.call({ type: 'batch:start', request: { run: race, runs: 1000 } })
    await vi.waitFor(() => expect(launcher.alive).toBeGreaterThan(0), { timeout: 30_000 })
    again.ws.close()
    await launcher.allGone()
    // Nothing starts afterwards.
    const count = launcher.launched.length
    await new Promise((r) => setTimeout(r, 1500))
    expect(launcher.launched.length).toBe(count)
    client.ws.close()
  })
})
