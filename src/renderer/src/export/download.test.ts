import { describe, expect, it } from 'vitest'
import { exportFileName } from './download'

describe('exportFileName', () => {
  it('names a file after the lesson and when the run started, safe on every file system', () => {
    const record = { scenario: 'race-counter', startedAt: '2025-03-04T05:06:07.890Z' }
    expect(exportFileName(record, 'svg')).toBe('race-counter-2025-03-04T05-06-07-890.svg')
    expect(exportFileName(record, 'perfetto.json')).toBe('race-counter-2025-03-04T05-06-07-890.perfetto.json')
  })
})
