import { createApp, createSqliteStore, type WebhookStore } from '@up42-webhooks/receiver'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeUp42, FAKE_EVENT_TYPES, type FakeUp42 } from '../../test/fake-up42.ts'
import { closedPortUrl, serveFetch, type ServedFetch } from '@up42-webhooks/test-support'
import type { Env } from './read-config.ts'
import { run } from './run.ts'

const TUNNEL = 'https://tunnel-1.ngrok-free.app'
const SECRET = 'whsec-test-0123456789abcdef'
const RECEIVER_AUTH = { username: 'relay', password: 'receiver-pass-42' }

let clock: number
let sleeps: number[]
let fake: FakeUp42
let up42Server: ServedFetch
let store: WebhookStore
let receiver: ServedFetch
let deadUrl: string

beforeEach(async () => {
  clock = Date.parse('2026-03-01T10:00:00Z')
  sleeps = []
  deadUrl = await closedPortUrl()
  store = createSqliteStore({ path: ':memory:' })
  const receiverApp = createApp({
    store,
    secret: SECRET,
    auth: RECEIVER_AUTH,
    now: () => Math.floor(clock / 1000),
    onError: () => {},
  })
  receiver = await serveFetch(receiverApp.fetch)
  fake = createFakeUp42({
    now: () => clock,
    // Test-only: the tunnel's https URL leads to the local http receiver; any other host is down.
    mapDeliveryUrl: (url) => {
      const target = new URL(url)
      const base = target.origin === TUNNEL ? receiver.url : deadUrl
      const auth = target.username ? `${target.username}:${target.password}@` : ''
      return base.replace('http://', `http://${auth}`) + target.pathname
    },
  })
  up42Server = await serveFetch(fake.app.fetch)
})

afterEach(async () => {
  await fake.settled()
  await up42Server.close()
  await receiver.close()
  await store.close()
})

function credentials(extra: Env = {}): Env {
  return {
    UP42_USERNAME: fake.username,
    UP42_PASSWORD: fake.password,
    UP42_API_URL: up42Server.url,
    UP42_AUTH_URL: up42Server.url,
    ...extra,
  }
}

async function cli(args: string[], env: Env = credentials(), program?: string) {
  let stdout = ''
  let stderr = ''
  const code = await run(args, {
    env,
    ...(program === undefined ? {} : { program }),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
  })
  return { code, stdout, stderr }
}

function seed(overrides: Partial<Parameters<FakeUp42['seedWebhook']>[0]> = {}) {
  return fake.seedWebhook({
    name: 'ngrok relay',
    url: `${TUNNEL}/receive-webhooks`,
    events: ['job.status', 'order.status'],
    secret: SECRET,
    active: true,
    ...overrides,
  })
}

const mutatingRequests = () => fake.apiRequests().filter((r) => r.method !== 'GET')

describe('run: help and usage', () => {
  it('prints the command overview for `help` and exits 0', async () => {
    const { code, stdout } = await cli(['help'])
    expect(code).toBe(0)
    for (const command of [
      'events',
      'list',
      'get',
      'create',
      'update',
      'delete',
      'test',
      'point',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
    expect(stdout).toContain('Exit codes: 0 ok')
  })

  it('prints usage to stderr and exits 2 without a command', async () => {
    const { code, stdout, stderr } = await cli([])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain('Usage: up42 <command>')
  })

  it('prints one command help for `help point` and `point --help`', async () => {
    const viaHelp = await cli(['help', 'point'])
    const viaFlag = await cli(['--', 'point', '--help'])
    expect(viaHelp.stdout).toContain('Usage: up42 point <id> --url <https url>')
    expect(viaFlag).toEqual(viaHelp)
  })

  it('names the command the user typed in usage lines and hints', async () => {
    const program = 'npx -y pnpm@10.34.9 -s up42 --'
    const overview = await cli(['--', '--help'], credentials(), program)
    expect(overview.code).toBe(0)
    expect(overview.stdout).toContain(`Usage: ${program} <command> [options]\n`)
    const one = await cli(['--', 'point', '--help'], credentials(), program)
    expect(one.stdout).toContain(`Usage: ${program} point <id> --url <https url>`)
    const bad = await cli(['--', 'get'], credentials(), program)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`\nSee \`${program} help get\`.\n`)
    const none = await cli(['--'], credentials(), program)
    expect([none.code, none.stdout]).toEqual([2, ''])
    expect(none.stderr).toContain(`Usage: ${program} <command>`)
  })

  it.each([
    [['lst'], 'unknown command "lst"'],
    [['list', '--jsn'], "Unknown option '--jsn'"],
    [['get'], 'get needs a webhook id'],
    [['list', 'extra'], 'unexpected argument "extra"'],
    [['create', '--url', 'https://a.example', '--events', 'job.status'], 'create needs --name'],
    [['update', 'id-1'], 'nothing to update'],
    [['update', 'id-1', '--active', '--inactive'], '--active and --inactive exclude each other'],
    [
      [
        'create',
        '--name',
        'n',
        '--url',
        'https://a.example',
        '--events',
        'job.status',
        '--secret',
        's',
        '--generate-secret',
      ],
      '--secret and --generate-secret exclude each other',
    ],
    [['point', 'id-1'], 'point needs --url'],
    [['point', 'id-1', '--url', 'https://a.example', '--wait', 'soon'], '--wait must be a number'],
    [
      ['point', 'id-1', '--url', 'https://a.example', '--receiver', 'localhost:9888'],
      '--receiver must be an http(s) URL',
    ],
  ])('rejects %j with exit 2 before any request', async (args, message) => {
    const { code, stderr } = await cli(args)
    expect(code).toBe(2)
    expect(stderr).toContain(message)
    expect(fake.requests).toHaveLength(0)
  })
})

describe('run: validation before calling UP42', () => {
  it.each([
    [
      ['create', '--name', 'n', '--url', 'http://tunnel.example', '--events', 'job.status'],
      'url must use https://',
    ],
    [
      ['create', '--name', 'n', '--url', 'tunnel.example', '--events', 'job.status'],
      'url is not a valid absolute URL',
    ],
    [
      ['create', '--name', 'n', '--url', 'https://t.example', '--events', 'job.done'],
      'unknown event type "job.done"; known: job.status, order.status',
    ],
    [
      ['create', '--name', 'n', '--url', 'https://t.example', '--events', ' , '],
      'events must list at least one event type',
    ],
    [['update', 'id-1', '--url', 'http://t.example'], 'url must use https://'],
    [['point', 'id-1', '--url', 'http://bob:hunter2@t.example'], 'got http://bob:***@t.example/'],
  ])('exits 2 for %j and sends nothing', async (args, message) => {
    const { code, stderr } = await cli(args)
    expect(code).toBe(2)
    expect(stderr).toContain(message)
    expect(stderr).toContain(`\nSee \`up42 help ${args[0]}\`.\n`)
    expect(stderr).not.toContain('hunter2')
    expect(fake.requests).toHaveLength(0)
  })
})

describe('run: events', () => {
  it('prints a table, or the JSON list with --json', async () => {
    const human = await cli(['events'])
    expect(human.code).toBe(0)
    expect(human.stdout.split('\n')[0]).toMatch(/^NAME\s+TITLE\s+CATEGORY\s+DESCRIPTION$/)
    expect(human.stdout).toMatch(/^order\.status\s+Order Status Updates\s+order\s+Sent when/m)
    const json = await cli(['events', '--json'])
    expect(JSON.parse(json.stdout)).toEqual(FAKE_EVENT_TYPES)
  })
})

describe('run: list and get', () => {
  it('says so when there are no webhooks', async () => {
    const { code, stdout } = await cli(['list'])
    expect(code).toBe(0)
    expect(stdout).toBe('No webhooks yet. Create one with `up42 create`.\n')
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toEqual([])
  })

  it('hides secrets and URL passwords unless --show-secret', async () => {
    const a = seed({ url: `https://bob:url-pass-99@${new URL(TUNNEL).host}/receive-webhooks` })
    const b = seed({ name: 'unsigned', secret: null, active: false, events: ['order.status'] })

    const table = await cli(['list'])
    expect(table.code).toBe(0)
    expect(table.stdout).not.toContain(SECRET)
    expect(table.stdout).not.toContain('url-pass-99')
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+NAME\s+ACTIVE\s+EVENTS\s+SECRET\s+URL$/)
    expect(lines[1]).toMatch(
      new RegExp(
        `^${a.id}\\s+ngrok relay\\s+yes\\s+job.status,order.status\\s+set\\s+https://bob:\\*\\*\\*@`
      )
    )
    expect(lines[2]).toMatch(
      new RegExp(`^${b.id}\\s+unsigned\\s+no\\s+order.status\\s+none\\s+${TUNNEL}`)
    )

    const json = JSON.parse((await cli(['list', '--json'])).stdout) as { secret: string | null }[]
    expect(json.map((w) => w.secret)).toEqual(['[hidden]', null])

    const shown = await cli(['list', '--show-secret'])
    expect(shown.stdout).toContain(SECRET)
    expect(shown.stdout).toContain('url-pass-99')
  })

  it('shows one webhook as fields, or JSON', async () => {
    const webhook = seed()
    const { code, stdout } = await cli(['get', webhook.id])
    expect(code).toBe(0)
    expect(stdout).toContain(`id       ${webhook.id}\n`)
    expect(stdout).toContain('events   job.status, order.status\n')
    expect(stdout).toContain('secret   set (hidden; --show-secret reveals it)\n')
    expect(stdout).not.toContain(SECRET)
    const json = JSON.parse((await cli(['get', webhook.id, '--json', '--show-secret'])).stdout)
    expect(json).toEqual(webhook)
  })

  it('exits 4 for an unknown id with UP42 message and code', async () => {
    const { code, stdout, stderr } = await cli(['get', 'nope'])
    expect(code).toBe(4)
    expect(stdout).toBe('')
    expect(stderr).toBe('up42: not found: Webhook nope not found (HTTP 404, UP42 code 404)\n')
  })

  it('strips control characters that UP42 data could use to fake output', async () => {
    const webhook = seed({ name: 'evil\u001b[2J\nname' })
    const { stdout } = await cli(['get', webhook.id])
    expect(stdout).toContain('name     evil [2J name\n')
  })
})

describe('run: create', () => {
  it('creates an inactive webhook by default and says how to activate it', async () => {
    const { code, stdout } = await cli([
      'create',
      '--name',
      'relay',
      '--url',
      `${TUNNEL}/receive-webhooks`,
      '--events',
      'job.status, order.status',
    ])
    expect(code).toBe(0)
    const [created] = fake.webhooks.values()
    expect(created).toMatchObject({
      name: 'relay',
      active: false,
      secret: null,
      events: ['job.status', 'order.status'],
    })
    expect(stdout).toContain(`Created webhook ${created?.id}.`)
    expect(stdout).toContain(`\`up42 update ${created?.id} --active\``)
  })

  it('accepts --events more than once and --active', async () => {
    const { code } = await cli([
      'create',
      '--name',
      'relay',
      '--url',
      TUNNEL,
      '--events',
      'job.status',
      '--events',
      'order.status',
      '--active',
    ])
    expect(code).toBe(0)
    expect([...fake.webhooks.values()][0]).toMatchObject({
      active: true,
      events: ['job.status', 'order.status'],
    })
  })

  it('sends an event named by several --events only once', async () => {
    const { code } = await cli([
      'create',
      '--name',
      'relay',
      '--url',
      TUNNEL,
      '--events',
      'job.status',
      '--events',
      'order.status,job.status',
    ])
    expect(code).toBe(0)
    expect([...fake.webhooks.values()][0]?.events).toEqual(['job.status', 'order.status'])
  })

  it('prints a generated secret once, with the export line', async () => {
    const { code, stdout } = await cli([
      'create',
      '--name',
      'relay',
      '--url',
      TUNNEL,
      '--events',
      'job.status',
      '--generate-secret',
    ])
    expect(code).toBe(0)
    const secret = [...fake.webhooks.values()][0]?.secret ?? ''
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(stdout).toContain(`  export UP42_WEBHOOK_SECRET='${secret}'\n`)
    expect(stdout.split(secret)).toHaveLength(2) // only in the export line
    expect(stdout).toContain('secret   set (hidden; --show-secret reveals it)\n')
  })

  it('reveals a generated secret in --json output, and a given one only with --show-secret', async () => {
    const generated = await cli([
      'create',
      '--name',
      'a',
      '--url',
      TUNNEL,
      '--events',
      'job.status',
      '--generate-secret',
      '--json',
    ])
    const [first] = fake.webhooks.values()
    expect(JSON.parse(generated.stdout).secret).toBe(first?.secret)

    const given = await cli([
      'create',
      '--name',
      'b',
      '--url',
      TUNNEL,
      '--events',
      'job.status',
      '--secret',
      'given-secret-1',
      '--json',
    ])
    expect(JSON.parse(given.stdout).secret).toBe('[hidden]')
    expect([...fake.webhooks.values()][1]?.secret).toBe('given-secret-1')
  })
})

describe('run: update, delete, test', () => {
  it('changes only the given fields and keeps the secret', async () => {
    const webhook = seed()
    const { code, stdout } = await cli(['update', webhook.id, '--name', 'renamed', '--inactive'])
    expect(code).toBe(0)
    expect(stdout).toContain(`Updated webhook ${webhook.id}.`)
    expect(fake.webhooks.get(webhook.id)).toMatchObject({
      name: 'renamed',
      active: false,
      secret: SECRET,
      url: `${TUNNEL}/receive-webhooks`,
    })
    expect(JSON.parse(mutatingRequests()[0]?.body ?? '')).toEqual({
      name: 'renamed',
      url: `${TUNNEL}/receive-webhooks`,
      events: ['job.status', 'order.status'],
      secret: SECRET,
      active: false,
    })
  })

  it('rotates the secret with --generate-secret', async () => {
    const webhook = seed()
    const { code, stdout } = await cli(['update', webhook.id, '--generate-secret'])
    expect(code).toBe(0)
    const secret = fake.webhooks.get(webhook.id)?.secret ?? ''
    expect(secret).not.toBe(SECRET)
    expect(stdout).toContain(`export UP42_WEBHOOK_SECRET='${secret}'`)
  })

  it('exits 4 when updating an unknown id', async () => {
    const { code, stderr } = await cli(['update', 'gone', '--active'])
    expect(code).toBe(4)
    expect(stderr).toContain('Webhook gone not found')
    expect(mutatingRequests()).toHaveLength(0)
  })

  it('deletes a webhook', async () => {
    const webhook = seed()
    const human = await cli(['delete', webhook.id])
    expect(human).toMatchObject({ code: 0, stdout: `Deleted webhook ${webhook.id}.\n` })
    expect(fake.webhooks.size).toBe(0)
    const again = await cli(['delete', webhook.id, '--json'])
    expect(again.code).toBe(4)
    const other = seed()
    expect(JSON.parse((await cli(['delete', other.id, '--json'])).stdout)).toEqual({
      deleted: other.id,
    })
  })

  it('triggers signed test events that the receiver verifies', async () => {
    const webhook = seed({
      url: `https://${RECEIVER_AUTH.username}:${RECEIVER_AUTH.password}@${new URL(TUNNEL).host}/receive-webhooks`,
    })
    const { code, stdout } = await cli(['test', webhook.id])
    expect(code).toBe(0)
    expect(stdout).toMatch(
      /^UP42 started 2 test event\(s\) at 2026-03-01T10:00:\d\d\.\d+Z \(2 reported delivered so far\)\.\n$/
    )
    const page = await store.list({}, { cursor: null, limit: 10 })
    expect(page.items.map((item) => [item.event, item.liveMode, item.verdict]).sort()).toEqual([
      ['job.status', false, 'verified'],
      ['order.status', false, 'verified'],
    ])
    const json = JSON.parse((await cli(['test', webhook.id, '--json'])).stdout)
    expect(json).toMatchObject({ id: webhook.id, testsRun: 2, testsSucceeded: 2 })
  })
})

describe('run: injected fetch', () => {
  it('sends every request through io.fetch', async () => {
    const seen: string[] = []
    const code = await run(['events'], {
      env: credentials(),
      stdout: { write: () => {} },
      stderr: { write: () => {} },
      fetch: (input, init) => {
        seen.push(`${init?.method ?? 'GET'} ${new URL(input).pathname}`)
        return fetch(input, init)
      },
    })
    expect(code).toBe(0)
    expect(seen).toEqual([
      'POST /realms/public/protocol/openid-connect/token',
      'GET /webhooks/events',
    ])
  })
})

describe('run: auth, errors and retries', () => {
  it('exits 3 without credentials and names the variables', async () => {
    const { code, stderr } = await cli(['list'], { UP42_API_URL: up42Server.url })
    expect(code).toBe(3)
    expect(stderr).toContain(
      'set UP42_USERNAME and UP42_PASSWORD (account login), or UP42_TOKEN and UP42_WORKSPACE_ID'
    )
    expect(fake.requests).toHaveLength(0)
  })

  it('exits 3 for a token without a workspace id', async () => {
    const { code, stderr } = await cli(['list'], { UP42_TOKEN: 'some-token-value' })
    expect(code).toBe(3)
    expect(stderr).toContain('UP42_TOKEN is set but UP42_WORKSPACE_ID is not')
  })

  it('exits 2 for an unusable UP42_API_URL', async () => {
    const { code, stderr } = await cli(['list'], credentials({ UP42_API_URL: 'ftp://x' }))
    expect(code).toBe(2)
    expect(stderr).toBe('up42: UP42_API_URL must be an http(s) URL\n')
  })

  it('exits 3 for a wrong password and never prints it', async () => {
    const { code, stderr } = await cli(['list'], credentials({ UP42_PASSWORD: 'wrong-pass-123' }))
    expect(code).toBe(3)
    expect(stderr).toBe(
      'up42: authentication failed: UP42 rejected the username or password: Invalid user credentials (check UP42_USERNAME and UP42_PASSWORD)\n'
    )
  })

  it('works with UP42_TOKEN and exits 3 once that token is revoked', async () => {
    await cli(['list'])
    const token = fake.apiRequests()[0]?.authorization?.slice('Bearer '.length) ?? ''
    const env = {
      UP42_TOKEN: token,
      UP42_WORKSPACE_ID: fake.workspaceId,
      UP42_API_URL: up42Server.url,
    }
    expect((await cli(['list'], env)).code).toBe(0)
    fake.revokeAllTokens()
    const { code, stderr } = await cli(['list'], env)
    expect(code).toBe(3)
    expect(stderr).toContain('(if you use UP42_TOKEN, it may have expired)')
    expect(stderr).not.toContain(token)
  })

  it('exits 3 when the workspace is not accessible', async () => {
    const login = await cli(['list'])
    expect(login.code).toBe(0)
    const token = fake.apiRequests()[0]?.authorization?.slice('Bearer '.length) ?? ''
    const env = {
      UP42_TOKEN: token,
      UP42_WORKSPACE_ID: 'someone-else',
      UP42_API_URL: up42Server.url,
    }
    const { code, stderr } = await cli(['list'], env)
    expect(code).toBe(3)
    expect(stderr).toBe(
      'up42: access denied: Access to workspace denied (HTTP 403, UP42 code 403)\n'
    )
  })

  it('waits out a 429 with Retry-After and succeeds', async () => {
    fake.inject({ status: 429, headers: { 'retry-after': '7' } }, (_, path) =>
      path.endsWith('/webhooks')
    )
    const { code, stdout } = await cli(['list'])
    expect(code).toBe(0)
    expect(stdout).toContain('No webhooks yet')
    expect(sleeps).toEqual([7000])
  })

  it('exits 1 when UP42 keeps answering 429', async () => {
    for (let i = 0; i < 4; i++) {
      fake.inject({ status: 429, headers: { 'retry-after': '1' } }, (_, path) =>
        path.endsWith('/events')
      )
    }
    const { code, stderr } = await cli(['events'])
    expect(code).toBe(1)
    expect(stderr).toBe(
      'up42: rate limited by UP42, try again later: UP42 answered 429 with an empty body (HTTP 429, UP42 code HTTP_429)\n'
    )
    expect(sleeps).toEqual([1000, 1000, 1000])
  })

  it('exits 1 with UP42 message for a server error envelope', async () => {
    fake.inject(
      {
        status: 500,
        body: '{"data":null,"error":{"code":"INTERNAL","message":"Database unavailable"}}',
      },
      (_, path) => path.endsWith('/events')
    )
    const { code, stderr } = await cli(['events'])
    expect(code).toBe(1)
    expect(stderr).toBe(
      'up42: UP42 API error: Database unavailable (HTTP 500, UP42 code INTERNAL)\n'
    )
  })

  it('exits 1 when UP42 cannot be reached', async () => {
    const { code, stderr } = await cli(['list'], credentials({ UP42_AUTH_URL: deadUrl }))
    expect(code).toBe(1)
    expect(stderr).toMatch(
      /^up42: could not reach http:\/\/127\.0\.0\.1:\d+: fetch failed \(ECONNREFUSED\)\n$/
    )
  })

  it('never prints configured secrets, even when UP42 echoes them', async () => {
    fake.inject(
      {
        status: 400,
        body: JSON.stringify({
          data: null,
          error: { code: 400, message: `password ${fake.password} is weak` },
        }),
      },
      (_, path) => path.endsWith('/events')
    )
    const { stderr } = await cli(['events'])
    expect(stderr).toBe(
      'up42: UP42 API error: password [redacted] is weak (HTTP 400, UP42 code 400)\n'
    )
  })
})

describe('run: point', () => {
  const receiverEnv = () =>
    credentials({
      RECEIVER_USER: RECEIVER_AUTH.username,
      RECEIVER_PASSWORD: RECEIVER_AUTH.password,
    })
  const tunnelUrl = `https://${RECEIVER_AUTH.username}:${RECEIVER_AUTH.password}@${new URL(TUNNEL).host}/receive-webhooks`

  it('updates the URL, triggers test events and prints what the receiver got', async () => {
    const webhook = seed({ url: 'https://old-tunnel.ngrok-free.app/receive-webhooks' })
    const { code, stdout } = await cli(
      ['point', webhook.id, '--url', tunnelUrl, '--receiver', receiver.url],
      receiverEnv()
    )
    expect(code).toBe(0)
    expect(fake.webhooks.get(webhook.id)?.url).toBe(tunnelUrl)
    expect(stdout).toContain(
      `Updated webhook ${webhook.id}: url is now https://relay:***@tunnel-1.ngrok-free.app/receive-webhooks\n`
    )
    expect(stdout).toContain('The local receiver got 2 of 2 test event(s):')
    expect(stdout).toMatch(
      /^\d+\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+job\.status\s+false\s+PENDING\s+verified$/m
    )
    expect(stdout).toMatch(
      /^\d+\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+order\.status\s+false\s+FULFILLED\s+verified$/m
    )
    expect(stdout).not.toContain(RECEIVER_AUTH.password)
  })

  it('gets through a receiver whose password is not ASCII (pässwörd, €: UTF-8 basic auth, #11)', async () => {
    // btoa threw on `€` and sent `ä` as Latin-1, which the receiver's Hono basic auth refuses.
    const auth = { username: 'relay', password: 'pässwörd-€' }
    await receiver.close()
    await store.close()
    store = createSqliteStore({ path: ':memory:' })
    receiver = await serveFetch(
      createApp({
        store,
        secret: SECRET,
        auth,
        now: () => Math.floor(clock / 1000),
        onError: () => {},
      }).fetch
    )
    const url = `https://${auth.username}:${encodeURIComponent(auth.password)}@${new URL(TUNNEL).host}/receive-webhooks`
    const webhook = seed()
    const { code, stdout, stderr } = await cli(
      ['point', webhook.id, '--url', url, '--receiver', receiver.url],
      credentials({ RECEIVER_USER: auth.username, RECEIVER_PASSWORD: auth.password })
    )
    expect(stderr).not.toContain('basic auth')
    expect(code).toBe(0)
    expect(stdout).toContain('The local receiver got 2 of 2 test event(s):')
    expect(stdout).not.toContain(auth.password)
  })

  it('keeps the path and tunnel credentials when given only the new tunnel host', async () => {
    const webhook = seed({
      url: `https://${RECEIVER_AUTH.username}:${RECEIVER_AUTH.password}@old.ngrok-free.app/receive-webhooks`,
    })
    const { code, stdout } = await cli(
      ['point', webhook.id, '--url', TUNNEL, '--receiver', receiver.url],
      receiverEnv()
    )
    expect(code).toBe(0)
    expect(fake.webhooks.get(webhook.id)?.url).toBe(tunnelUrl)
    expect(stdout).toContain('The local receiver got 2 of 2 test event(s):')
  })

  it('reports only deliveries newer than before the update, as JSON', async () => {
    const webhook = seed({ url: tunnelUrl })
    expect((await cli(['test', webhook.id])).stdout).toContain('(2 reported delivered so far)')
    const { code, stdout, stderr } = await cli(
      ['point', webhook.id, '--url', tunnelUrl, '--receiver', receiver.url, '--json'],
      receiverEnv()
    )
    expect(code).toBe(0)
    expect(stderr).toContain('Waiting up to 15 s for them at')
    const outcome = JSON.parse(stdout)
    expect(outcome.webhook).toMatchObject({ id: webhook.id, secret: '[hidden]' })
    expect(outcome.webhook.url).not.toContain(RECEIVER_AUTH.password)
    expect(outcome.test).toMatchObject({ testsRun: 2, testsSucceeded: 2 })
    expect(outcome.receiver.state).toBe('received')
    expect(outcome.receiver.received.map((r: { id: number }) => r.id)).toEqual([3, 4])
  })

  it('still updates, and exits 0, when the receiver is not running', async () => {
    const webhook = seed()
    const { code, stdout } = await cli([
      'point',
      webhook.id,
      '--url',
      tunnelUrl,
      '--receiver',
      deadUrl,
    ])
    expect(code).toBe(0)
    expect(fake.webhooks.get(webhook.id)?.url).toBe(tunnelUrl)
    expect(stdout).toContain(
      `Could not check the delivery: no receiver answers at ${deadUrl} (ECONNREFUSED).`
    )
    expect(stdout).toContain(`run \`up42 test ${webhook.id}\``)
  })

  it('takes receiver credentials from the --receiver URL and never prints them', async () => {
    const webhook = seed()
    const withAuth = receiver.url.replace(
      'http://',
      `http://${RECEIVER_AUTH.username}:${RECEIVER_AUTH.password}@`
    )
    const { code, stdout } = await cli([
      'point',
      webhook.id,
      '--url',
      tunnelUrl,
      '--receiver',
      withAuth,
    ])
    expect(code).toBe(0)
    expect(stdout).toContain(`Waiting up to 15 s for them at ${receiver.url} ...`)
    expect(stdout).toContain('The local receiver got 2 of 2 test event(s):')
    expect(stdout).not.toContain(RECEIVER_AUTH.password)
  })

  it('tells how to pass the receiver credentials when it answers 401', async () => {
    const webhook = seed()
    const { code, stdout } = await cli([
      'point',
      webhook.id,
      '--url',
      tunnelUrl,
      '--receiver',
      receiver.url,
    ])
    expect(code).toBe(0)
    expect(stdout).toContain('needs basic auth: set RECEIVER_USER and RECEIVER_PASSWORD')
  })

  it('exits 5 when the receiver runs but nothing arrives within --wait', async () => {
    const webhook = seed()
    const elsewhere = 'https://stale-tunnel.ngrok-free.app/receive-webhooks'
    const { code, stdout } = await cli(
      ['point', webhook.id, '--url', elsewhere, '--receiver', receiver.url, '--wait', '3'],
      receiverEnv()
    )
    expect(code).toBe(5)
    expect(stdout).toContain('The local receiver got 0 of 2 test event(s) within 3 s.')
    expect(stdout).toContain(
      `Check that the tunnel is up and forwards ${elsewhere} to ${receiver.url}.`
    )
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(3000)
  })

  it('hints at a secret mismatch when signatures do not verify', async () => {
    const webhook = seed({ secret: 'a-different-secret-value' })
    const { code, stdout } = await cli(
      ['point', webhook.id, '--url', tunnelUrl, '--receiver', receiver.url],
      receiverEnv()
    )
    expect(code).toBe(0)
    expect(stdout).toContain('invalid:SIGNATURE_MISMATCH')
    expect(stdout).toContain("the receiver's UP42_WEBHOOK_SECRET probably differs")
  })

  it('exits 4 and changes nothing for an unknown id', async () => {
    const { code } = await cli(
      ['point', 'missing', '--url', tunnelUrl, '--receiver', receiver.url],
      receiverEnv()
    )
    expect(code).toBe(4)
    expect(mutatingRequests()).toHaveLength(0)
  })
})
