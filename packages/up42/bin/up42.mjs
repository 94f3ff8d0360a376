#!/usr/bin/env node
// The package ships TypeScript sources (no build step), so the bin registers tsx's ESM loader
// in this process and imports the entry; signals, stdio and the exit code stay this process's.
import { register } from 'tsx/esm/api'

register()
await import('../src/main.ts')
