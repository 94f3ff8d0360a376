import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { closedPortUrl } from './receiver-stub.ts'
import { PACKAGE_DIR, runTsx } from './run-process.ts'

const SIMULATE_MAIN = path.join(PACKAGE_DIR, 'src/simulate-main.ts')
const RELAY_MAIN = path.join(PACKAGE_DIR, 'src/relay-main.ts')

describe('simulate-main', () => {
  it('exits 2 with the usage text for a bad flag', async () => {
    const run = await runTsx(SIMULATE_MAIN, [
      '--',
      '--url',
      'http://127.0.0.1:1/',
      '--secret',
      's',
      '--count',
      'many',
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('simulate: --count must be a whole number')
    expect(run.stderr).toContain('Usage: pnpm simulate')
  }, 60_000)

  it('exits 1 when the target cannot be reached', async () => {
    const run = await runTsx(SIMULATE_MAIN, ['--url', `${await closedPortUrl()}/`, '--secret', 's'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/simulate: request failed: .*ECONNREFUSED/)
  }, 60_000)
})

describe('relay-main', () => {
  it('exits 2 for an invalid RELAY_PORT', async () => {
    const run = await runTsx(RELAY_MAIN, [], { env: { RELAY_PORT: 'eighty' } })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('RELAY_PORT must be a port number')
  }, 60_000)

  it('exits 1 and says to build when the bundle is missing', async () => {
    const run = await runTsx(RELAY_MAIN, [], {
      env: { RELAY_PORT: '0', RELAY_BUNDLE: path.join(PACKAGE_DIR, 'no-such.mjs') },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('run `pnpm build` first')
  }, 60_000)
})
