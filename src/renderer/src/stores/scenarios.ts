import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api'
import type { ScenarioSummary } from '../../../shared/protocol'

export interface ConceptGroup {
  concept: string
  scenarios: ScenarioSummary[]
}

/** Does the scenario match every word of the search? Title, id, concept, tags and text count. */
export function matchesSearch(scenario: ScenarioSummary, query: string): boolean {
  const haystack = [scenario.title, scenario.id, scenario.concept, ...scenario.tags, scenario.explanation]
    .join(' ')
    .toLowerCase()
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word))
}

export const useScenariosStore = defineStore('scenarios', () => {
  const scenarios = ref<ScenarioSummary[]>([])
  const loadError = ref<string | null>(null)
  const loaded = ref(false)
  const query = ref('')
  const selectedId = ref<string | null>(null)

  const selected = computed(() => scenarios.value.find((s) => s.id === selectedId.value) ?? null)

  /** Concepts in the order the catalogue first teaches them; only scenarios matching the search. */
  const byConcept = computed<ConceptGroup[]>(() => {
    const groups = new Map<string, ScenarioSummary[]>()
    for (const scenario of scenarios.value) {
      if (!matchesSearch(scenario, query.value)) continue
      const group = groups.get(scenario.concept)
      if (group) group.push(scenario)
      else groups.set(scenario.concept, [scenario])
    }
    return [...groups].map(([concept, members]) => ({ concept, scenarios: members }))
  })

  async function load(): Promise<void> {
    try {
      scenarios.value = await api.listScenarios()
      loadError.value = null
      if (!selected.value) selectedId.value = scenarios.value[0]?.id ?? null
    } catch (error) {
      loadError.value = error instanceof Error ? error.message : String(error)
    } finally {
      loaded.value = true
    }
  }

  function select(id: string): void {
    selectedId.value = id
  }

  return { scenarios, loadError, loaded, query, selectedId, selected, byConcept, load, select }
})
