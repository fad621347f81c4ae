import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { api } from '../api'
import type { ScenarioSummary } from '../../../shared/protocol'

export interface ConceptGroup {
  concept: string
  scenarios: ScenarioSummary[]
}

export const useScenariosStore = defineStore('scenarios', () => {
  const scenarios = ref<ScenarioSummary[]>([])
  const loadError = ref<string | null>(null)
  const loaded = ref(false)

  /** Concepts in the order the catalogue first teaches them. */
  const byConcept = computed<ConceptGroup[]>(() => {
    const groups = new Map<string, ScenarioSummary[]>()
    for (const scenario of scenarios.value) {
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
    } catch (error) {
      loadError.value = error instanceof Error ? error.message : String(error)
    } finally {
      loaded.value = true
    }
  }

  return { scenarios, loadError, loaded, byConcept, load }
})
