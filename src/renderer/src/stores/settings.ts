import { ref, watch } from 'vue'
import { defineStore } from 'pinia'

/**
 * How the window looks, remembered between sessions: presentation mode (large type, chrome hidden,
 * full screen) for a projector, and the theme: the system's, light, dark, or a high-contrast
 * projector theme. Applied as attributes on <html>, which styles.css reads.
 */
export const THEMES = ['system', 'light', 'dark', 'projector'] as const
export type Theme = (typeof THEMES)[number]

export const THEME_NAMES: Record<Theme, string> = {
  system: 'as the system',
  light: 'light',
  dark: 'dark',
  projector: 'projector (high contrast)',
}

/** Presentation mode's type, against the usual 20 px: at least 1.5x, as a projector needs. */
export const PRESENTATION_SCALE = 1.5

const KEY = 'interleave.settings'

interface Saved {
  presentation: boolean
  theme: Theme
}

function load(): Saved {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Saved>
    return {
      presentation: data.presentation === true,
      theme: THEMES.includes(data.theme as Theme) ? (data.theme as Theme) : 'system',
    }
  } catch {
    return { presentation: false, theme: 'system' }
  }
}

/** The theme to draw with: `system` resolved by the system's preference. */
export function resolvedTheme(theme: Theme, prefersDark: boolean): Exclude<Theme, 'system'> {
  return theme === 'system' ? (prefersDark ? 'dark' : 'light') : theme
}

export const useSettingsStore = defineStore('settings', () => {
  const saved = load()
  const presentation = ref(saved.presentation)
  const theme = ref<Theme>(saved.theme)
  const darkQuery = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null
  /** Bumped whenever the colours on screen change: canvases re-read their CSS variables. */
  const themeRevision = ref(0)

  function apply(): void {
    const root = document.documentElement
    root.dataset.theme = resolvedTheme(theme.value, darkQuery?.matches ?? false)
    if (presentation.value) root.dataset.presentation = ''
    else delete root.dataset.presentation
    themeRevision.value++
  }
  darkQuery?.addEventListener('change', apply)
  watch([presentation, theme], () => {
    apply()
    try {
      localStorage.setItem(KEY, JSON.stringify({ presentation: presentation.value, theme: theme.value }))
    } catch {
      // A page without storage forgets its settings; nothing else changes.
    }
  })
  apply()

  /** Presentation mode on or off; on also asks for full screen (a key press or click allows it). */
  function togglePresentation(): void {
    presentation.value = !presentation.value
    if (presentation.value && !document.fullscreenElement) {
      document.documentElement.requestFullscreen?.().catch(() => {})
    } else if (!presentation.value && document.fullscreenElement) {
      document.exitFullscreen?.().catch(() => {})
    }
  }

  function nextTheme(): void {
    theme.value = THEMES[(THEMES.indexOf(theme.value) + 1) % THEMES.length]
  }

  return { presentation, theme, themeRevision, togglePresentation, nextTheme }
})
