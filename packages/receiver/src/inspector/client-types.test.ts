import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

const CLIENT = join(import.meta.dirname, 'client')
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc')

describe("the inspector client's type check", () => {
  const dir = mkdtempSync(join(tmpdir(), 'client-types-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('Should be part of `pnpm typecheck`', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8'))
    expect(pkg.scripts.typecheck).toContain('tsc --noEmit -p src/inspector/client')
  })

  it(
    'Should fail on a type error in a client module, and on Node globals (DOM types only)',
    { timeout: 60_000 },
    async () => {
      // a copy of the client under the same compiler options, plus one module with two mistakes
      cpSync(CLIENT, dir, { recursive: true, filter: (src) => !src.endsWith('tsconfig.json') })
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ extends: join(CLIENT, 'tsconfig.json'), include: ['*.js'] })
      )
      writeFileSync(
        join(dir, 'broken.js'),
        [
          "import { statusBadge } from './badges.js'",
          "statusBadge('SUCCEEDED', 'yes')",
          "export const size = Buffer.byteLength('x')",
          '',
        ].join('\n')
      )
      const run = promisify(execFile)(process.execPath, [TSC, '--noEmit', '-p', dir], { cwd: dir })
      const failure = await run.then(
        () => null,
        (error: { code: number; stdout: string }) => error
      )
      expect(failure?.code).toBe(2)
      const errors = failure!.stdout.split('\n').filter((line) => line.includes('error TS'))
      expect(errors).toEqual([
        expect.stringMatching(/^broken\.js\(2,\d+\): error TS2345: .*'string'.*'boolean'/),
        expect.stringMatching(/^broken\.js\(3,\d+\): error TS\d+: Cannot find name 'Buffer'/),
      ])
    }
  )
})
