/** The preload bridge's Run-many functions: each is one named channel, and a refusal is main's own message. */
import { beforeAll, describe, expect, it } from 'vitest'
import { fake, ipcMain } from '../../tests/fakes/electron'
import type { BatchRunReply, BatchStartReply, BatchStreamMessage } from '../shared/batch'
import { IPC } from '../shared/protocol'
import type { InterleaveApi } from './index.d'

describe('the preload bridge, run many', () => {
  let api: InterleaveApi

  beforeAll(async () => {
    fake.reset()
    await import('./index')
    api = fake.exposed.interleave as InterleaveApi
  })

  it('starts a batch on batch:start, and rejects with main’s own message when main refuses', async () => {
    const asked: unknown[] = []
    ipcMain.handle(IPC.batchStart, (_event, request): BatchStartReply => {
      asked.push(request)
      return (request as { runs: number }).runs === 0
        ? { ok: false, message: 'the number of runs must be a whole number from 1 to 1000; got 0' }
        : { ok: true, batchId: 'batch-1' }
    })
    const request = { run: { scenario: 'race-counter', params: {} }, runs: 5 }
    await expect(api.startBatch(request)).resolves.toEqual({ batchId: 'batch-1' })
    expect(asked).toEqual([request])
    await expect(api.startBatch({ ...request, runs: 0 })).rejects.toThrow(
      /^the number of runs must be a whole number from 1 to 1000; got 0$/,
    )
  })

  it('cancels on batch:cancel and fetches a kept run on batch:run', async () => {
    const cancelled: unknown[] = []
    ipcMain.handle(IPC.batchCancel, (_event, batchId) => {
      cancelled.push(batchId)
      return { ok: true }
    })
    await api.cancelBatch('batch-1')
    expect(cancelled).toEqual(['batch-1'])
    ipcMain.handle(IPC.batchRun, (_event, batchId, run): BatchRunReply =>
      run === 0
        ? { ok: true, bytes: new Uint8Array([31, 139, 8]) }
        : { ok: false, message: `${String(batchId)}: not kept` },
    )
    expect(await api.batchRun('batch-1', 0)).toEqual(new Uint8Array([31, 139, 8]))
    await expect(api.batchRun('batch-1', 4)).rejects.toThrow(/^batch-1: not kept$/)
  })

  it('hands batch:stream messages to listeners until they unsubscribe', () => {
    const got: BatchStreamMessage[] = []
    const off = api.onBatchMessage((m) => got.push(m))
    const message: BatchStreamMessage = {
      type: 'batch:progress',
      batchId: 'batch-1',
      done: 1,
      total: 5,
      value: { value: 1900, count: 1, firstRun: 0, kept: true },
      expected: 2000,
    }
    fake.sendToRenderer(IPC.batchStream, [], message)
    off()
    fake.sendToRenderer(IPC.batchStream, [], message)
    expect(got).toEqual([message])
  })
})
