/** Every shortcut, as `?` lists them. App.vue acts on the window's; the timeline and replay bar on theirs. */
export const SHORTCUTS: { keys: string[]; what: string }[] = [
  { keys: ['?'], what: 'Show these shortcuts' },
  { keys: ['R'], what: 'Run the lesson' },
  { keys: ['S'], what: 'Stop the run' },
  { keys: ['L'], what: 'Show or hide the lessons' },
  { keys: ['P'], what: 'Presentation mode: full screen, large type' },
  { keys: ['T'], what: 'Next theme: system, light, dark, projector' },
  { keys: ['O'], what: 'Open a recording' },
  { keys: ['Ctrl', 'S'], what: 'Save the run as a recording' },
  { keys: ['E'], what: 'Export: trace, HTML player, picture, video' },
  { keys: ['Space'], what: 'Play or pause a recording' },
  { keys: ['+', '−'], what: 'Zoom the timeline in and out (timeline focused)' },
  { keys: ['←', '→'], what: 'Pan the timeline (timeline focused)' },
  { keys: ['0'], what: 'The whole run (timeline focused)' },
  { keys: ['Esc'], what: 'Let go of pinned details; close a menu or this list' },
]
