#!/usr/bin/env node
// The `interleave` command: runs the CLI from its TypeScript sources through tsx.
import { register } from 'tsx/esm/api'

register()
process.env.INTERLEAVE_CLI = '1'
await import('../src/cli/main.ts')
