import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VECTORS } from './vectors.ts'

// The known-answer vectors of vectors.ts, run for real by the runtimes the library promises
// (the npm packages deno, bun and miniflare ship their binaries). Each must pick the Web Crypto
// adapter through package.json's `#crypto` conditions and print exactly the expected outcomes.
const run = promisify(execFile)
const packageDir = join(import.meta.dirname, '..')
const bin = (name: string) => join(packageDir, 'node_modules', '.bin', name)
const expected = {
  adapter: 'web',
  outcomes: VECTORS.map(({ name, expected }) => ({ name, actual: expected })),
}
const TIMEOUT = 120_000

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'shared-runtimes-'))
})
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true })
})

describe('the vectors under other runtimes', () => {
  it(
    'Deno runs them from the TypeScript source, without network or npm fetches',
    async () => {
      const { stdout } = await run(
        bin('deno'),
        // --no-remote: no http imports; --cached-only: no npm: fetches; no --allow-*: no I/O.
        [
          'run',
          '--no-remote',
          '--cached-only',
          '--no-lock',
          '--no-prompt',
          '--quiet',
          'test/runtimes/print-vectors.ts',
        ],
        {
          cwd: packageDir,
          env: {
            PATH: process.env.PATH,
            DENO_DIR: join(scratch, 'deno'),
            DENO_NO_UPDATE_CHECK: '1',
            NO_COLOR: '1',
          },
        }
      )
      expect(JSON.parse(stdout)).toEqual(expected)
    },
    TIMEOUT
  )

  it(
    'Bun runs them from the TypeScript source, without auto-installing packages',
    async () => {
      const { stdout } = await run(
        bin('bun'),
        ['--no-install', 'run', 'test/runtimes/print-vectors.ts'],
        {
          cwd: packageDir,
          env: {
            PATH: process.env.PATH,
            NO_COLOR: '1',
            BUN_INSTALL_CACHE_DIR: join(scratch, 'bun'),
          },
        }
      )
      expect(JSON.parse(stdout)).toEqual(expected)
    },
    TIMEOUT
  )

  it(
    'workerd (miniflare) runs them as a Worker bundled with workerd’s import conditions',
    async () => {
      const bundle = await build({
        absWorkingDir: packageDir,
        entryPoints: ['test/runtimes/worker.ts'],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'neutral',
        // What wrangler resolves with; the bundle must not reach node:crypto.
        conditions: ['workerd', 'worker', 'browser'],
        metafile: true,
        logLevel: 'silent',
      })
      const inputs = Object.keys(bundle.metafile.inputs)
      expect(inputs).toContain('src/crypto/web.ts')
      expect(inputs).not.toContain('src/crypto/node.ts')
      // No nodejs_compat flag: a node: import would fail to load, not fall back to a polyfill.
      const miniflare = new Miniflare({
        modules: true,
        script: bundle.outputFiles[0]!.text,
        compatibilityDate: '2025-01-01',
      })
      try {
        const response = await miniflare.dispatchFetch('http://localhost/')
        expect(response.status).toBe(200)
        expect(await response.json()).toEqual(expected)
      } finally {
        await miniflare.dispose()
      }
    },
    TIMEOUT
  )
})
