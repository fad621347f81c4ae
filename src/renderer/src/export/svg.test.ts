import { describe, expect, it } from 'vitest'
import type { Recording } from '../../../shared/recording'
import type { RunRecord, TraceEvent } from '../../../shared/trace'
import { eventId } from '../../../shared/trace'
import { DRAWN_STATES, STATE_STYLES } from '../timeline/statePalette'
import { RunTrace } from '../trace/runTrace'
import {
  ImageExportError,
  resolveImageOptions,
  timelineRunOf,
  timelineSvg,
  type ImageSize,
  type TimelineRun,
} from './svg'
import { escapeXml } from './svgPainter'

/** Events of one thread, numbered in order. */
function thread(pid: number, tid: number) {
  let seq = 0
  const events: TraceEvent[] = []
  const add = (tUs: number, rest: Record<string, unknown>): number => {
    events.push({ pid, tid, seq, tUs, ...rest } as TraceEvent)
    return eventId(pid, tid, seq++)
  }
  return {
    events,
    start: (tUs: number, name: string) =>
      add(tUs, { type: 'thread-start', name, daemon: false, parent: null }),
    state: (tUs: number, state: string, obj: number | null = null) =>
      add(tUs, { type: 'state', state, obj, line: 1 }),
    object: (tUs: number, obj: number, kind: string, name: string, size = 0) =>
      add(tUs, { type: 'object', obj, kind, name, size }),
    op: (
      tUs: number,
      obj: number,
      op: string,
      after: Record<string, number | null>,
      cause: number | null = null,
    ) => add(tUs, { type: 'op', obj, op, result: 'ok', line: 2, after, cause, value: null }),
    print: (tUs: number, text: string) => add(tUs, { type: 'print', text, line: 3 }),
    end: (tUs: number) => add(tUs, { type: 'thread-end', reason: 'returned', error: null }),
  }
}

const LOCK = 1
const QUEUE = 2
const EVENT = 3

/**
 * MainThread and Thread-1 (worker) in one process, 0 to 10 ms: a lock handed over, a queue put and
 * got, an event set and waited for, a print, and every state once at least.
 */
function sampleTrace(): RunTrace {
  const main = thread(0, 0)
  const worker = thread(0, 1)
  main.start(0, 'MainThread')
  main.object(50, LOCK, 'lock', 'counter_lock')
  main.object(50, QUEUE, 'queue', 'jobs', 3)
  main.object(50, EVENT, 'event', 'done')
  main.state(100, 'running')
  worker.start(200, 'Thread-1 (worker)')
  worker.state(200, 'running')
  worker.op(600, LOCK, 'acquire', { owner: 1, waiters: 0 })
  main.state(1000, 'blocked', LOCK)
  worker.state(2000, 'gil-wait')
  worker.state(2500, 'running')
  const release = worker.op(2900, LOCK, 'release', { owner: null, waiters: 1 })
  main.op(3000, LOCK, 'acquire', { owner: 0, waiters: 0 }, release)
  main.state(3000, 'running')
  const put = main.op(3500, QUEUE, 'put', { depth: 1, unfinished: 1, waiters: 0 })
  main.print(3600, 'x < y & "z"')
  worker.op(3800, QUEUE, 'get', { depth: 0, unfinished: 1, waiters: 0 }, put)
  worker.state(4000, 'waiting', EVENT)
  const set = main.op(5000, EVENT, 'set', { flag: 1, waiters: 0 })
  main.state(6000, 'sleeping')
  worker.op(7000, EVENT, 'wait', { flag: 1, waiters: 0 }, set)
  worker.state(7000, 'io')
  main.state(8000, 'running')
  main.op(8500, LOCK, 'release', { owner: null, waiters: 0 })
  worker.state(8500, 'running')
  main.end(9000)
  worker.end(9500)

  const trace = new RunTrace()
  trace.setProcess({
    pid: 0,
    name: 'MainProcess',
    parent: null,
    startMethod: null,
    osPid: 4242,
    startUs: 0,
    endUs: 10_000,
    exitCode: 0,
    signal: null,
    cpuUs: 9000,
  })
  trace.addEvents([...main.events, ...worker.events].sort((a, b) => a.tUs - b.tUs))
  trace.addCpu([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((ms) => ({ tUs: ms * 1000, corePct: [80, 20] })))
  trace.end(10_000)
  return trace
}

function sampleRun(): TimelineRun {
  return {
    trace: sampleTrace(),
    title: 'Race <counter> & "friends"',
    settings: 'iterations=200 · GIL on',
    verdict: 'The counter lost 12 of 400 increments.',
    cores: 2,
  }
}

const SIZE: Omit<ImageSize, 'scale'> = { windowUs: null, widthPx: 1920, heightPx: 1080 }

/** What is wrong with `xml` as XML: tags that do not nest, bad attributes, raw `<` or `&` in text. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = []
  const stack: string[] = []
  const entity = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/
  let i = 0
  let roots = 0
  while (i < xml.length) {
    const lt = xml.indexOf('<', i)
    const text = xml.slice(i, lt < 0 ? xml.length : lt)
    for (let a = text.indexOf('&'); a >= 0; a = text.indexOf('&', a + 1)) {
      if (!entity.test(text.slice(a))) problems.push(`a raw & in text near "${text.slice(a, a + 20)}"`)
    }
    if (text.includes('>')) problems.push(`a raw > in text near "${text.slice(0, 30)}"`)
    if (!stack.length && text.trim()) problems.push(`text outside the root: "${text.trim().slice(0, 30)}"`)
    if (lt < 0) break
    if (xml.startsWith('<?', lt)) {
      i = xml.indexOf('?>', lt) + 2
      continue
    }
    const gt = xml.indexOf('>', lt)
    if (gt < 0) {
      problems.push('a tag that never ends')
      break
    }
    const tag = xml.slice(lt + 1, gt)
    i = gt + 1
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim()
      const open = stack.pop()
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`)
      continue
    }
    const selfClosing = tag.endsWith('/')
    const body = selfClosing ? tag.slice(0, -1) : tag
    const name = body.split(/\s/, 1)[0]
    if (!/^[A-Za-z][\w:-]*$/.test(name)) problems.push(`a bad tag name "${name}"`)
    // Attributes: name="value", each once, values without < or a raw &.
    const attrs = body.slice(name.length)
    const seen = new Set<string>()
    const attr = /\s+([\w:-]+)="([^"]*)"/y
    let at = 0
    while (at < attrs.trimEnd().length) {
      attr.lastIndex = at
      const m = attr.exec(attrs)
      if (!m) {
        problems.push(`a bad attribute in <${name}${attrs.slice(at, at + 40)}`)
        break
      }
      if (seen.has(m[1])) problems.push(`${m[1]} twice in <${name}>`)
      seen.add(m[1])
      if (m[2].includes('<')) problems.push(`a < in ${m[1]}`)
      for (let a = m[2].indexOf('&'); a >= 0; a = m[2].indexOf('&', a + 1)) {
        if (!entity.test(m[2].slice(a))) problems.push(`a raw & in ${m[1]}`)
      }
      at = attr.lastIndex
    }
    if (!stack.length) roots++
    if (!selfClosing) stack.push(name)
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`)
  if (roots !== 1) problems.push(`${roots} root elements`)
  return problems
}

/** The elements inside `<g class="NAME" ...>`, which holds no other group. */
function group(svg: string, name: string): string {
  const start = svg.indexOf(`<g class="${name}"`)
  expect(start, `a group ${name}`).toBeGreaterThanOrEqual(0)
  return svg.slice(start, svg.indexOf('</g>', start))
}

interface SliceRect {
  x: number
  width: number
  state: string
  y: number
}

function sliceRects(svg: string): SliceRect[] {
  return [
    ...group(svg, 'lanes').matchAll(
      /<rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="[\d.]+" fill="[^"]+" data-state="([\w-]+)"\/>/g,
    ),
  ].map((m) => ({ x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), state: m[4] }))
}

function plotWidth(svg: string): number {
  return Number(/<clipPath id="lanes-clip"><rect width="([\d.]+)"/.exec(svg)?.[1])
}

describe('timelineSvg', () => {
  it('is well-formed XML, and the checker catches what is not', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    expect(xmlProblems(svg)).toEqual([])
    expect(
      svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'),
    ).toBe(true)
    expect(svg).toContain('width="1920" height="1080" viewBox="0 0 1920 1080"')
    expect(xmlProblems('<svg><g></svg>')).not.toEqual([])
    expect(xmlProblems('<svg><text>a & b</text></svg>')).not.toEqual([])
    expect(xmlProblems('<svg><rect x="1" x="2"/></svg>')).not.toEqual([])
  })

  it('escapes every text: the title, the settings, the verdict, the names', () => {
    const run = sampleRun()
    run.settings = "name='<b>'"
    run.verdict = 'Lost 3 & found <none>\u0007'
    const svg = timelineSvg(run, SIZE)
    expect(xmlProblems(svg)).toEqual([])
    expect(svg).toContain('<title>Race &lt;counter&gt; &amp; &quot;friends&quot;</title>')
    expect(svg).toContain('>Race &lt;counter&gt; &amp; &quot;friends&quot;</text>')
    expect(svg).toContain('>name=&apos;&lt;b&gt;&apos;</text>')
    expect(svg).toContain('Lost 3 &amp; found &lt;none&gt;\uFFFD')
    expect(svg).not.toContain('<counter>')
    expect(escapeXml('a\uD800b')).toBe('a\uFFFDb')
  })

  it('has the verdict, the legend with each state’s colour and pattern, and the marks', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    expect(svg).toContain('>The counter lost 12 of 400 increments.</text>')
    expect(svg).toContain('>iterations=200 · GIL on</text>')
    const legend = group(svg, 'legend')
    for (const state of DRAWN_STATES) {
      const style = STATE_STYLES[state]
      expect(legend).toContain(`>${escapeXml(style.label)}</text>`)
      if (style.hatch === 'none') {
        expect(legend).toContain(`fill="${style.colour}"`)
      } else {
        expect(legend).toContain(`fill="url(#state-${state})"`)
        // The pattern: the state's colour under its hatch.
        const pattern = new RegExp(
          `<pattern id="state-${state}" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="${style.colour}"/><(path|circle) `,
        )
        expect(svg).toMatch(pattern)
      }
    }
    expect(svg.match(/<pattern /g)).toHaveLength(DRAWN_STATES.length - 1)
    for (const mark of ['causes', 'print', 'waiters on an object'])
      expect(legend).toContain(`>${mark}</text>`)
  })

  it('labels the lanes grouped by process: the process, its threads, their targets, its objects', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    const labels = [...group(svg, 'lane-labels').matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1])
    expect(labels.slice(0, 3)).toEqual(['MainProcess', 'MainThread', 'Thread-1'])
    expect(labels).toContain('worker')
    expect(labels).toEqual(
      expect.arrayContaining(['counter_lock', 'lock', 'jobs', 'queue max 3', 'done', 'event']),
    )
  })

  it('draws one rectangle per slice, in its state’s fill, in time order on its lane', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    const rects = sliceRects(svg)
    // MainThread: running, blocked, running, sleeping, running; Thread-1: running, GIL wait,
    // running, waiting, I/O, running.
    const laneYs = [...new Set(rects.map((r) => r.y))]
    expect(laneYs).toHaveLength(2)
    const lane = (y: number): string[] => rects.filter((r) => r.y === y).map((r) => r.state)
    expect(lane(laneYs[0])).toEqual(['running', 'blocked', 'running', 'sleeping', 'running'])
    expect(lane(laneYs[1])).toEqual(['running', 'gil-wait', 'running', 'waiting', 'io', 'running'])
    for (const state of DRAWN_STATES) {
      const fill = STATE_STYLES[state].hatch === 'none' ? STATE_STYLES[state].colour : `url(#state-${state})`
      expect(svg).toContain(`fill="${fill}" data-state="${state}"`)
    }
    // Widths follow the times: the 2 ms blocked slice is twice the 1 ms running one after 8 ms.
    const main = rects.filter((r) => r.y === laneYs[0])
    expect(main[1].width / main[4].width).toBeCloseTo(2, 1)
  })

  it('draws the objects: the lock’s owner bars, the queue’s depth against its capacity, the event’s flag', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    const lanes = group(svg, 'lanes')
    // Level bars are the object colour at 0.7.
    const bars = lanes.match(/<rect [^>]*fill="#475569" fill-opacity="0.7"\/>/g) ?? []
    // The lock owned twice (Thread-1, then MainThread), the queue's depth of 1, the event once set.
    expect(bars.length).toBeGreaterThanOrEqual(4)
    // The queue's capacity, dashed; the owner's name over the lock's bar.
    expect(lanes).toMatch(/stroke-dasharray="4 3"/)
    expect(lanes).toMatch(/>MainThread<\/text>/)
    expect(lanes).toMatch(/>set<\/text>/)
  })

  it('draws an arrow, a head and a dot for each causal link, and the print markers', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    const lanes = group(svg, 'lanes')
    const arrows =
      /<path d="([^"]+)" fill="none" stroke="rgb\(17,24,39\)" stroke-opacity="0.6" stroke-width="1.5"\/>/.exec(
        lanes,
      )
    expect(arrows?.[1].match(/M/g)).toHaveLength(3)
    const heads = /<path d="([^"]+)" fill="rgb\(17,24,39\)" fill-opacity="0.6"\/>/.exec(lanes)
    expect(heads?.[1].match(/Z/g)).toHaveLength(3)
    const prints = /<path d="([^"]+)" fill="#1b1f24" stroke="#eef1f5"/.exec(lanes)
    expect(prints?.[1].match(/Z/g)).toHaveLength(1)
  })

  it('has the time axis and a row per core', () => {
    const svg = timelineSvg(sampleRun(), SIZE)
    const axis = group(svg, 'axis')
    expect(axis).toContain('>5 ms</text>')
    expect(axis).toContain('>0 ms</text>')
    expect(svg).toContain('>CPU 0</text>')
    expect(svg).toContain('>CPU 1</text>')
    const cpu = group(svg, 'cpu')
    expect(cpu.match(/fill="#334155"/g)?.length).toBe(20)
  })

  it('draws a window only: slices outside it left out, those across its edges cut there', () => {
    const whole = timelineSvg(sampleRun(), SIZE)
    const svg = timelineSvg(sampleRun(), { ...SIZE, windowUs: [2500, 7500] })
    expect(xmlProblems(svg)).toEqual([])
    const plotW = plotWidth(svg)
    expect(plotW).toBeGreaterThan(1000)
    const rects = sliceRects(svg)
    expect(rects.map((r) => r.state).sort()).toEqual([
      'blocked',
      'io',
      'running',
      'running',
      'sleeping',
      'waiting',
    ])
    expect(rects.every((r) => r.x >= 0 && r.x + r.width <= plotW + 0.01)).toBe(true)
    // MainThread's blocked slice (1 to 3 ms) starts at the left edge, its sleep (6 to 8 ms) ends at the right.
    const blocked = rects.find((r) => r.state === 'blocked')
    const sleeping = rects.find((r) => r.state === 'sleeping')
    expect(blocked?.x).toBe(0)
    expect(blocked?.width).toBeCloseTo(plotW / 10, 1)
    expect((sleeping?.x ?? 0) + (sleeping?.width ?? 0)).toBeCloseTo(plotW, 1)
    expect(sliceRects(whole)).toHaveLength(11)
    // Ticks for 2.5 to 7.5 ms, and the arrow whose ends are both outside (none here) left out.
    expect(group(svg, 'axis')).toContain('>3 ms</text>')
    expect(group(svg, 'axis')).not.toContain('>0 ms</text>')
    // Without the print at 3.6 ms, no print marker.
    const later = timelineSvg(sampleRun(), { ...SIZE, windowUs: [4000, 7500] })
    expect(group(later, 'lanes')).not.toMatch(/<path d="[^"]+" fill="#1b1f24" stroke="#eef1f5"/)
    expect(group(svg, 'lanes')).toMatch(/<path d="[^"]+" fill="#1b1f24" stroke="#eef1f5"/)
    // Everything is clipped to the plot.
    expect(svg).toContain('<g class="lanes" transform="translate(')
    expect(svg).toMatch(/<g class="lanes" [^>]*clip-path="url\(#lanes-clip\)">/)
  })

  it('fits any size asked for, with text that grows with the picture', () => {
    const small = timelineSvg(sampleRun(), { ...SIZE, widthPx: 1280, heightPx: 720 })
    const large = timelineSvg(sampleRun(), { ...SIZE, widthPx: 3840, heightPx: 2160 })
    expect(xmlProblems(small)).toEqual([])
    expect(small).toContain('viewBox="0 0 1280 720"')
    const titleSize = (svg: string): number => Number(/font-size="(\d+)" font-weight="700"/.exec(svg)?.[1])
    expect(titleSize(large)).toBe(2 * titleSize(timelineSvg(sampleRun(), SIZE)))
    expect(titleSize(small)).toBeGreaterThanOrEqual(24)
    // The cores' rows end inside the picture.
    const cpuTop = Number(/<g class="cpu" transform="translate\([\d.]+ ([\d.]+)\)"/.exec(small)?.[1])
    const rowPx = Number(
      /<g class="cpu" [^>]*>\n<rect x="0" y="0" width="[\d.]+" height="([\d.]+)"/.exec(small)?.[1],
    )
    expect(rowPx).toBeGreaterThan(5)
    expect(cpuTop + 2 * rowPx).toBeLessThanOrEqual(720)
  })

  it('says so when no thread ran in the window', () => {
    const svg = timelineSvg({ ...sampleRun(), trace: new RunTrace() }, SIZE)
    expect(xmlProblems(svg)).toEqual([])
    expect(svg).toContain('Nothing ran in this window.')
  })
})

describe('resolveImageOptions', () => {
  it('fills in 1920 x 1080 of the whole run at 1x', () => {
    expect(resolveImageOptions()).toEqual({ windowUs: null, widthPx: 1920, heightPx: 1080, scale: 1 })
    expect(resolveImageOptions({ view: 'run' }, [5, 10]).windowUs).toBeNull()
  })

  it('takes the current view, or a window of its own', () => {
    expect(resolveImageOptions({ view: 'current' }, [5, 10]).windowUs).toEqual([5, 10])
    expect(resolveImageOptions({ view: 'current', windowUs: [1, 2] }, [5, 10]).windowUs).toEqual([1, 2])
    expect(() => resolveImageOptions({ view: 'current' }, null)).toThrow(/shows nothing yet/)
  })

  it('refuses what it cannot draw, in words', () => {
    const refuse = (options: object, message: RegExp): void => {
      expect(() => resolveImageOptions(options)).toThrow(ImageExportError)
      expect(() => resolveImageOptions(options)).toThrow(message)
    }
    refuse({ widthPx: 100 }, /width must be from 480 to 16384 pixels, not 100/)
    refuse({ heightPx: 1e6 }, /height must be from 320 to 16384/)
    refuse({ widthPx: Number.NaN }, /width/)
    refuse({ scale: 0.5 }, /scale must be from 1 to 4/)
    refuse({ windowUs: [10, 5] }, /A window runs from a time to a later one/)
    refuse({ view: 'everything' }, /"run" or "current"/)
  })
})

describe('timelineRunOf', () => {
  it('draws the whole recorded run, titled by the lesson or else its id', () => {
    const main = thread(0, 0)
    main.start(0, 'MainThread')
    main.state(10, 'running')
    main.end(900)
    const record = {
      scenario: 'race-counter',
      params: { iterations: 200 },
      options: { gil: false },
      machine: { cores: 4 },
      startedAt: '2025-03-04T05:06:07.000Z',
      processes: [],
      events: main.events,
      cpu: [],
      threadCpu: [],
      outcome: { status: 'finished', message: 'finished', wallUs: 1000, deadlock: null },
    } as unknown as RunRecord
    const recording = { verdict: 'All good.', record } as Recording
    const run = timelineRunOf(recording, null)
    expect(run.title).toBe('race-counter')
    expect(run.settings).toBe('iterations=200 · GIL off · 4 cores · 2025-03-04')
    expect(run.cores).toBe(4)
    expect(run.trace.endUs).toBe(1000)
    expect(run.trace.threads.get(0)?.slices).toHaveLength(1)
  })
})
