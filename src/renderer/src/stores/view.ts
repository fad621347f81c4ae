import { shallowRef } from 'vue'
import { defineStore } from 'pinia'

/** What the timeline shows, for those who draw it again elsewhere (the image exports' "current view"). */
export const useViewStore = defineStore('view', () => {
  /** The visible window, µs since the run started; null before the timeline is shown. */
  const windowUs = shallowRef<[number, number] | null>(null)
  return { windowUs }
})
