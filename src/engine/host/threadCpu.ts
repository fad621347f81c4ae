import { readFileSync } from 'node:fs'

/** A thread's CPU time, µs, and the core it last ran on. */
export interface ThreadCpuReading {
  cpuUs: number
  core: number | null
}

/**
 * CPU time and last core of one OS thread of this process, from /proc (Linux only):
 * schedstat's first field is nanoseconds on a CPU; stat's field 39 is the core it last ran on.
 */
export function readThreadCpu(osTid: number): ThreadCpuReading | null {
  try {
    const sched = readFileSync(`/proc/self/task/${osTid}/schedstat`, 'utf8')
    const cpuUs = Number(sched.split(' ', 1)[0]) / 1000
    const stat = readFileSync(`/proc/self/task/${osTid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const core = Number(rest[39 - 3])
    return { cpuUs, core: Number.isFinite(core) ? core : null }
  } catch {
    return null
  }
}
