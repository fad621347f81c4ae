/** The machine the figures were taken on, and how busy it was while they were. */
import { loadavg } from 'node:os'
import { machineInfo } from '../src/engine/run'

export interface Machine {
  cores: number
  cpuModel: string
  os: string
  node: string
  /** When the suite started, ISO 8601. */
  date: string
  /** The 1-minute load average when the suite started and when it ended. */
  loadStart: number
  loadEnd?: number
}

export function machine(): Machine {
  return { ...machineInfo(), date: new Date().toISOString(), loadStart: loadavg()[0] }
}

/** The 1-minute load average now, as a figure's notes say it: on 2 cores, above 2 is work waiting. */
export function loadNote(): string {
  return `load ${loadavg()[0].toFixed(2)}`
}
