/**
 * Run many: one lesson run N times in the background, one run after another, and the distribution of
 * its outcomes (a verdict figure such as the final counter, or the outcome's category). The first run
 * that gave each value is kept as a recording, so that the page can open it from the plot.
 */
import type { RunRequest } from './protocol'
import type { ParamValues } from './scenario'
import type { RunOptions } from './trace'

/** The most runs one batch may have. */
export const MAX_BATCH_RUNS = 1000
/** The runs the page offers when it opens the dialog. */
export const DEFAULT_BATCH_RUNS = 100

export interface BatchRequest {
  run: RunRequest
  /** How many times to run it: 1 to MAX_BATCH_RUNS. */
  runs: number
}

/** Why `runs` cannot be a batch's size, or null when it can. */
export function batchRunsProblem(runs: unknown): string | null {
  if (typeof runs !== 'number' || !Number.isInteger(runs) || runs < 1 || runs > MAX_BATCH_RUNS) {
    return `the number of runs must be a whole number from 1 to ${MAX_BATCH_RUNS}; got ${typeof runs === 'number' || typeof runs === 'string' ? runs : typeof runs}`
  }
  return null
}

/** One distinct outcome so far: how often it came, and the first run (0-based) that gave it. */
export interface BatchValue {
  /** A figure's number, or an outcome's category ('finished', 'timed-out', 'deadlock', ...). */
  value: number | string
  count: number
  firstRun: number
  /** Whether that first run is kept as a recording (false past the memory budget). */
  kept: boolean
}

/** What a batch plots, from the scenario: its figure and its words, and the value the lesson expects. */
export interface BatchMeasure {
  /** The verdict figure, or null when the values are the outcome's category. */
  figure: string | null
  /** Words for the axis: "final counter", or "outcome". */
  label: string
  /** The value a correct program gives, where the lesson has one (race-counter: the expected count). */
  expected: number | null
}

export type BatchStatus = 'finished' | 'cancelled' | 'failed'

/** What a batch sends its page: started, a progress message per run that ended, then end. */
export type BatchStreamMessage =
  | {
      type: 'batch:started'
      batchId: string
      scenario: string
      params: ParamValues
      options: RunOptions
      total: number
      measure: BatchMeasure
    }
  /** `value`: the tally of the value this run gave, as it stands now (the page replaces its entry). */
  | {
      type: 'batch:progress'
      batchId: string
      done: number
      total: number
      value: BatchValue
      /** Set once the expected value is known (from the first run's figures). */
      expected: number | null
    }
  /** The whole tally, which is the truth whatever progress the page heard. */
  | {
      type: 'batch:end'
      batchId: string
      status: BatchStatus
      message: string
      done: number
      total: number
      values: BatchValue[]
      expected: number | null
      /** Bytes the kept recordings take (gzipped). */
      keptBytes: number
    }

/** Electron IPC replies: a refusal is an answer with its message (as RunStartReply). */
export type BatchStartReply = { ok: true; batchId: string } | { ok: false; message: string }
export type BatchRunReply = { ok: true; bytes: Uint8Array } | { ok: false; message: string }
