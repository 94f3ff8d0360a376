import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFakeUp42, type FakeUp42 } from './fake-up42.ts'
import { runPnpm, runProgram, serveFetch, type ServedFetch } from '@up42-webhooks/test-support'
import { INHERITED_SETTINGS, PACKAGE_DIR, REPO_ROOT } from './processes.ts'

// The CLI as users start it: a real child process, real sockets, real exit codes.
let fake: FakeUp42
let server: ServedFetch

beforeAll(async () => {
  fake = createFakeUp42()
  server = await serveFetch(fake.app.fetch)
  fake.seedWebhook({
    name: 'relay',
    url: 'https://tunnel.ngrok-free.app/receive-webhooks',
    secret: 'process-test-secret',
    active: true,
  })
})

afterAll(async () => {
  await server.close()
})

const env = () => ({
  dropEnv: INHERITED_SETTINGS,
  env: {
    UP42_USERNAME: fake.username,
    UP42_PASSWORD: fake.password,
    UP42_API_URL: server.url,
    UP42_AUTH_URL: server.url,
  },
})

describe('bin/up42.mjs', () => {
  it('lists webhooks as JSON for jq, secrets hidden', { timeout: 60_000 }, async () => {
    const result = await runProgram(
      process.execPath,
      [join(PACKAGE_DIR, 'bin/up42.mjs'), 'list', '--json'],
      {
        cwd: REPO_ROOT,
        ...env(),
      }
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const list = JSON.parse(result.stdout) as { name: string; secret: string }[]
    expect(list).toMatchObject([{ name: 'relay', secret: '[hidden]', active: true }])
  })

  it('exits with the documented code for an unknown id', { timeout: 60_000 }, async () => {
    const result = await runProgram(
      process.execPath,
      [join(PACKAGE_DIR, 'bin/up42.mjs'), 'get', 'nope'],
      {
        cwd: REPO_ROOT,
        ...env(),
      }
    )
    expect(result.code).toBe(4)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'up42: not found: Webhook nope not found (HTTP 404, UP42 code 404)\n'
    )
  })
})

describe('root script `pnpm up42 -- <command>`', () => {
  it(
    'runs what the script runs (tsx with the -- separator passed through)',
    { timeout: 60_000 },
    async () => {
      const tsx = join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs')
      const result = await runProgram(
        process.execPath,
        [tsx, 'packages/up42/src/main.ts', '--', 'events', '--json'],
        { cwd: REPO_ROOT, ...env() }
      )
      expect(result.code).toBe(0)
      expect((JSON.parse(result.stdout) as { name: string }[]).map((e) => e.name)).toEqual([
        'job.status',
        'order.status',
      ])
    }
  )
})

describe('help, as users start the CLI', () => {
  it.each([
    [['-s', 'up42', '--', '--help'], 'npx -y pnpm@10.34.9 -s up42 --'],
    [['-s', 'up42', '--help'], 'npx -y pnpm@10.34.9 -s up42 --'],
  ])('pnpm %j exits 0 naming %s', { timeout: 60_000 }, async (args, program) => {
    const result = await runPnpm(args, { cwd: REPO_ROOT, ...env() })
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Usage: ${program} <command> [options]\n`)
  })

  it('bin/up42.mjs --help exits 0 naming up42', { timeout: 60_000 }, async () => {
    const result = await runProgram(
      process.execPath,
      [join(PACKAGE_DIR, 'bin/up42.mjs'), '--help'],
      { cwd: REPO_ROOT, ...env() }
    )
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Usage: up42 <command> [options]\n')
  })
})
