/**
 * The packaging configuration as electron-builder itself reads and checks it (its own loader and its
 * schema; no download needed), and the security settings it must carry: Electron's fuses.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DebugLogger } from 'builder-util'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import type { Configuration } from 'app-builder-lib'

const root = fileURLToPath(new URL('..', import.meta.url))

async function config(): Promise<Configuration> {
  return getConfig(root, null, null)
}

describe('electron-builder configuration', () => {
  it('is accepted by electron-builder, which refuses an unknown option', async () => {
    const c = await config()
    expect(c.appId).toBe('org.interleave.app')
    await expect(validateConfiguration(c, new DebugLogger(false))).resolves.toBeUndefined()
    await expect(
      validateConfiguration({ ...c, notAnOption: true } as Configuration, new DebugLogger(false)),
    ).rejects.toThrow(/unknown property 'notAnOption'/)
  })

  it('flips the fuses that close doors the app does not use, and loads the app only from its asar', async () => {
    const c = await config()
    expect(c.asar).toBe(true)
    expect(c.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: true,
    })
  })
})
