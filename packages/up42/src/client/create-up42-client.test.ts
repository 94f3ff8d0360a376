import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeUp42, type FakeUp42 } from '../../test/fake-up42.ts'
import { serveFetch, type ServedFetch } from '@up42-webhooks/test-support'
import { createUp42Client } from './create-up42-client.ts'
import { Up42ApiError, Up42AuthError, Up42NetworkError, WebhookInputError } from './errors.ts'
import type { Up42ClientOptions } from './types.ts'

let clock: number
let sleeps: number[]
let fake: FakeUp42
let server: ServedFetch

beforeEach(async () => {
  clock = Date.parse('2026-01-01T00:00:00Z')
  sleeps = []
  fake = createFakeUp42({ now: () => clock, tokenTtlSeconds: 300 })
  server = await serveFetch(fake.app.fetch)
})

afterEach(async () => {
  await server.close()
})

function client(overrides: Partial<Up42ClientOptions> = {}) {
  return createUp42Client({
    auth: { username: fake.username, password: fake.password },
    apiUrl: server.url,
    authUrl: server.url,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    ...overrides,
  })
}

/** The rejection of a promise that must reject. */
async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (error) {
    if (error instanceof Error) return error
    throw new Error(`rejected with a non-Error: ${String(error)}`)
  }
  throw new Error('expected a rejection')
}

const tokenRequests = () => fake.requests.filter((r) => r.path.endsWith('/token'))

describe('createUp42Client', () => {
  it('logs in with the password grant and uses the userinfo sub as workspace id', async () => {
    const up42 = client()
    expect(await up42.workspaceId()).toBe(fake.workspaceId)
    const form = new URLSearchParams(tokenRequests()[0]?.body)
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'password',
      username: fake.username,
      password: fake.password,
      client_id: 'up42-sdk',
      scope: 'openid',
    })
    expect(fake.requests[0]?.path).toBe('/realms/public/protocol/openid-connect/token')
    expect(fake.requests[1]?.path).toBe('/realms/public/protocol/openid-connect/userinfo')
  })

  it('lists event types with a bearer token', async () => {
    const events = await client().events()
    expect(events.map((event) => event.name)).toEqual(['job.status', 'order.status'])
    expect(events[0]?.title).toBe('Job Status Updates')
    expect(fake.apiRequests()[0]?.authorization).toMatch(/^Bearer tok-1-/)
  })

  it('creates, lists, gets, updates, tests and deletes a webhook', async () => {
    const up42 = client()
    const created = await up42.create({
      name: 'ngrok',
      url: 'https://abc.ngrok-free.app/receive-webhooks',
      events: ['job.status'],
    })
    expect(created).toMatchObject({ name: 'ngrok', active: false, secret: null })
    const post = fake.apiRequests().find((r) => r.method === 'POST')
    expect(JSON.parse(post?.body ?? '')).toEqual({
      name: 'ngrok',
      url: 'https://abc.ngrok-free.app/receive-webhooks',
      events: ['job.status'],
      secret: null,
      active: false,
    })
    expect(post?.path).toBe(`/workspaces/${fake.workspaceId}/webhooks`)

    expect((await up42.list()).map((w) => w.id)).toEqual([created.id])
    expect(await up42.get(created.id)).toEqual(created)

    fake.webhooks.get(created.id)!.secret = 'kept-secret-value'
    const updated = await up42.update(created.id, {
      url: 'https://new.ngrok-free.app/receive-webhooks',
      events: ['job.status', 'order.status'],
      active: true,
    })
    expect(updated).toMatchObject({
      url: 'https://new.ngrok-free.app/receive-webhooks',
      active: true,
    })
    const [get, put] = fake.apiRequests().slice(-2)
    expect(get?.method).toBe('GET')
    expect(put?.method).toBe('PUT')
    // The full object, with the unchanged name and secret taken from the current state.
    expect(JSON.parse(put?.body ?? '')).toEqual({
      name: 'ngrok',
      url: 'https://new.ngrok-free.app/receive-webhooks',
      events: ['job.status', 'order.status'],
      secret: 'kept-secret-value',
      active: true,
    })

    expect(await up42.test(created.id)).toMatchObject({ testsRun: 2 })
    expect(fake.apiRequests().at(-1)?.path).toBe(
      `/workspaces/${fake.workspaceId}/webhooks/${created.id}/tests`
    )

    await expect(up42.delete(created.id)).resolves.toBeUndefined()
    expect(fake.webhooks.size).toBe(0)
  })

  it('turns an error envelope into Up42ApiError with UP42 code and message', async () => {
    const error = await caught(client().get('no-such-id'))
    expect(error).toBeInstanceOf(Up42ApiError)
    expect(error).toMatchObject({
      code: '404',
      status: 404,
      message: 'Webhook no-such-id not found',
    })

    const invalid = await caught(
      client().create({ name: 'x', url: 'https://a.example', events: ['job.bogus'] })
    )
    expect(invalid).toMatchObject({
      code: '400',
      status: 400,
      message: 'Unknown event types: job.bogus',
    })
  })

  it('keeps string error codes and an error envelope sent with status 200', async () => {
    fake.inject(
      {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ data: null, error: { code: 'WEBHOOK_LIMIT', message: 'Too many' } }),
      },
      (method, path) => method === 'POST' && path.endsWith('/webhooks')
    )
    const error = await caught(
      client().create({ name: 'x', url: 'https://a.example', events: ['job.status'] })
    )
    expect(error).toMatchObject({ name: 'Up42ApiError', code: 'WEBHOOK_LIMIT', status: 200 })
  })

  it('redacts secrets and tokens that UP42 echoes in an error message', async () => {
    const up42 = client()
    await up42.events()
    const token = fake.apiRequests()[0]?.authorization?.slice('Bearer '.length) ?? ''
    fake.inject(
      {
        status: 400,
        body: JSON.stringify({
          data: null,
          error: { code: 400, message: `bad secret s3cr3t-value for token ${token}` },
        }),
      },
      (method, path) => method === 'POST' && path.endsWith('/webhooks')
    )
    const error = await caught(
      up42.create({
        name: 'x',
        url: 'https://a.example',
        events: ['job.status'],
        secret: 's3cr3t-value',
      })
    )
    expect(error.message).toBe('bad secret [redacted] for token [redacted]')
  })

  it('refreshes the token 30 s before it expires, without a 401', async () => {
    const up42 = client()
    await up42.list()
    clock += 200_000
    await up42.list()
    expect(fake.counters.tokensIssued).toBe(1)
    clock += 71_000 // 271 s after issue: inside the 30 s margin of the 300 s lifetime
    await up42.list()
    expect(fake.counters.tokensIssued).toBe(2)
    expect(fake.apiRequests().map((r) => r.authorization?.slice(0, 12))).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-2',
    ])
  })

  it('re-authenticates once after a 401 and retries the request', async () => {
    const up42 = client()
    await up42.list()
    fake.revokeAllTokens()
    await expect(up42.list()).resolves.toEqual([])
    expect(fake.counters.tokensIssued).toBe(2)
    expect(fake.apiRequests()).toHaveLength(3)
  })

  it('gives up with Up42AuthError when the fresh token is rejected too', async () => {
    const up42 = client()
    await up42.list()
    const unauthorized = { status: 401, body: '{"data":null,"error":{"code":401,"message":"no"}}' }
    const isList = (method: string, path: string) => method === 'GET' && path.endsWith('/webhooks')
    fake.inject(unauthorized, isList)
    fake.inject(unauthorized, isList)
    fake.inject(unauthorized, isList)
    const error = await caught(up42.list())
    expect(error).toBeInstanceOf(Up42AuthError)
    expect(error).toMatchObject({ code: 'TOKEN_REJECTED', status: 401 })
    expect(fake.counters.tokensIssued).toBe(2)
    expect(fake.apiRequests()).toHaveLength(3)
  })

  it('reports wrong credentials without echoing the password', async () => {
    const error = await caught(
      client({ auth: { username: fake.username, password: 'wrong-password' } }).list()
    )
    expect(error).toBeInstanceOf(Up42AuthError)
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 })
    expect(error.message).toBe('UP42 rejected the username or password: Invalid user credentials')
  })

  it('uses a fixed token and workspace id without logging in, and cannot renew it', async () => {
    const login = client()
    await login.list()
    const token = fake.apiRequests()[0]?.authorization?.slice('Bearer '.length) ?? ''
    const up42 = client({ auth: { token, workspaceId: fake.workspaceId } })
    await up42.list()
    expect(fake.counters.tokensIssued).toBe(1)
    expect(fake.counters.userinfoCalls).toBe(1)
    fake.revokeAllTokens()
    const error = await caught(up42.list())
    expect(error).toMatchObject({ name: 'Up42AuthError', code: 'TOKEN_REJECTED' })
    expect(fake.counters.tokensIssued).toBe(1)
  })

  it('shares one login between concurrent calls', async () => {
    const up42 = client()
    await Promise.all([up42.list(), up42.list(), up42.events()])
    expect(fake.counters.tokensIssued).toBe(1)
    expect(fake.counters.userinfoCalls).toBe(1)
  })

  describe('on 429', () => {
    const isEvents = (_: string, path: string) => path === '/webhooks/events'

    it('waits the Retry-After seconds, then retries', async () => {
      fake.inject({ status: 429, headers: { 'retry-after': '2' } }, isEvents)
      fake.inject({ status: 429, headers: { 'retry-after': '3' } }, isEvents)
      expect(await client().events()).toHaveLength(2)
      expect(sleeps).toEqual([2000, 3000])
      expect(fake.apiRequests()).toHaveLength(3)
    })

    it('waits until a Retry-After HTTP date', async () => {
      const at = new Date(clock + 5000).toUTCString()
      fake.inject({ status: 429, headers: { 'retry-after': at } }, isEvents)
      await client().events()
      expect(sleeps).toEqual([5000])
    })

    it('caps a long Retry-After and backs off exponentially without one', async () => {
      fake.inject({ status: 429, headers: { 'retry-after': '3600' } }, isEvents)
      fake.inject({ status: 429 }, isEvents)
      fake.inject({ status: 429 }, isEvents)
      await client({ maxRetryWaitMs: 10_000 }).events()
      expect(sleeps).toEqual([10_000, 2000, 4000])
    })

    it('gives up after the bounded number of retries', async () => {
      const limited = {
        status: 429,
        headers: { 'retry-after': '1' },
        body: '{"data":null,"error":{"code":429,"message":"Too Many Requests"}}',
      }
      for (let i = 0; i < 3; i++) fake.inject(limited, isEvents)
      const error = await caught(client({ maxRetries: 2 }).events())
      expect(error).toMatchObject({ name: 'Up42ApiError', status: 429, code: '429' })
      expect(sleeps).toEqual([1000, 1000])
      expect(fake.apiRequests()).toHaveLength(3)
    })

    it('also backs off on the token endpoint', async () => {
      fake.inject({ status: 429, headers: { 'retry-after': '4' } }, (_, path) =>
        path.endsWith('/token')
      )
      await client().events()
      expect(sleeps).toEqual([4000])
      expect(fake.counters.tokensIssued).toBe(1)
    })
  })

  it('reports an unreachable API as Up42NetworkError', async () => {
    const closed = await serveFetch(() => new Response('unused'))
    await closed.close()
    const error = await caught(client({ apiUrl: closed.url, authUrl: closed.url }).list())
    expect(error).toBeInstanceOf(Up42NetworkError)
    expect(error).toMatchObject({ code: 'NETWORK_ERROR' })
    expect((error as Error).message).toContain(`could not reach ${closed.url}`)
  })

  it('rejects a reply without the envelope as INVALID_RESPONSE', async () => {
    fake.inject({ status: 200, body: '[1,2]' }, (_, path) => path === '/webhooks/events')
    const error = await caught(client().events())
    expect(error).toMatchObject({ name: 'Up42NetworkError', code: 'INVALID_RESPONSE' })
  })

  it('refuses a non-https url before sending anything', async () => {
    const error = await caught(
      client().create({ name: 'x', url: 'http://abc.ngrok-free.app', events: ['job.status'] })
    )
    expect(error).toBeInstanceOf(WebhookInputError)
    expect(error).toMatchObject({ code: 'URL_NOT_HTTPS', field: 'url' })
    expect(fake.requests).toHaveLength(0)
  })
})
