import { ref, watch } from 'vue'
import { defineStore } from 'pinia'
import { useSettingsStore } from './settings'

/**
 * Whether the lesson's captions show (TheNarration.vue): on in presentation mode, off otherwise,
 * and `K` turns them on or off in either.
 */
export const useNarrationStore = defineStore('narration', () => {
  const settings = useSettingsStore()
  const visible = ref(settings.presentation)
  watch(
    () => settings.presentation,
    (on) => {
      visible.value = on
    },
  )

  function toggle(): void {
    visible.value = !visible.value
  }

  return { visible, toggle }
})
