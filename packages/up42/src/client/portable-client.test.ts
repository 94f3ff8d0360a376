import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The client must run in browsers, Deno and Pipedream steps too, so it may not use Node APIs.
describe('src/client', () => {
  it('imports no node: modules and uses no Node-only globals', async () => {
    const dir = import.meta.dirname
    const files = (await readdir(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    expect(files.length).toBeGreaterThan(5)
    for (const file of files) {
      const source = await readFile(join(dir, file), 'utf8')
      expect({ file, nodeImport: /from\s+['"]node:|import\(['"]node:/.test(source) }).toEqual({
        file,
        nodeImport: false,
      })
      expect({ file, nodeGlobal: /\b(process|Buffer|require)\b[.(]/.test(source) }).toEqual({
        file,
        nodeGlobal: false,
      })
    }
  })
})
