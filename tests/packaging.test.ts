/**
 * The packaging configuration as electron-builder itself reads and checks it (its own loader and its
 * schema; no download needed), and the security settings it must carry: Electron's fuses.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
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

  it('builds the four packages, with their metadata and the association of recordings', async () => {
    const c = await config()
    expect(c.directories?.buildResources).toBe('resources')
    expect(c.linux?.target).toEqual(['AppImage', 'deb'])
    expect(c.mac?.target).toEqual(['dmg'])
    expect(c.win?.target).toEqual(['nsis'])
    expect(c.linux?.category).toBe('Education')
    expect(c.linux?.maintainer).toMatch(/<.+@.+>/)
    expect(c.linux?.desktop?.entry?.StartupWMClass).toBe('Interleave')
    const [recordings] = [c.fileAssociations].flat()
    expect(recordings?.ext).toEqual(['interleave.json', 'interleave.json.gz'])
    expect(recordings?.mimeType).toBe('application/x-interleave-recording')
    // Windows registers associations only for a machine-wide install.
    expect(c.nsis?.perMachine).toBe(true)
  })
})

/** A PNG's width and height, from its header. */
function pngSize(bytes: Buffer): [number, number] {
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG')
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)]
}

describe('the icon', () => {
  const resources = join(root, 'resources')

  it('is drawn at every size the platforms ask for, each image as big as its name says', () => {
    const sizes = readdirSync(join(resources, 'icons')).sort((a, b) => parseInt(a) - parseInt(b))
    expect(sizes).toEqual([16, 24, 32, 48, 64, 128, 256, 512, 1024].map((n) => `${n}x${n}.png`))
    for (const name of sizes) {
      const n = parseInt(name)
      expect(pngSize(readFileSync(join(resources, 'icons', name))), name).toEqual([n, n])
    }
    expect(pngSize(readFileSync(join(resources, 'icon.png')))).toEqual([1024, 1024])
  })

  it('holds Windows sizes up to 256 px in icon.ico, and macOS sizes up to 1024 px in icon.icns', () => {
    const ico = readFileSync(join(resources, 'icon.ico'))
    expect(ico.readUInt16LE(2)).toBe(1) // an icon, not a cursor
    const count = ico.readUInt16LE(4)
    const icoSizes: number[] = []
    for (let i = 0; i < count; i++) {
      const at = 6 + 16 * i
      const size = ico.readUInt8(at) || 256
      const image = ico.subarray(
        ico.readUInt32LE(at + 12),
        ico.readUInt32LE(at + 12) + ico.readUInt32LE(at + 8),
      )
      expect(pngSize(image)).toEqual([size, size])
      icoSizes.push(size)
    }
    expect(icoSizes).toEqual([16, 24, 32, 48, 64, 128, 256])

    const icns = readFileSync(join(resources, 'icon.icns'))
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const icnsSizes: number[] = []
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) {
      icnsSizes.push(pngSize(icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)))[0])
    }
    expect(icnsSizes).toEqual([16, 32, 64, 128, 256, 512, 1024])
  })
})
