import { beforeAll, describe, expect, it } from 'vitest'
import { fake, ipcMain } from '../../tests/fakes/electron'
import { IPC } from '../shared/protocol'
import type { InterleaveApi } from './index.d'

describe('the preload bridge', () => {
  beforeAll(async () => {
    fake.reset()
    await import('./index')
  })

  it('exposes one key, interleave, and nothing of ipcRenderer', () => {
    expect(Object.keys(fake.exposed)).toEqual(['interleave'])
    expect(Object.keys(fake.exposed.interleave as object).sort()).toEqual(['listScenarios'])
  })

  it('lists scenarios through the scenarios:list channel', async () => {
    const scenarios = [{ id: 'race-counter' }]
    ipcMain.handle(IPC.scenariosList, () => scenarios)
    const api = fake.exposed.interleave as InterleaveApi
    await expect(api.listScenarios()).resolves.toEqual(scenarios)
  })
})
