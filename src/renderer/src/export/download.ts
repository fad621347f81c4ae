/** Files the page hands to the browser's downloads: one name scheme, one way to hand them over. */
import type { RunRecord } from '../../../shared/trace'

/** `<lesson>-<when it started>.<extension>`: `race-counter-2025-03-04T05-06-07-000.svg`. */
export function exportFileName(record: Pick<RunRecord, 'scenario' | 'startedAt'>, extension: string): string {
  const stamp = record.startedAt.replace(/[:.]/g, '-').replace(/Z$/, '')
  return `${record.scenario}-${stamp}.${extension}`
}

/** Downloads `blob` as `name`, through an object URL and an `<a download>`. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  // The download has its bytes by then; the URL is only a handle to them.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
