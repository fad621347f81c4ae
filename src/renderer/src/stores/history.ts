import { shallowRef, watch } from 'vue'
import { defineStore } from 'pinia'
import type { Recording } from '../../../shared/recording'
import type { RunRecord } from '../../../shared/trace'
import { HISTORY_LIMIT, keepNewest, runFacts, runLabel, type RunFacts } from '../compare/compare'
import { useRunStore } from './run'

/** A run this page has seen: one that ended here, or a recording it opened. */
export interface HistoryEntry {
  /** 1 for the first run of the page, and so on: `#3` in its label. */
  id: number
  recording: Recording
  facts: RunFacts
  /** `#3 · countdown-gil · mode=threads workers=2 count=10M · 2.08 s`, and an opened file's name. */
  label: string
  /** The file's name, for a recording that was opened. */
  file: string | null
}

/**
 * The runs of this session, for Compare: the newest HISTORY_LIMIT, in memory only (a page that
 * closes forgets them; Save keeps one for good). Fed by watching the run store's end: a live run's
 * `run:end`, and a recording once it is shown whole.
 */
export const useHistoryStore = defineStore('history', () => {
  const entries = shallowRef<HistoryEntry[]>([])
  let nextId = 1
  /** Records already kept: a recording shows its end again each time it is played to the end. */
  const seen = new WeakSet<RunRecord>()

  function add(recording: Recording, file: string | null = null): HistoryEntry | null {
    if (seen.has(recording.record)) return null
    seen.add(recording.record)
    const facts = runFacts(recording)
    const id = nextId++
    const label = file ? `${runLabel(facts, id)} · ${file}` : runLabel(facts, id)
    const entry: HistoryEntry = { id, recording, facts, label, file }
    entries.value = keepNewest(entries.value, entry, HISTORY_LIMIT)
    return entry
  }

  const run = useRunStore()
  watch(
    () => run.ended,
    (end) => {
      if (!end || seen.has(end.record)) return
      const recording = run.currentRecording()
      if (recording) add(recording, run.replayState?.name ?? null)
    },
  )

  return { entries, add }
})
