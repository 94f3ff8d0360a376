import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The runtime code must run unchanged in Node, Pipedream, Deno, Bun and edge workers, so it
// may use Web APIs only. Tests are exempt: they compare against node:crypto.
const sourceDir = import.meta.dirname
const runtimeFiles = readdirSync(sourceDir).filter(
  (file) => file.endsWith('.ts') && !file.endsWith('.test.ts')
)

const FORBIDDEN = [
  [/\bfrom\s+['"]node:/, 'a node: import'],
  [/\bimport\s*\(\s*['"]node:/, 'a dynamic node: import'],
  [/\brequire\s*\(/, 'require()'],
  [
    /\bfrom\s+['"](?:crypto|buffer|fs|path|util|http|https|stream|os)['"]/,
    'a bare Node builtin import',
  ],
  [/\bBuffer\b/, 'Buffer'],
  [/\bprocess\./, 'process'],
  [/\bfrom\s+['"](?!\.\/)/, 'a dependency import'],
] as const

describe('packages/shared runtime code', () => {
  it('has runtime files to check', () => {
    expect(runtimeFiles).toContain('verify-webhook.ts')
    expect(runtimeFiles).toContain('index.ts')
  })

  it.each(runtimeFiles)('%s uses only Web APIs and relative imports', (file) => {
    const code = readFileSync(join(sourceDir, file), 'utf8')
      // Comments may mention Node; only code counts.
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '')
    for (const [pattern, what] of FORBIDDEN) {
      expect(pattern.test(code), `${file} contains ${what}`).toBe(false)
    }
  })

  it('index.ts only re-exports', () => {
    const code = readFileSync(join(sourceDir, 'index.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '')
    const statements = code
      .split(/\n(?=export )/)
      .map((s) => s.trim())
      .filter(Boolean)
    for (const statement of statements)
      expect(statement).toMatch(/^export (type )?\{[^}]*\} from '\.\/[a-z0-9-]+\.ts'$/)
  })
})
