import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

// The runtime code must run unchanged in Node, Pipedream, Deno, Bun and edge workers, so it
// may use Web APIs only. The compiler enforces that: tsconfig.json has no Node types. These
// tests check that it does, and what the compiler cannot know (which packages src may use).
const packageDir = join(import.meta.dirname, '..')
const sourceDir = join(packageDir, 'src')
const runtimeFiles = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .sort()

function diagnosticsWithProbe(probe: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(packageDir, 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} }
  )!
  const probePath = join(sourceDir, '__probe__.ts')
  const host = ts.createCompilerHost(config.options)
  const { getSourceFile, fileExists } = host
  host.fileExists = (file) => file === probePath || fileExists(file)
  host.getSourceFile = (file, language, ...rest) =>
    file === probePath
      ? ts.createSourceFile(file, probe, language)
      : getSourceFile(file, language, ...rest)
  const program = ts.createProgram([...config.fileNames, probePath], config.options, host)
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${d.file ? d.file.fileName.slice(packageDir.length + 1) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`
    )
}

describe('packages/shared runtime code', () => {
  it('has runtime files to check, the Web Crypto adapter among them', () => {
    expect(runtimeFiles).toContain('verify-webhook.ts')
    expect(runtimeFiles).toContain('index.ts')
    expect(runtimeFiles).toContain(join('crypto', 'web.ts'))
  })

  it('compiles on Web APIs alone, and the compiler refuses Node globals and node: imports', () => {
    const errors = diagnosticsWithProbe(
      [
        "import { createHash } from 'node:crypto'",
        "import { hmacSha256 } from './crypto/node.ts'",
        "export const a = Buffer.from('x')",
        'export const b = process.env',
        "export const c = require('node:fs')",
        'export const d = [createHash, hmacSha256]',
      ].join('\n')
    )
    // The library's own files compile; every error is the probe's or the adapter it drags in.
    expect(errors.filter((e) => !/^src\/(__probe__|crypto\/node)\.ts: /.test(e))).toEqual([])
    const text = errors.join('\n')
    expect(text).toMatch(/__probe__\.ts: Cannot find module 'node:crypto'/)
    // Importing the node adapter drags it into this program, where node:crypto is unknown.
    expect(text).toMatch(/src\/crypto\/node\.ts: Cannot find (module|name)/)
    expect(text).toMatch(/__probe__\.ts: Cannot find name 'Buffer'/)
    expect(text).toMatch(/__probe__\.ts: Cannot find name 'process'/)
    expect(text).toMatch(/__probe__\.ts: Cannot find name 'require'/)
  }, 60_000)

  it.each(runtimeFiles)(
    '%s imports only relative files, #crypto and structured-headers',
    (file) => {
      const code = readFileSync(join(sourceDir, file), 'utf8')
      const specifiers = [...code.matchAll(/^(?:import|export)\b[^'"]*?\bfrom\s+'([^']+)'/gm)].map(
        (match) => match[1]
      )
      for (const specifier of specifiers) {
        if (file === join('crypto', 'node.ts') && specifier!.startsWith('node:')) continue
        expect(specifier, `${file} imports ${specifier}`).toMatch(
          /^(?:\.\.?\/[a-z0-9/-]+\.ts|#crypto|structured-headers)$/
        )
      }
    }
  )

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
