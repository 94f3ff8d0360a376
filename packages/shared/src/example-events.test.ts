import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXAMPLE_EVENTS } from './example-events.ts'

// The README's `curl -d @examples/…` recipes send these files: they must stay the article's
// payloads, the same ones the tests use.
const EXAMPLES_DIR = join(import.meta.dirname, '..', '..', '..', 'examples')
const FILES: Record<string, keyof typeof EXAMPLE_EVENTS> = {
  'job-status-test.json': 'jobTest',
  'job-status-live.json': 'jobLive',
  'order-status-live.json': 'orderLive',
}

describe('examples/*.json', () => {
  it('has one file per EXAMPLE_EVENTS entry and nothing else', () => {
    const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json'))
    expect(files.sort()).toEqual(Object.keys(FILES).sort())
    expect(Object.values(FILES).sort()).toEqual(Object.keys(EXAMPLE_EVENTS).sort())
  })

  it.each(Object.entries(FILES))('%s is EXAMPLE_EVENTS.%s, field order kept', (file, key) => {
    const text = readFileSync(join(EXAMPLES_DIR, file), 'utf8')
    // compact again, so a changed value, key or key order shows
    expect(JSON.stringify(JSON.parse(text))).toBe(EXAMPLE_EVENTS[key])
  })
})
