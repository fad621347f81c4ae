import { computed, ref, shallowRef, triggerRef } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api'
import type { RunStreamMessage, StepView } from '../../../shared/protocol'
import type { ParamSpec, ParamValues } from '../../../shared/scenario'
import type { DeadlockReport, HangReport, RunRecord, ThreadCpuSample } from '../../../shared/trace'
import { RunTrace } from '../trace/runTrace'
import { Replay } from '../replay/replay'
import { makeRecording, type Recording } from '../../../shared/recording'
import { EventTable, holdEventsIn } from '../../../shared/eventTable'
import { APP_NAME, APP_VERSION } from '../../../shared/version'

const SLOW_MS = 200

export type RunPhase = 'idle' | 'starting' | 'running' | 'ended'

/** A recording being shown: where its playhead is and whether it plays. */
export interface ReplayState {
  /** The file's name, as the window title and the bar say it. */
  name: string
  firstUs: number
  durationUs: number
  atUs: number
  playing: boolean
  /** 1 is the run's own pace. */
  speed: number
}

export const REPLAY_SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4] as const
/** A live run's speeds, as a multiple of real time: 0.5 takes twice as long. */
export const RUN_SPEEDS = [0.1, 0.25, 0.5, 1, 2, 4] as const

/** The engine's speed option is a slowdown (2: twice as slow); the page speaks of pace (0.5x). */
export function paceOf(engineSpeed: number): number {
  return 1 / engineSpeed
}

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
  /** Pace of the next run: 0.5 is half as fast (sleeps, waits and CPU work all take twice as long). */
  const pace = ref(1)
  /** Step mode for the next run: every operation waits for the teacher's choice. */
  const stepMode = ref(false)
  /** Step mode: who may go next, as the run last said. */
  const step = shallowRef<StepView | null>(null)
  const paused = ref(false)
  const controlError = ref<string | null>(null)
  /** A deadlock the run reported as it formed, or the one its outcome names. */
  const liveDeadlock = shallowRef<DeadlockReport | null>(null)
  /** Seconds of stillness before a hang is reported; null is the engine's default. */
  const hangAfterS = ref<number | null>(null)
  /** A hang the run reports now (nothing moving, every thread waiting); null once something moves. */
  const liveHang = shallowRef<HangReport | null>(null)

  const phase = ref<RunPhase>('idle')
  const runId = ref<string | null>(null)
  const startError = ref<string | null>(null)
  const started = shallowRef<Started | null>(null)
  const trace = shallowRef(new RunTrace())
  /**
   * A live run's events as they streamed, held as columns (an event is made into an object when
   * asked: `events.value.event(i)`, `.slice(from, to)`); the trace has what the views draw.
   */
  const events = shallowRef(new EventTable())
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

  const replayState = ref<ReplayState | null>(null)
  let replay: Replay | null = null
  let replayRecording: Recording | null = null
  let replayFrame = 0
  let replayClockMs = 0

  /** A live run is starting or streaming (a recording playing back is not one). */
  const isRunning = computed(
    () => replayState.value === null && (phase.value === 'starting' || phase.value === 'running'),
  )
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
      closeReplay()
      runId.value = message.runId
      started.value = message
      events.value = new EventTable()
      // The trace reads the events from the table it fills: they are held once.
      trace.value = new RunTrace(events.value)
      threadCpu = []
      ended.value = null
      cursorUs.value = null
      step.value = null
      liveDeadlock.value = null
      liveHang.value = null
      paused.value = false
      controlError.value = null
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
        for (const s of message.threadCpu) threadCpu.push(s)
        touch()
        break
      }
      case 'run:process':
        trace.value.setProcess(message.process)
        touch()
        break
      case 'run:step':
        step.value = message.step
        break
      case 'run:paused':
        paused.value = message.paused
        break
      case 'run:deadlock':
        liveDeadlock.value = message.deadlock
        break
      case 'run:hang':
        liveHang.value = message.hang
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
        events.value.trim()
        const record: RunRecord = { ...summary, events: [], cpu: t.cpu, threadCpu }
        ended.value = {
          // Its events are the stream's table, made into objects only when read (saving, comparing).
          record: holdEventsIn(record, events.value),
          verdict: message.verdict,
          missed: short.length
            ? `This window heard ${short.map((k) => `${heard[k]} of ${counts[k]} ${k === 'threadCpu' ? 'thread CPU samples' : k === 'cpu' ? 'CPU samples' : 'events'}`).join(', ')}.`
            : null,
        }
        phase.value = 'ended'
        paused.value = false
        touch()
        break
      }
    }
  }

  api.onRunMessage(onMessage)

  /** Starts the lesson; `schedule` replays a recorded step-mode schedule (and turns step mode on). */
  async function start(scenario: string, schedule?: number[]): Promise<void> {
    if (isRunning.value) return
    closeReplay()
    startError.value = null
    const previous = phase.value
    phase.value = 'starting'
    awaitingStart = true
    try {
      const options = {
        gil: gil.value,
        speed: 1 / pace.value,
        ...(timeoutS.value ? { timeoutS: timeoutS.value } : {}),
        ...(hangAfterS.value !== null ? { hangAfterS: hangAfterS.value } : {}),
        ...(stepMode.value || schedule ? { step: true } : {}),
        ...(schedule ? { schedule: [...schedule] } : {}),
      }
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

  /** Pauses or resumes the live run; what went wrong is shown, not thrown. */
  async function setPaused(on: boolean): Promise<void> {
    if (!runId.value || !isRunning.value || phase.value !== 'running') return
    await control(on ? { type: 'pause' } : { type: 'resume' })
  }

  /** Step mode: lets this thread (a thread key) do its next operation. */
  async function chooseStep(key: number): Promise<void> {
    if (!runId.value || !isRunning.value || !step.value) return
    await control({ type: 'step', key })
  }

  async function control(command: Parameters<typeof api.controlRun>[1]): Promise<void> {
    try {
      controlError.value = null
      await api.controlRun(runId.value!, command)
    } catch (error) {
      controlError.value = error instanceof Error ? error.message : String(error)
    }
  }

  /** The step-mode schedule of the run on screen (live or a recording), if it has one. */
  const schedule = computed(() => ended.value?.record.schedule ?? null)

  // --- recordings ---------------------------------------------------------------------------------

  /** The run on screen as a recording to save, once it has ended. */
  function currentRecording(): Recording | null {
    if (replayRecording) return replayRecording
    const end = ended.value
    if (!end) return null
    return makeRecording(end.record, end.verdict, { name: APP_NAME, version: APP_VERSION, electron: null })
  }

  /** Shows a recording in the views, whole; nothing runs. A live run on screen is stopped first. */
  async function openRecording(recording: Recording, name: string): Promise<void> {
    await stop()
    closeReplay()
    const { record } = recording
    replay = new Replay(record)
    replayRecording = recording
    // The live stream's buffers: a recording's record is the recording itself (currentRecording).
    events.value = new EventTable()
    threadCpu = []
    runId.value = null
    startError.value = null
    started.value = {
      type: 'run:started',
      runId: `recording:${name}`,
      scenario: record.scenario,
      params: record.params,
      options: record.options,
      program: record.program,
      cores: record.machine.cores,
    }
    cursorUs.value = null
    replayState.value = {
      name,
      firstUs: replay.firstUs,
      durationUs: replay.durationUs,
      atUs: replay.durationUs,
      playing: false,
      speed: 1,
    }
    showReplayAt(replay.durationUs)
  }

  function showReplayAt(tUs: number): void {
    const r = replay
    const state = replayState.value
    if (!r || !state || !replayRecording) return
    trace.value = r.seek(tUs)
    state.atUs = r.playheadUs
    if (r.atEnd) {
      const { record, verdict } = replayRecording
      ended.value = { record, verdict, missed: null }
      phase.value = 'ended'
    } else {
      ended.value = null
      phase.value = 'running'
    }
    touch()
  }

  function seekReplay(tUs: number): void {
    showReplayAt(tUs)
  }

  function playReplay(): void {
    const state = replayState.value
    if (!state || state.playing) return
    // From the start again once it has played to the end.
    if (replay?.atEnd) showReplayAt(Math.max(0, state.firstUs - 50_000))
    state.playing = true
    replayClockMs = performance.now()
    replayFrame = requestAnimationFrame(stepReplay)
  }

  function stepReplay(nowMs: number): void {
    replayFrame = 0
    const state = replayState.value
    if (!state?.playing) return
    const elapsedMs = Math.max(0, nowMs - replayClockMs)
    replayClockMs = nowMs
    showReplayAt(state.atUs + elapsedMs * 1000 * state.speed)
    if (replay?.atEnd) state.playing = false
    else replayFrame = requestAnimationFrame(stepReplay)
  }

  function pauseReplay(): void {
    if (replayState.value) replayState.value.playing = false
    cancelAnimationFrame(replayFrame)
    replayFrame = 0
  }

  function setReplaySpeed(speed: number): void {
    if (replayState.value) replayState.value.speed = speed
  }

  /** Closes the recording the user was looking at: the views empty. */
  function leaveRecording(): void {
    if (!replayState.value) return
    closeReplay()
    started.value = null
    events.value = new EventTable()
    trace.value = new RunTrace(events.value)
    threadCpu = []
    ended.value = null
    phase.value = 'idle'
    touch()
  }

  /** Back to live runs: the recording leaves the views when a run starts. */
  function closeReplay(): void {
    pauseReplay()
    replay = null
    replayRecording = null
    replayState.value = null
  }

  return {
    params,
    gil,
    timeoutS,
    pace,
    stepMode,
    step,
    paused,
    controlError,
    liveDeadlock,
    liveHang,
    hangAfterS,
    schedule,
    setPaused,
    chooseStep,
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
    replayState,
    resetParams,
    traceNow,
    start,
    stop,
    currentRecording,
    openRecording,
    seekReplay,
    playReplay,
    pauseReplay,
    setReplaySpeed,
    closeReplay,
    leaveRecording,
  }
})
