import { spawn } from 'node:child_process'
import { beforeEach, describe, expect, it } from 'vitest'
import { fake } from '../../tests/fakes/electron'
import type { HostInbound, HostOutbound } from '../shared/protocol'
import { unpackedPath, UtilityProcessLauncher } from './utilityProcessLauncher'

const ready: HostOutbound = { type: 'host:ready', pid: 1, osPid: 4242 }
const reply: HostInbound = { type: 'broker:reply', tid: 2, reply: { status: 'ok', value: 7, tUs: 1500 } }

function launchOne() {
  const launched = new UtilityProcessLauncher().launch('Process-1')
  const child = fake.children.at(-1)
  if (!child) throw new Error('the launcher forked nothing')
  return { launched, child }
}

describe('UtilityProcessLauncher', () => {
  beforeEach(() => fake.reset())

  it('forks the process host as a utility process named after the Python process', () => {
    launchOne()
    expect(fake.children).toHaveLength(1)
    const [child] = fake.children
    expect(child?.modulePath).toMatch(/src\/engine\/host\/main\.ts$/)
    expect(child?.args).toEqual([])
    expect(child?.options).toEqual({ serviceName: 'Process-1' })
  })

  it('hands every host the thread worker entry from src/scenarios', () => {
    expect(new UtilityProcessLauncher().threadEntry).toMatch(/src\/scenarios\/threadEntry\.ts$/)
  })

  it('looks for the thread entry beside the archive in a package, where asarUnpack puts it', () => {
    expect(unpackedPath('/opt/Interleave/resources/app.asar/out/main/chunks/threadEntry-1a2b.js')).toBe(
      '/opt/Interleave/resources/app.asar.unpacked/out/main/chunks/threadEntry-1a2b.js',
    )
    expect(unpackedPath('C:\\Interleave\\resources\\app.asar\\out\\main\\chunks\\t.js')).toBe(
      'C:\\Interleave\\resources\\app.asar.unpacked\\out\\main\\chunks\\t.js',
    )
    // From the sources or a build folder, nothing changes; nor does a name that merely contains .asar.
    expect(unpackedPath('/work/src/scenarios/threadEntry.ts')).toBe('/work/src/scenarios/threadEntry.ts')
    expect(unpackedPath('/work/my.asarfile/t.js')).toBe('/work/my.asarfile/t.js')
  })

  it('sends messages to the child', () => {
    const { launched, child } = launchOne()
    launched.send(reply)
    expect(child.sent).toEqual([reply])
  })

  it('passes on what the child says', () => {
    const { launched, child } = launchOne()
    const heard: HostOutbound[] = []
    launched.onMessage((message) => heard.push(message))
    child.emit('message', ready)
    expect(heard).toEqual([ready])
  })

  it('reports the exit code, with no signal', () => {
    const { launched, child } = launchOne()
    const exits: [number | null, string | null][] = []
    launched.onExit((code, signal) => exits.push([code, signal]))
    child.emit('exit', 3)
    expect(exits).toEqual([[3, null]])
  })

  it('asks Electron to kill a child that has no pid yet', () => {
    const { launched, child } = launchOne()
    expect(child.killed).toBe(false)
    launched.kill()
    expect(child.killed).toBe(true)
  })

  it('kills a running child with SIGKILL, which a hung host cannot ignore', async () => {
    const { launched, child } = launchOne()
    const real = spawn('sleep', ['30'], { stdio: 'ignore' })
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      real.on('exit', (_code, signal) => resolve(signal)),
    )
    child.pid = real.pid
    launched.kill()
    expect(await exited).toBe('SIGKILL')
    expect(child.killed).toBe(false)
  })

  it('knows the OS pid only while the child has one', () => {
    const { launched, child } = launchOne()
    expect(launched.osPid).toBeNull()
    child.pid = 4242
    expect(launched.osPid).toBe(4242)
  })
})
