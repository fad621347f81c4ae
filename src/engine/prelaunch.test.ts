import { afterEach, describe, expect, it, vi } from 'vitest'
import type { HostInbound } from '../shared/protocol'
import type { LaunchedProcess, ProcessLauncher } from './launcher'
import { localLauncher } from './localLauncher'
import {
  IDLE_HOSTS,
  MAX_WARM_THREADS,
  PrelaunchingLauncher,
  REFILL_DELAY_MS,
  WARM_THREADS,
} from './prelaunch'

class FakeProcess implements LaunchedProcess {
  readonly osPid = null
  readonly sent: HostInbound[] = []
  killedWith: string | null = null
  private exitListeners: ((code: number | null, signal: string | null) => void)[] = []
  send(message: HostInbound): void {
    this.sent.push(message)
  }
  onMessage(): void {}
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.exitListeners.push(listener)
  }
  exit(): void {
    for (const l of this.exitListeners) l(null, 'SIGKILL')
  }
  kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGKILL'): void {
    this.killedWith = signal
    queueMicrotask(() => this.exit())
  }
}

class FakeLauncher implements ProcessLauncher {
  readonly threadEntry = '/thread.mjs'
  readonly launched: FakeProcess[] = []
  launch(): FakeProcess {
    const p = new FakeProcess()
    this.launched.push(p)
    return p
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('PrelaunchingLauncher', () => {
  afterEach(() => vi.useRealTimers())

  it('keeps hosts idle, hands them out, and refills only a moment later', () => {
    vi.useFakeTimers()
    const inner = new FakeLauncher()
    const pool = new PrelaunchingLauncher(inner)
    expect(inner.launched).toHaveLength(IDLE_HOSTS)
    expect(pool.threadEntry).toBe('/thread.mjs')
    const first = pool.launch('interleave-host')
    expect(first).toBe(inner.launched[0])
    expect(pool.launch('interleave-host')).toBe(inner.launched[1])
    // The pool is empty: a third comes straight from the inner launcher.
    expect(pool.launch('interleave-host')).toBe(inner.launched[2])
    // An idle host is told to warm its workers, and nothing of any run; one launched on demand, nothing.
    const warm = { type: 'host:warm', threadEntry: '/thread.mjs', threads: WARM_THREADS }
    expect(inner.launched.map((p) => p.sent)).toEqual([[warm], [warm], []])
    // Refilling waits, so as not to compete with the run that is starting.
    expect(inner.launched).toHaveLength(3)
    vi.advanceTimersByTime(REFILL_DELAY_MS)
    expect(inner.launched).toHaveLength(3 + IDLE_HOSTS)
    expect(pool.idleCount).toBe(IDLE_HOSTS)
  })

  it('warms idle hosts with as many workers as the latest run started, from the next refill on', () => {
    vi.useFakeTimers()
    const inner = new FakeLauncher()
    const pool = new PrelaunchingLauncher(inner)
    const warm = (threads: number): HostInbound => ({
      type: 'host:warm',
      threadEntry: '/thread.mjs',
      threads,
    })
    // A run whose hosts start 5 workers before MainThread: it takes one idle host...
    pool.warmFor(5)
    pool.launch('interleave-host')
    // ...and the other is not told anything while the run starts.
    expect(inner.launched[1].sent).toEqual([warm(WARM_THREADS)])
    vi.advanceTimersByTime(REFILL_DELAY_MS)
    // At the refill, the idle host starts more, and the new one starts as many from the first.
    expect(inner.launched[1].sent).toEqual([warm(WARM_THREADS), warm(5)])
    expect(inner.launched).toHaveLength(IDLE_HOSTS + 1)
    expect(inner.launched[IDLE_HOSTS].sent).toEqual([warm(5)])
    // Fewer later: a host that has more keeps them, and is told nothing.
    pool.warmFor(1)
    pool.launch('interleave-host')
    vi.advanceTimersByTime(REFILL_DELAY_MS)
    expect(inner.launched[IDLE_HOSTS].sent).toEqual([warm(5)])
    expect(inner.launched[IDLE_HOSTS + 1].sent).toEqual([warm(WARM_THREADS)])
    // Never past MAX_WARM_THREADS.
    pool.warmFor(1000)
    pool.launch('interleave-host')
    vi.advanceTimersByTime(REFILL_DELAY_MS)
    expect(inner.launched.at(-1)!.sent).toEqual([warm(MAX_WARM_THREADS)])
  })

  it('skips an idle host that died, and close() ends the rest', async () => {
    const inner = new FakeLauncher()
    const pool = new PrelaunchingLauncher(inner)
    inner.launched[0].exit()
    expect(pool.idleCount).toBe(1)
    expect(pool.launch('interleave-host')).toBe(inner.launched[1])
    const waiting = new PrelaunchingLauncher(inner)
    const [a, b] = inner.launched.slice(-2)
    await waiting.close()
    expect([a.killedWith, b.killedWith]).toEqual(['SIGKILL', 'SIGKILL'])
    expect(waiting.idleCount).toBe(0)
    // After close, nothing is kept ready any more.
    const before = inner.launched.length
    waiting.launch('interleave-host')
    expect(inner.launched).toHaveLength(before + 1)
    await pool.close()
  })

  it('with real hosts: they start idle, and none is left after close()', async () => {
    const inner = await localLauncher()
    const launched: LaunchedProcess[] = []
    const counting: ProcessLauncher = {
      threadEntry: inner.threadEntry,
      launch: (name) => {
        const p = inner.launch(name)
        launched.push(p)
        return p
      },
    }
    const pool = new PrelaunchingLauncher(counting)
    const pids = launched.map((p) => p.osPid).filter((p): p is number => p !== null)
    expect(pids).toHaveLength(IDLE_HOSTS)
    await new Promise((r) => setTimeout(r, 300))
    expect(pids.every(alive)).toBe(true)
    await pool.close()
    expect(pids.some(alive)).toBe(false)
  })
})
