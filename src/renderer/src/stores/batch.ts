import { computed, ref, shallowRef } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api'
import {
  batchRunsProblem,
  DEFAULT_BATCH_RUNS,
  type BatchMeasure,
  type BatchStatus,
  type BatchStreamMessage,
  type BatchValue,
} from '../../../shared/batch'
import type { ParamValues } from '../../../shared/scenario'
import type { RunOptions } from '../../../shared/trace'
import { readRecording } from '../../../shared/recording'
import { useRunStore } from './run'

export type BatchPhase = 'idle' | 'starting' | 'running' | 'ended'

/** What the batch on the page ran: the lesson and its settings, as batch:started said. */
export interface BatchOf {
  batchId: string
  scenario: string
  params: ParamValues
  options: RunOptions
  measure: BatchMeasure
}

/**
 * Run many: the window's batch (one at a time), its tally as it grows, and the dialog that shows it.
 * The lesson and its settings are the run form's (the run store's), so Run many runs what Run would.
 */
export const useBatchStore = defineStore('batch', () => {
  const dialogOpen = ref(false)
  /** The runs asked for, as typed; checked before Start. */
  const runs = ref<number | string>(DEFAULT_BATCH_RUNS)
  const phase = ref<BatchPhase>('idle')
  const of = shallowRef<BatchOf | null>(null)
  const total = ref(0)
  const done = ref(0)
  const values = ref<BatchValue[]>([])
  const expected = ref<number | null>(null)
  const status = ref<BatchStatus | null>(null)
  const endMessage = ref('')
  const error = ref<string | null>(null)
  /** A kept run being fetched and opened. */
  const opening = ref<number | null>(null)
  let awaiting = false

  const runsProblem = computed(() => batchRunsProblem(Number(runs.value) || runs.value))
  const isRunning = computed(() => phase.value === 'starting' || phase.value === 'running')
  const notKept = computed(() => values.value.filter((v) => !v.kept).length)

  function onMessage(message: BatchStreamMessage): void {
    if (message.type === 'batch:started') {
      if (!awaiting && message.batchId !== of.value?.batchId) return
      awaiting = false
      const { batchId, scenario, params, options, measure } = message
      of.value = { batchId, scenario, params, options, measure }
      total.value = message.total
      done.value = 0
      values.value = []
      expected.value = measure.expected
      status.value = null
      endMessage.value = ''
      phase.value = 'running'
      return
    }
    if (message.batchId !== of.value?.batchId) return
    if (message.type === 'batch:progress') {
      done.value = message.done
      expected.value = message.expected
      const at = values.value.findIndex((v) => v.value === message.value.value)
      if (at < 0) values.value = [...values.value, message.value]
      else values.value = values.value.map((v, i) => (i === at ? message.value : v))
      return
    }
    done.value = message.done
    values.value = message.values
    expected.value = message.expected
    status.value = message.status
    endMessage.value = message.message
    phase.value = 'ended'
  }

  api.onBatchMessage(onMessage)

  function show(): void {
    dialogOpen.value = true
  }

  /** Starts a batch of the lesson with the run form's settings. */
  async function start(scenario: string): Promise<void> {
    if (isRunning.value || runsProblem.value) return
    const run = useRunStore()
    error.value = null
    phase.value = 'starting'
    awaiting = true
    try {
      const options = { gil: run.gil, ...(run.timeoutS ? { timeoutS: run.timeoutS } : {}) }
      const reply = await api.startBatch({
        run: { scenario, params: { ...run.params }, options },
        runs: Number(runs.value),
      })
      // batch:started may come before the reply (browser mode) or after it (the app).
      if (of.value?.batchId !== reply.batchId) {
        of.value = null
        awaiting = true
      }
      if (phase.value === 'starting') {
        // Until batch:started arrives, an empty tally of this batch.
        values.value = []
        done.value = 0
        total.value = Number(runs.value)
      }
    } catch (e) {
      awaiting = false
      phase.value = 'idle'
      error.value = e instanceof Error ? e.message : String(e)
    }
  }

  async function cancel(): Promise<void> {
    const id = of.value?.batchId
    if (id && isRunning.value) await api.cancelBatch(id)
  }

  /** Opens a kept run in the normal views, as a recording; the dialog closes to show it. */
  async function openRun(index: number): Promise<void> {
    const batch = of.value
    if (!batch || opening.value !== null) return
    error.value = null
    opening.value = index
    try {
      const recording = await readRecording(await api.batchRun(batch.batchId, index))
      const figure = batch.measure.figure
      const value = figure ? recording.record.result[figure] : recording.record.outcome.status
      const name = `${batch.scenario}, run ${index + 1} of ${total.value}${figure ? ` (${batch.measure.label} ${String(value ?? '?')})` : ''}`
      await useRunStore().openRecording(recording, name)
      dialogOpen.value = false
    } catch (e) {
      error.value = `Could not open run ${index + 1}: ${e instanceof Error ? e.message : String(e)}`
    } finally {
      opening.value = null
    }
  }

  return {
    dialogOpen,
    runs,
    runsProblem,
    phase,
    of,
    total,
    done,
    values,
    expected,
    status,
    endMessage,
    error,
    opening,
    isRunning,
    notKept,
    show,
    start,
    cancel,
    openRun,
  }
})
