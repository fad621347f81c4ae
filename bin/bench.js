#!/usr/bin/env node
// `npm run bench`: the benchmark suite, from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api'

register()
await import('../bench/bench.ts')
