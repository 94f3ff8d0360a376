import { spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { eventually, jobEvent } from '../test/inspector-helpers.ts'
import { runPnpmInRepo } from '../test/receiver-process.ts'
import { createApp } from './app.ts'
import { toWebhookInput } from './intake.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookStore } from './store.ts'
import { createWebhookEvents } from './webhook-events.ts'

const PACKAGE_DIR = join(import.meta.dirname, '..')
const AUTH = { username: 'tailer', password: 'tail-pass' }

describe('pnpm tail (src/tail.ts) against a real receiver', { timeout: 60_000 }, () => {
  let dir: string
  let store: WebhookStore
  let server: Server
  let port: number
  const children: ChildProcessWithoutNullStreams[] = []

  const listen = (onPort = 0) =>
    new Promise<Server>((resolve) => {
      const app = createApp({ store, events: createWebhookEvents(), auth: AUTH })
      const s = serve({ fetch: app.fetch, port: onPort, hostname: '127.0.0.1' }, () =>
        resolve(s as Server)
      ) as Server
    })
  const close = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections()
      s.close(() => resolve())
    })

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inspector-tail-'))
    store = createSqliteStore({ path: join(dir, 'tail.db') })
    server = await listen()
    port = (server.address() as AddressInfo).port
  })
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  afterAll(async () => {
    await close(server)
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })

  function tail(
    args: string[],
    env: Record<string, string> = { RECEIVER_USER: AUTH.username, RECEIVER_PASSWORD: AUTH.password }
  ) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/tail.ts', '--', '--url', `http://127.0.0.1:${port}`, ...args],
      {
        cwd: PACKAGE_DIR,
        env: { PATH: process.env['PATH'] ?? '', ...env },
      }
    )
    children.push(child)
    const output = { stdout: '', stderr: '', exitCode: null as number | null }
    child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk))
    child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk))
    child.on('exit', (code) => (output.exitCode = code))
    return output
  }

  const post = async (body: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/receive-webhooks`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${btoa(`${AUTH.username}:${AUTH.password}`)}`,
      },
    })
    expect(res.status).toBe(200)
  }

  it.each([
    [{ RECEIVER_LOCAL_URL: 'LOCAL' }, false],
    [{ RECEIVER_URL: 'LOCAL' }, true],
    [{ RECEIVER_LOCAL_URL: 'LOCAL', RECEIVER_URL: 'http://127.0.0.1:9/' }, false],
  ])(
    'Should follow the receiver named by %j, warning for the deprecated name: %s',
    async (vars, warns) => {
      const env: Record<string, string> = {
        PATH: process.env['PATH'] ?? '',
        RECEIVER_USER: AUTH.username,
        RECEIVER_PASSWORD: AUTH.password,
      }
      for (const [name, value] of Object.entries(vars))
        env[name] = value === 'LOCAL' ? `http://127.0.0.1:${port}` : value
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/tail.ts'], {
        cwd: PACKAGE_DIR,
        env,
      })
      children.push(child)
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
      await eventually(() => stderr.includes('tail: connected'), 30_000)
      expect(stderr).toContain(`tail: following http://127.0.0.1:${port}/api/stream`)
      expect(stderr.includes('RECEIVER_URL is deprecated')).toBe(warns)
    }
  )

  it('Should print one human line per new webhook', async () => {
    const out = tail([])
    await eventually(() => out.stderr.includes('tail: connected'), 30_000)
    await post(jobEvent({ messageId: 'tail-1', jobId: 'job-77', status: 'SUCCEEDED' }))
    const line = await eventually(
      () => out.stdout.split('\n').find((l) => l.includes('job-77')),
      30_000
    )
    expect(line).toMatch(
      /^#\d+\s+\d\d:\d\d:\d\d\s+job\.status\s+live\s+SUCCEEDED\s+job job-77\s+unchecked$/
    )
  })

  it('Should print raw JSON lines with --json, filtered by --status', async () => {
    const out = tail(['--json', '--status', 'FAILED'])
    await eventually(() => out.stderr.includes('tail: connected'), 30_000)
    await post(jobEvent({ messageId: 'tail-2', status: 'RUNNING' }))
    await post(jobEvent({ messageId: 'tail-3', status: 'FAILED' }))
    const line = await eventually(() => out.stdout.split('\n').find((l) => l.trim() !== ''), 30_000)
    expect(JSON.parse(line)).toMatchObject({
      messageId: 'tail-3',
      status: 'FAILED',
      event: 'job.status',
    })
    expect(out.stdout).not.toContain('tail-2')
  })

  it('Should reconnect after the receiver restarts and print what arrived meanwhile (Last-Event-ID)', async () => {
    const out = tail(['--json'])
    await eventually(() => out.stderr.includes('tail: connected'), 30_000)
    await post(jobEvent({ messageId: 'before-restart' }))
    await eventually(() => out.stdout.includes('before-restart'), 30_000)

    await close(server)
    await eventually(() => out.stderr.includes('reconnecting'), 30_000)
    // stored while nobody could stream it
    await store.insert(
      toWebhookInput({
        body: Buffer.from(jobEvent({ messageId: 'while-down' })),
        headers: {},
        verdict: 'unchecked',
      })
    )
    server = await listen(port)

    await eventually(() => out.stdout.includes('while-down'), 45_000)
    const ids = out.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).messageId)
    expect(ids).toEqual(['before-restart', 'while-down'])
  })

  it('Should exit 3 with a clear message when the credentials are wrong', async () => {
    const out = tail([], { RECEIVER_USER: 'tailer', RECEIVER_PASSWORD: 'wrong' })
    await eventually(() => out.exitCode !== null, 30_000)
    expect(out.exitCode).toBe(3)
    expect(out.stderr).toContain('401: check RECEIVER_USER / RECEIVER_PASSWORD')
  })

  it('Should exit 2 on a bad option', async () => {
    const out = tail(['--live', '--test'])
    await eventually(() => out.exitCode !== null, 30_000)
    expect(out.exitCode).toBe(2)
    expect(out.stderr).toContain('--live and --test exclude each other')
  })

  it.each(['tail -- --help', 'tail --help'])(
    'Should print its usage, naming the command to type, and exit 0: pnpm %s',
    async (command) => {
      const run = await runPnpmInRepo(command.split(' '))
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Usage: npx -y pnpm@10.34.9 tail -- [options]\n')
      expect(run.stdout).toContain('--json')
    }
  )
})
