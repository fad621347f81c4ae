// Runs a TypeScript worker entry from source (development, tests, the CLI): registers tsx in
// this worker, then imports the entry. Built apps start their bundled JavaScript entry directly.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
