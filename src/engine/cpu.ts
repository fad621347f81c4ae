import { cpus } from 'node:os'
import type { CpuSample } from '../shared/trace'

interface CoreTimes {
  busy: number
  total: number
}

function read(): CoreTimes[] {
  return cpus().map(({ times }) => {
    const total = times.user + times.nice + times.sys + times.idle + times.irq
    return { busy: total - times.idle, total }
  })
}

/** Per-core utilisation from the OS, as deltas between two readings of os.cpus(). */
export class CoreSampler {
  private last = read()

  sample(tUs: number): CpuSample {
    const now = read()
    const corePct = now.map((c, i) => {
      const prev = this.last[i] ?? c
      const total = c.total - prev.total
      return total > 0 ? Math.max(0, Math.min(100, ((c.busy - prev.busy) / total) * 100)) : 0
    })
    this.last = now
    return { tUs, corePct }
  }
}
