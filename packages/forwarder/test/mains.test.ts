import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  closedPortUrl,
  runProgram,
  runTsx as runTsxIn,
  startTsx,
  type ProgramOptions,
  type RunningProgram,
} from '@up42-webhooks/test-support'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ENV_NAMES } from '../src/core/config.ts'
import { RERUN_ENV_NAMES } from '../src/steps/rerun-config.ts'
import { startReceiverStub } from './receiver-stub.ts'

const PACKAGE_DIR = path.resolve(import.meta.dirname, '..')
const REPO_DIR = path.resolve(PACKAGE_DIR, '..', '..')
/** In the package folder: the usage names the script relative to it (`tsx src/relay-main.ts`). */
const runTsx = (file: string, args: string[], options: ProgramOptions = {}) =>
  runTsxIn(file, args, { cwd: PACKAGE_DIR, ...options })

const SIMULATE_MAIN = path.join(PACKAGE_DIR, 'src/simulate-main.ts')
const RELAY_MAIN = path.join(PACKAGE_DIR, 'src/relay-main.ts')
const PNPM = ['-y', 'pnpm@10.34.9']

/** None of the step's settings or pnpm's script variables leak in from the test's own shell. */
const CLEAN_ENV: Record<string, string | undefined> = Object.fromEntries(
  [
    ...Object.values(ENV_NAMES).flat(),
    ...Object.values(RERUN_ENV_NAMES).flat(),
    'npm_lifecycle_event',
    'npm_config_user_agent',
    'npm_package_name',
  ].map((name) => [name, undefined])
)
/** What pnpm sets when it runs the root package.json's `relay` / `simulate` script. */
const pnpmScript = (script: string) => ({
  npm_lifecycle_event: script,
  npm_config_user_agent: 'pnpm/10.34.9 npm/? node/v20.20.2 linux x64',
  npm_package_name: 'up42-webhooks',
})

let workdir: string
let stubBundle: string
const children: RunningProgram[] = []

beforeAll(async () => {
  workdir = await mkdtemp(path.join(tmpdir(), 'forwarder-mains-'))
  // The relay only needs a step to load; what it does is not under test here.
  stubBundle = path.join(workdir, 'stub-step.mjs')
  await writeFile(stubBundle, 'export default defineComponent({ async run() {} })\n')
})

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => child.stop()))
})

afterAll(async () => {
  if (workdir) await rm(workdir, { recursive: true, force: true })
})

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
    expect(run.stderr).toContain('Usage: tsx src/simulate-main.ts --url')
  }, 60_000)

  it('exits 0 for --help in both forms, naming the command the user typed', async () => {
    for (const args of [['--help'], ['--', '--help']]) {
      const run = await runTsx(SIMULATE_MAIN, args, {
        env: { ...CLEAN_ENV, ...pnpmScript('simulate') },
      })
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^Usage: npx -y pnpm@10\.34\.9 simulate -- --url <url>/)
      expect(run.stdout).toContain('--job-id <id>')
    }
  }, 60_000)

  it('exits 1 when the target cannot be reached', async () => {
    const run = await runTsx(SIMULATE_MAIN, ['--url', `${await closedPortUrl()}/`, '--secret', 's'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/simulate: request failed: .*ECONNREFUSED/)
  }, 60_000)

  it('sends a fresh job id on every run, and the pinned one with --job-id', async () => {
    const receiver = await startReceiverStub()
    try {
      const send = (...extra: string[]) =>
        runTsx(SIMULATE_MAIN, [
          '--url',
          `${receiver.url}/receive-webhooks`,
          '--secret',
          's',
          '--live',
          ...extra,
        ])
      for (const run of [
        await send(),
        await send(),
        await send('--job-id', 'job-7', '--count', '2'),
      ])
        expect(run.code).toBe(0)
      const ids = receiver
        .posts()
        .map((p) => (JSON.parse(p.body.toString()) as { body: { id: string } }).body.id)
      expect(ids).toHaveLength(4)
      expect(ids[0]).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
      )
      expect(ids[1]).not.toBe(ids[0])
      expect(ids.slice(2)).toEqual(['job-7', 'job-7'])
    } finally {
      await receiver.close()
    }
  }, 60_000)
})

describe('relay-main', () => {
  const config = {
    UP42_WEBHOOK_SECRET: 's',
    RECEIVER_URL: 'http://127.0.0.1:9/',
    RECEIVER_USER: 'u',
    RECEIVER_PASSWORD: 'p',
  }

  it('exits 0 with its usage for --help and -- --help, before checking anything', async () => {
    for (const args of [['--help'], ['--', '--help'], ['-h']]) {
      const run = await runTsx(RELAY_MAIN, args, { env: { ...CLEAN_ENV, ...pnpmScript('relay') } })
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^Usage: npx -y pnpm@10\.34\.9 relay -- \[--help\]\n/)
      expect(run.stdout).toContain('UP42_WEBHOOK_SECRET')
      expect(run.stdout).toContain(
        'FORWARD_RERUN_SCHEDULE  waits between re-runs, last one repeating (15s,1m,5m,30m)'
      )
    }
  }, 60_000)

  it('names the script it was started as when no pnpm script ran it', async () => {
    const run = await runTsx(RELAY_MAIN, ['--help'], { env: CLEAN_ENV })
    expect(run.stdout).toMatch(/^Usage: tsx src\/relay-main\.ts \[--help\]/)
  }, 60_000)

  it('exits 2 with the usage for an unknown flag instead of starting', async () => {
    const run = await runTsx(RELAY_MAIN, ['--', '--port', '1'], {
      env: { ...CLEAN_ENV, ...config },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("relay: Unknown option '--port'")
    expect(run.stderr).toContain('Usage: tsx src/relay-main.ts')
    expect(run.stdout).not.toContain('listening')
  }, 60_000)

  it('refuses to start without UP42_WEBHOOK_SECRET and RECEIVER_URL, naming both', async () => {
    const run = await runTsx(RELAY_MAIN, [], {
      env: { ...CLEAN_ENV, RELAY_PORT: '0', RELAY_BUNDLE: stubBundle },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^relay: UP42_WEBHOOK_SECRET is not set/)
    expect(run.stderr).toMatch(/\nrelay: RECEIVER_URL is not set/)
    expect(run.stdout).not.toContain('listening')
  }, 60_000)

  it('names an invalid variable, never its value', async () => {
    const run = await runTsx(RELAY_MAIN, [], {
      env: {
        ...CLEAN_ENV,
        ...config,
        RELAY_BUNDLE: stubBundle,
        RECEIVER_URL: 'ftp://user:hunter2@example.invalid/',
        FORWARD_RERUN_SCHEDULE: 'soon-hunter3',
      },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('relay: RECEIVER_URL must be an http(s) URL')
    expect(run.stderr).toContain('relay: FORWARD_RERUN_SCHEDULE must be a comma-separated list')
    expect(run.stderr).not.toMatch(/hunter/)
  }, 60_000)

  it('starts with only the original article’s variable names', async () => {
    const started = await startTsx(RELAY_MAIN, [], {
      cwd: REPO_DIR,
      env: {
        ...CLEAN_ENV,
        RELAY_PORT: '0',
        RELAY_BUNDLE: stubBundle,
        RELAY_SPOOL_DIR: path.join(workdir, 'spool-old-names'),
        up42_webhook_secret_zwei: 's',
        local_dev_host: 'http://127.0.0.1:9/',
        ngrok_basic_auth_user: 'u',
        ngrok_basic_auth_pass: 'p',
      },
    })
    children.push(started)
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  }, 60_000)

  it('reads switches by the repo-wide rule and exits 2 naming one that is not a boolean', async () => {
    const run = await runTsx(RELAY_MAIN, [], {
      env: { ...CLEAN_ENV, ...config, RELAY_BODY_RAW: 'yes', RELAY_QUIET: 'quietly' },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'relay: RELAY_QUIET must be one of 1/0, true/false, yes/no, on/off'
    )
    expect(run.stderr).not.toContain('RELAY_BODY_RAW')
  }, 60_000)

  it('exits 2 for an invalid RELAY_PORT', async () => {
    const run = await runTsx(RELAY_MAIN, [], { env: { ...config, RELAY_PORT: 'eighty' } })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('RELAY_PORT must be a port number')
  }, 60_000)

  it('exits 1 and says to build when the bundle is missing', async () => {
    const run = await runTsx(RELAY_MAIN, [], {
      env: {
        ...CLEAN_ENV,
        ...config,
        RELAY_PORT: '0',
        RELAY_BUNDLE: path.join(PACKAGE_DIR, 'no-such.mjs'),
      },
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('run `pnpm build` first')
  }, 60_000)
})

describe('the root package.json scripts, run through pnpm as the README spells them', () => {
  it('`relay --help`, `relay -- --help` and `simulate -- --help` exit 0 with their usage', async () => {
    const env = { ...CLEAN_ENV, UP42_WEBHOOK_SECRET: undefined }
    for (const args of [
      ['relay', '--help'],
      ['relay', '--', '--help'],
    ]) {
      const run = await runProgram('npx', [...PNPM, ...args], { cwd: REPO_DIR, env })
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain('\nUsage: npx -y pnpm@10.34.9 relay -- [--help]\n')
    }
    const run = await runProgram('npx', [...PNPM, 'simulate', '--', '--help'], {
      cwd: REPO_DIR,
      env,
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('\nUsage: npx -y pnpm@10.34.9 simulate -- --url <url>')
  }, 180_000)
})

describe('relay-main with NOTIFY', () => {
  const config = {
    UP42_WEBHOOK_SECRET: 's',
    RECEIVER_URL: 'http://127.0.0.1:9/',
    RECEIVER_USER: 'u',
    RECEIVER_PASSWORD: 'p',
  }

  it('exits 2 for an invalid NOTIFY, naming it and never its secret', async () => {
    const run = await runTsx(RELAY_MAIN, [], {
      env: {
        ...CLEAN_ENV,
        ...config,
        RELAY_BUNDLE: stubBundle,
        NOTIFY: 'https://user:hunter2@example.invalid/hook',
      },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      'relay: NOTIFY: https://example.invalid is no known notification host'
    )
    expect(run.stderr).not.toMatch(/hunter2/)
  }, 60_000)

  it('accepts desktop: and cmd:, which it sends itself, and says whom it notifies', async () => {
    const started = await startTsx(RELAY_MAIN, [], {
      cwd: REPO_DIR,
      env: {
        ...CLEAN_ENV,
        ...config,
        RELAY_PORT: '0',
        RELAY_BUNDLE: stubBundle,
        RELAY_SPOOL_DIR: path.join(workdir, 'spool-notify'),
        NOTIFY: 'desktop:, cmd:logger -t up42 , https://hooks.slack.com/services/T/B/SLACKSECRET',
      },
    })
    children.push(started)
    // The relay prints whom it notifies right after "listening on".
    const output = () => started.stdout() + started.stderr()
    await expect.poll(output, { timeout: 10_000 }).toMatch(/notifying (.+)\n/)
    expect(/notifying (.+)\n/.exec(output())![1]).toBe(
      'desktop:, cmd:logger …, https://hooks.slack.com/services/T/B/***'
    )
    expect(output()).not.toContain('SLACKSECRET')
  }, 60_000)
})
