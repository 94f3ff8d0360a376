import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import * as api from './index.ts'

const DOCUMENTED = [
  'ConfigError',
  'InvalidBodyError',
  'StoreError',
  'attachAccessLog',
  'createApp',
  'createSqliteStore',
  'createWebhookEvents',
  'readReceiverConfig',
]

describe('@up42-webhooks/receiver', () => {
  it('exports what the README documents for users, nothing else', async () => {
    expect(Object.keys(api).sort()).toEqual(DOCUMENTED)
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.slice(
      readme.indexOf('## API (package exports)'),
      readme.indexOf('### Tool entry points')
    )
    for (const name of DOCUMENTED) expect(section).toContain(`\`${name}`)
  })
})
