import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DB_PATH, defaultDbPath, isLoopbackHost, readReceiverConfig } from './config.ts'
import { ConfigError } from './errors.ts'

function configError(env: Record<string, string>, argv: string[] = []): ConfigError {
  try {
    readReceiverConfig(env, argv)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
  throw new Error('expected a ConfigError')
}

describe('readReceiverConfig', () => {
  it('has the documented defaults', () => {
    expect(readReceiverConfig({})).toEqual({
      port: 9888,
      host: '127.0.0.1',
      dbPath: DEFAULT_DB_PATH,
      auth: null,
      allowedHosts: [],
      maxBodyBytes: 1048576,
      serverHeader: 'LeRenard2000',
      secret: null,
      requireSignature: false,
      requireBodyDigest: false,
      signatureMaxAgeSeconds: 86400,
      allowOpen: false,
      replayUrl: null,
      replayConcurrency: 8,
      quiet: false,
      help: false,
    })
  })

  it('reads every variable', () => {
    expect(
      readReceiverConfig({
        PORT: '0',
        HOST: '::1',
        RECEIVER_DB: ':memory:',
        RECEIVER_USER: 'relay',
        RECEIVER_PASSWORD: 'pw',
        RECEIVER_MAX_BODY_BYTES: '2048',
        SERVER_HEADER: 'Custom/1.0',
        UP42_WEBHOOK_SECRET: 'sec',
        RECEIVER_REQUIRE_SIGNATURE: '1',
        RECEIVER_REQUIRE_BODY_DIGEST: '1',
        RECEIVER_SIGNATURE_MAX_AGE: '300',
        RECEIVER_ALLOW_OPEN: 'true',
        REPLAY_URL: 'http://127.0.0.1:9/receive-webhooks',
        RECEIVER_REPLAY_CONCURRENCY: '2',
        RECEIVER_QUIET: 'yes',
        RECEIVER_ALLOWED_HOSTS: 'abc.ngrok.app',
      })
    ).toEqual({
      port: 0,
      host: '::1',
      dbPath: ':memory:',
      auth: { username: 'relay', password: 'pw' },
      allowedHosts: ['abc.ngrok.app'],
      maxBodyBytes: 2048,
      serverHeader: 'Custom/1.0',
      secret: 'sec',
      requireSignature: true,
      requireBodyDigest: true,
      signatureMaxAgeSeconds: 300,
      allowOpen: true,
      replayUrl: 'http://127.0.0.1:9/receive-webhooks',
      replayConcurrency: 2,
      quiet: true,
      help: false,
    })
  })

  it('lets flags override the environment', () => {
    const config = readReceiverConfig({ PORT: '1', HOST: '127.0.0.2', RECEIVER_DB: 'a.db' }, [
      '--port',
      '2',
      '--host=localhost',
      '--db',
      'b.db',
      '--quiet',
    ])
    expect(config).toMatchObject({ port: 2, host: 'localhost', dbPath: 'b.db', quiet: true })
    expect(readReceiverConfig({}, ['--help']).help).toBe(true)
  })

  it('ignores the `--` that `pnpm start -- --port 1` passes through, but only in front', () => {
    expect(readReceiverConfig({}, ['--', '--port', '2', '--quiet'])).toMatchObject({
      port: 2,
      quiet: true,
    })
    expect(readReceiverConfig({}, ['--', '--help']).help).toBe(true)
    expect(configError({}, ['--port', '2', '--', '--quiet']).variable).toBe('argv')
  })

  it.each([
    [{ PORT: '65536' }, 'PORT'],
    [{ PORT: 'http' }, 'PORT'],
    [{ RECEIVER_MAX_BODY_BYTES: '0' }, 'RECEIVER_MAX_BODY_BYTES'],
    [{ SERVER_HEADER: 'a\r\nx: y' }, 'SERVER_HEADER'],
    [{ RECEIVER_REQUIRE_SIGNATURE: 'maybe' }, 'RECEIVER_REQUIRE_SIGNATURE'],
    [{ RECEIVER_REQUIRE_SIGNATURE: '1' }, 'UP42_WEBHOOK_SECRET'],
    [{ RECEIVER_REQUIRE_BODY_DIGEST: 'maybe' }, 'RECEIVER_REQUIRE_BODY_DIGEST'],
    [{ RECEIVER_REQUIRE_BODY_DIGEST: '1' }, 'UP42_WEBHOOK_SECRET'],
    [{ REPLAY_URL: 'not a url' }, 'REPLAY_URL'],
    [{ RECEIVER_REPLAY_CONCURRENCY: '0' }, 'RECEIVER_REPLAY_CONCURRENCY'],
    [{ RECEIVER_USER: 'relay' }, 'RECEIVER_PASSWORD'],
    [{ RECEIVER_PASSWORD: 'pw' }, 'RECEIVER_USER'],
    [{ RECEIVER_USER: 'a:b', RECEIVER_PASSWORD: 'pw' }, 'RECEIVER_USER'],
  ])('rejects %j naming %s', (env, key) => {
    const error = configError(env)
    expect(error.name).toBe('ConfigError')
    expect(error.variable).toBe(key)
    expect(error.message).toContain(key)
  })

  it('reads switches, durations and lists by the repo-wide rules (common)', () => {
    expect(
      readReceiverConfig({
        RECEIVER_QUIET: 'On',
        RECEIVER_ALLOW_OPEN: 'no',
        RECEIVER_SIGNATURE_MAX_AGE: '24h',
      })
    ).toMatchObject({
      quiet: true,
      allowOpen: false,
      signatureMaxAgeSeconds: 86_400,
    })
    expect(readReceiverConfig({ RECEIVER_SIGNATURE_MAX_AGE: '90s' }).signatureMaxAgeSeconds).toBe(
      90
    )
    for (const bad of ['0', '500ms', '9000h', 'a day']) {
      const error = configError({ RECEIVER_SIGNATURE_MAX_AGE: bad })
      expect(error).toMatchObject({ variable: 'RECEIVER_SIGNATURE_MAX_AGE', code: 'INVALID' })
    }
    expect(configError({ RECEIVER_QUIET: 'quietly' }).message).toBe(
      'RECEIVER_QUIET must be one of 1/0, true/false, yes/no, on/off'
    )
  })

  it('never echoes the password or secret in its messages', () => {
    expect(configError({ RECEIVER_PASSWORD: 'hunter2' }).message).not.toContain('hunter2')
    expect(configError({ UP42_WEBHOOK_SECRET: 'topsecret', PORT: 'x' }).message).not.toContain(
      'topsecret'
    )
  })

  it('names the flag when --port is invalid, and rejects unknown flags', () => {
    expect(configError({}, ['--port', '-1']).variable).toBe('argv')
    expect(configError({}, ['--port', '99999']).variable).toBe('--port')
    expect(configError({}, ['--verbose']).variable).toBe('argv')
  })

  it('reads RECEIVER_ALLOWED_HOSTS as a comma list, --allowed-hosts first, and names a bad entry', () => {
    expect(
      readReceiverConfig({
        RECEIVER_ALLOWED_HOSTS: ' Abc.Ngrok.App, .example.com,,[::1], 10.0.0.7 ',
      }).allowedHosts
    ).toEqual(['abc.ngrok.app', '.example.com', '::1', '10.0.0.7'])
    expect(
      readReceiverConfig({ RECEIVER_ALLOWED_HOSTS: 'a.test' }, ['--allowed-hosts', 'b.test'])
        .allowedHosts
    ).toEqual(['b.test'])
    for (const entry of ['https://abc.ngrok.app', 'abc.ngrok.app:443', '*.example.com', 'a/b']) {
      const error = configError({ RECEIVER_ALLOWED_HOSTS: `ok.test,${entry}` })
      expect(error).toMatchObject({ variable: 'RECEIVER_ALLOWED_HOSTS', code: 'INVALID' })
      expect(error.message).toContain(JSON.stringify(entry))
    }
    expect(configError({}, ['--allowed-hosts', 'x:1']).variable).toBe('--allowed-hosts')
  })

  it('refuses a non-loopback HOST without auth unless --allow-open or RECEIVER_ALLOW_OPEN=1', () => {
    const error = configError({ HOST: '0.0.0.0' })
    expect(error).toMatchObject({ variable: 'HOST', code: 'UNSAFE' })
    expect(error.message).toMatch(/--allow-open/)
    expect(readReceiverConfig({ HOST: '0.0.0.0' }, ['--allow-open']).allowOpen).toBe(true)
    expect(readReceiverConfig({ HOST: '0.0.0.0', RECEIVER_ALLOW_OPEN: '1' }).host).toBe('0.0.0.0')
    expect(
      readReceiverConfig({ HOST: '192.168.1.5', RECEIVER_USER: 'u', RECEIVER_PASSWORD: 'p' }).auth
    ).toEqual({ username: 'u', password: 'p' })
  })
})

describe('defaultDbPath', () => {
  it('is data/webhooks.db of the workspace root, from the sources and from a bundle in dist/', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'receiver-root-'))
    try {
      writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n')
      for (const dir of ['packages/receiver/src', 'packages/receiver/dist']) {
        mkdirSync(path.join(root, dir), { recursive: true })
        expect(defaultDbPath(path.join(root, dir))).toBe(path.join(root, 'data', 'webhooks.db'))
      }
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })

  it("is this repository's data/webhooks.db by default", () => {
    const repo = path.resolve(import.meta.dirname, '..', '..', '..')
    expect(DEFAULT_DB_PATH).toBe(path.join(repo, 'data', 'webhooks.db'))
  })
})

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.0.10', false],
    ['example.com', false],
  ])('%s -> %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})
