import { computed, ref, shallowRef, triggerRef } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api'
import type { RunStreamMessage } from '../../../shared/protocol'
import type { ParamSpec, ParamValues } from '../../../shared/scenario'
import type { RunRecord, ThreadCpuSample, TraceEvent } from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'

const SLOW_MS = 200

export type RunPhase = 'idle' | 'starting' | 'running' | 'ended'

type Started = Extract<RunStreamMessage, { type: 'run:started' }>

export interface RunEnd {
  /** The whole run: the end's summary with what streamed. */
  record: RunRecord
  verdict: string
  /** What the engine recorded that this window did not hear (a dropped connection), if anything. */
  missed: string | null
}

/** What is wrong with a parameter's value, or null if the engine will take it. */
export function paramProblem(spec: ParamSpec, value: string | number | undefined): string | null {
  if (spec.kind === 'choice')
    return spec.choices.includes(String(value)) ? null : `one of ${spec.choices.join(', ')}`
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'a number'
  if (spec.kind === 'int' && !Number.isInteger(value)) return 'a whole number'
  if (value < spec.min || value > spec.max) return `from ${spec.min} to ${spec.max}`
  return null
}

/**
 * The window's run: the form that starts it, and what it streams. Events go into plain buffers
 * (`trace`, `events`), triggered once per batch; views redraw on the next animation frame.
 */
export const useRunStore = defineStore('run', () => {
  const params = ref<ParamValues>({})
  const gil = ref(true)
  /** Seconds; null is the scenario's own default. */
  const timeoutS = ref<number | null>(null)

  const phase = ref<RunPhase>('idle')
  const runId = ref<string | null>(null)
  const startError = ref<string | null>(null)
  const started = shallowRef<Started | null>(null)
  const trace = shallowRef(new RunTrace())
  const events = shallowRef<TraceEvent[]>([])
  /** Samples as they streamed, kept for the run's record. */
  let threadCpu: ThreadCpuSample[] = []
  const ended = shallowRef<RunEnd | null>(null)
  /** Bumped per batch: the cheap thing for canvas views to watch. */
  const revision = ref(0)
  /** Bumped at most every SLOW_MS: for views that rebuild DOM (program marks, output, elapsed time). */
  const slowRevision = ref(0)
  let slowTimer: ReturnType<typeof setTimeout> | null = null
  /** The time the pointer is over in the timeline; null follows the newest time. */
  const cursorUs = ref<number | null>(null)

  const isRunning = computed(() => phase.value === 'starting' || phase.value === 'running')
  let awaitingStart = false

  function resetParams(specs: readonly ParamSpec[]): void {
    params.value = Object.fromEntries(specs.map((s) => [s.name, s.default]))
  }

  /**
   * The trace without subscribing to it: for views that refresh on slowRevision only, since
   * reading `trace` in a computed would recompute it on every batch.
   */
  function traceNow(): RunTrace {
    return trace.value
  }

  function touch(): void {
    triggerRef(trace)
    triggerRef(events)
    revision.value++
    slowTimer ??= setTimeout(() => {
      slowTimer = null
      slowRevision.value = revision.value
    }, SLOW_MS)
  }

  function onMessage(message: RunStreamMessage): void {
    if (message.type === 'run:started') {
      if (!awaitingStart && message.runId !== runId.value) return
      awaitingStart = false
      runId.value = message.runId
      started.value = message
      trace.value = new RunTrace()
      events.value = []
      threadCpu = []
      ended.value = null
      cursorUs.value = null
      phase.value = 'running'
      touch()
      return
    }
    if (message.runId !== runId.value) return
    switch (message.type) {
      case 'run:events': {
        const t = trace.value
        t.addEvents(message.events)
        t.addCpu(message.cpu)
        t.addThreadCpu(message.threadCpu)
        const buffer = events.value
        for (const e of message.events) buffer.push(e)
        for (const s of message.threadCpu) threadCpu.push(s)
        touch()
        break
      }
      case 'run:process':
        trace.value.setProcess(message.process)
        touch()
        break
      case 'run:end': {
        // The end carries the record less what streamed; the stream is all of it unless the
        // connection dropped some, which the counts tell.
        const { counts, ...summary } = message.summary
        const t = trace.value
        const heard = { events: events.value.length, cpu: t.cpu.length, threadCpu: threadCpu.length }
        const short = (['events', 'cpu', 'threadCpu'] as const).filter((k) => heard[k] !== counts[k])
        for (const p of summary.processes) t.setProcess(p)
        t.end(summary.outcome.wallUs)
        ended.value = {
          record: { ...summary, events: events.value, cpu: t.cpu, threadCpu },
          verdict: message.verdict,
          missed: short.length
            ? `This window heard ${short.map((k) => `${heard[k]} of ${counts[k]} ${k === 'threadCpu' ? 'thread CPU samples' : k === 'cpu' ? 'CPU samples' : 'events'}`).join(', ')}.`
            : null,
        }
        phase.value = 'ended'
        touch()
        break
      }
    }
  }

  api.onRunMessage(onMessage)

  async function start(scenario: string): Promise<void> {
    if (isRunning.value) return
    startError.value = null
    const previous = phase.value
    phase.value = 'starting'
    awaitingStart = true
    try {
      const options = { gil: gil.value, ...(timeoutS.value ? { timeoutS: timeoutS.value } : {}) }
      const reply = await api.startRun({ scenario, params: params.value, options })
      runId.value = reply.runId
      awaitingStart = false
    } catch (error) {
      awaitingStart = false
      phase.value = previous === 'starting' ? 'idle' : previous
      startError.value = error instanceof Error ? error.message : String(error)
    }
  }

  async function stop(): Promise<void> {
    if (runId.value && isRunning.value) await api.stopRun(runId.value)
  }

  return {
    params,
    gil,
    timeoutS,
    phase,
    runId,
    startError,
    started,
    trace,
    events,
    ended,
    revision,
    slowRevision,
    cursorUs,
    isRunning,
    resetParams,
    traceNow,
    start,
    stop,
  }
})
