import { Hono, type Context } from 'hono'
import { EXAMPLE_EVENTS, signWebhook } from '@up42-webhooks/shared'
import { encodeBasicAuth } from '@up42-webhooks/common'

// A local stand-in for UP42's webhook-management API and its Keycloak auth server, shaped from
// original-system.md §7.1 and §8.3–§8.4: `{ data, error }` envelopes, clear-text secrets,
// full-object PUT, `{ startedAt, testsRun, testsSucceeded }` from the tests endpoint, and a
// password-grant token endpoint with `expires_in`. It really delivers signed test events.

export interface FakeWebhook {
  id: string
  name: string
  url: string
  events: string[]
  active: boolean
  secret: string | null
  createdAt: string
  updatedAt: string
}

export interface RecordedRequest {
  method: string
  path: string
  authorization: string | null
  body: string
}

export interface InjectedReply {
  status: number
  headers?: Record<string, string>
  body?: string
}

export interface Delivery {
  url: string
  event: string
  status: number | null
  error: string | null
}

export interface FakeUp42Options {
  username?: string
  password?: string
  workspaceId?: string
  tokenTtlSeconds?: number
  /** The fake's clock (ms); share it with the client's `now` to test expiry. */
  now?: () => number
  /**
   * Test-only: UP42 delivers to https URLs, so tests map the webhook's https URL to a local
   * http receiver here. The CLI's https validation stays untouched.
   */
  mapDeliveryUrl?: (url: string) => string
  /** `after-reply` delivers in the background, as UP42 does, so callers must poll. */
  deliverTests?: 'before-reply' | 'after-reply'
}

export const FAKE_EVENT_TYPES = [
  {
    name: 'job.status',
    title: 'Job Status Updates',
    category: 'job',
    description: 'Sent when job/task status is updated',
    documentation: 'https://docs.up42.com/developers/',
  },
  {
    name: 'order.status',
    title: 'Order Status Updates',
    category: 'order',
    description: 'Sent when order status is updated',
    documentation: 'https://docs.up42.com/developers/',
  },
]

const REALM = '/realms/public/protocol/openid-connect'

export function createFakeUp42(options: FakeUp42Options = {}) {
  const username = options.username ?? 'ada@example.com'
  const password = options.password ?? 'correct horse battery staple'
  const workspaceId = options.workspaceId ?? 'ws-0b5e1c2a'
  const tokenTtlSeconds = options.tokenTtlSeconds ?? 300
  const now = options.now ?? Date.now
  const mapDeliveryUrl = options.mapDeliveryUrl ?? ((url: string) => url)
  const deliverTests = options.deliverTests ?? 'before-reply'

  const webhooks = new Map<string, FakeWebhook>()
  const tokens = new Map<string, number>()
  const requests: RecordedRequest[] = []
  const deliveries: Delivery[] = []
  const pendingDeliveries = new Set<Promise<unknown>>()
  const injected: { match: (method: string, path: string) => boolean; reply: InjectedReply }[] = []
  const counters = { tokensIssued: 0, userinfoCalls: 0 }
  let nextId = 1

  const app = new Hono()

  app.use('*', async (c, next) => {
    const body = c.req.method === 'GET' ? '' : await c.req.raw.clone().text()
    requests.push({
      method: c.req.method,
      path: c.req.path,
      authorization: c.req.header('authorization') ?? null,
      body,
    })
    const index = injected.findIndex((entry) => entry.match(c.req.method, c.req.path))
    if (index >= 0) {
      const reply = injected.splice(index, 1)[0]?.reply ?? { status: 500 }
      return new Response(reply.body ?? null, { status: reply.status, headers: reply.headers })
    }
    return next()
  })

  app.post(`${REALM}/token`, async (c) => {
    const form = new URLSearchParams(await c.req.text())
    if (form.get('grant_type') !== 'password' || form.get('client_id') !== 'up42-sdk') {
      return c.json({ error: 'unauthorized_client', error_description: 'Invalid client' }, 400)
    }
    if (form.get('username') !== username || form.get('password') !== password) {
      return c.json({ error: 'invalid_grant', error_description: 'Invalid user credentials' }, 401)
    }
    counters.tokensIssued++
    const token = `tok-${counters.tokensIssued}-${crypto.randomUUID()}`
    tokens.set(token, now() + tokenTtlSeconds * 1000)
    return c.json({
      access_token: token,
      expires_in: tokenTtlSeconds,
      refresh_expires_in: 1800,
      token_type: 'Bearer',
      scope: form.get('scope') ?? '',
    })
  })

  app.get(`${REALM}/userinfo`, (c) => {
    counters.userinfoCalls++
    if (!isValidToken(c.req.header('authorization'))) {
      return c.json({ error: 'invalid_token', error_description: 'Token verification failed' }, 401)
    }
    return c.json({ sub: workspaceId, email_verified: true, preferred_username: username })
  })

  const api = new Hono()
  api.use('*', async (c, next) => {
    if (!isValidToken(c.req.header('authorization'))) return fail(c, 401, 'Unauthorized')
    return next()
  })
  api.get('/webhooks/events', (c) => c.json({ data: FAKE_EVENT_TYPES, error: null }))
  api.use('/workspaces/:ws/*', async (c, next) => {
    if (c.req.param('ws') !== workspaceId) return fail(c, 403, 'Access to workspace denied')
    return next()
  })
  api.get('/workspaces/:ws/webhooks', (c) => c.json({ data: [...webhooks.values()], error: null }))
  api.post('/workspaces/:ws/webhooks', async (c) => {
    const input = await readInput(c.req.raw)
    if (typeof input === 'string') return fail(c, 400, input)
    const webhook = seedWebhook(input)
    return c.json({ data: webhook, error: null }, 201)
  })
  api.get('/workspaces/:ws/webhooks/:id', (c) => {
    const webhook = webhooks.get(c.req.param('id'))
    if (!webhook) return fail(c, 404, `Webhook ${c.req.param('id')} not found`)
    return c.json({ data: webhook, error: null })
  })
  api.put('/workspaces/:ws/webhooks/:id', async (c) => {
    const webhook = webhooks.get(c.req.param('id'))
    if (!webhook) return fail(c, 404, `Webhook ${c.req.param('id')} not found`)
    const input = await readInput(c.req.raw)
    if (typeof input === 'string') return fail(c, 400, input)
    Object.assign(webhook, input, { updatedAt: new Date(now()).toISOString() })
    return c.json({ data: webhook, error: null })
  })
  api.delete('/workspaces/:ws/webhooks/:id', (c) => {
    if (!webhooks.delete(c.req.param('id'))) {
      return fail(c, 404, `Webhook ${c.req.param('id')} not found`)
    }
    return c.body(null, 204)
  })
  api.post('/workspaces/:ws/webhooks/:id/tests', async (c) => {
    const webhook = webhooks.get(c.req.param('id'))
    if (!webhook) return fail(c, 404, `Webhook ${c.req.param('id')} not found`)
    const startedAt = new Date(now()).toISOString()
    const sending = Promise.all(webhook.events.map((event) => deliverTestEvent(webhook, event)))
    track(sending)
    const testsSucceeded = deliverTests === 'before-reply' ? count(await sending) : 0
    return c.json({
      data: { startedAt, testsRun: webhook.events.length, testsSucceeded },
      error: null,
    })
  })
  app.route('/', api)

  function fail(c: Context, status: 400 | 401 | 403 | 404, message: string) {
    return c.json({ data: null, error: { code: status, message, details: null } }, status)
  }

  function isValidToken(header: string | undefined): boolean {
    const token = header?.match(/^Bearer (.+)$/)?.[1]
    const expiresAt = token === undefined ? undefined : tokens.get(token)
    return expiresAt !== undefined && now() < expiresAt
  }

  async function readInput(
    request: Request
  ): Promise<Omit<FakeWebhook, 'id' | 'createdAt' | 'updatedAt'> | string> {
    let body: Record<string, unknown>
    try {
      body = (await request.json()) as Record<string, unknown>
    } catch {
      return 'Request body is not JSON'
    }
    // Like a PUT of the SDK's full object: every field must be present.
    for (const key of ['name', 'url', 'events', 'secret', 'active']) {
      if (!(key in body)) return `Missing field: ${key}`
    }
    const { name, url, events, secret, active } = body
    if (typeof name !== 'string' || name === '') return 'name must be a non-empty string'
    if (typeof url !== 'string' || !url.startsWith('https://')) return 'url must be an HTTPS URL'
    if (!Array.isArray(events) || events.length === 0) return 'events must not be empty'
    const known = FAKE_EVENT_TYPES.map((type) => type.name)
    const unknown = events.filter((event) => !known.includes(event as string))
    if (unknown.length > 0) return `Unknown event types: ${unknown.join(', ')}`
    if (secret !== null && typeof secret !== 'string') return 'secret must be a string or null'
    if (typeof active !== 'boolean') return 'active must be a boolean'
    return { name, url, events: events as string[], secret, active }
  }

  function seedWebhook(input: Partial<FakeWebhook> & { url: string }): FakeWebhook {
    const at = new Date(now()).toISOString()
    const webhook: FakeWebhook = {
      id: input.id ?? `00000000-0000-4000-8000-${String(nextId++).padStart(12, '0')}`,
      name: input.name ?? 'webhook',
      url: input.url,
      events: input.events ?? ['job.status'],
      active: input.active ?? false,
      secret: input.secret ?? null,
      createdAt: at,
      updatedAt: at,
    }
    webhooks.set(webhook.id, webhook)
    return webhook
  }

  async function deliverTestEvent(webhook: FakeWebhook, event: string): Promise<boolean> {
    const body = testPayload(event, new Date(now()).toISOString())
    const signed = webhook.secret
      ? await signWebhook({ body, secret: webhook.secret, created: Math.floor(now() / 1000) })
      : {}
    const target = new URL(mapDeliveryUrl(webhook.url))
    const headers: Record<string, string> = { 'content-type': 'application/json', ...signed }
    if (target.username) {
      // A URL with credentials is delivered with basic auth, as any HTTP client would.
      const user = decodeURIComponent(target.username)
      const pass = decodeURIComponent(target.password)
      headers.authorization = encodeBasicAuth(user, pass)
      target.username = ''
      target.password = ''
    }
    try {
      const response = await fetch(target, { method: 'POST', headers, body })
      await response.body?.cancel()
      deliveries.push({ url: target.href, event, status: response.status, error: null })
      return response.ok
    } catch (error) {
      deliveries.push({ url: target.href, event, status: null, error: String(error) })
      return false
    }
  }

  function track(promise: Promise<unknown>) {
    pendingDeliveries.add(promise)
    void promise.finally(() => pendingDeliveries.delete(promise))
  }

  return {
    app,
    webhooks,
    requests,
    deliveries,
    counters,
    username,
    password,
    workspaceId,
    seedWebhook,
    /** Server-side revocation: every token issued so far is rejected with 401. */
    revokeAllTokens: () => tokens.clear(),
    /** The next request matching `match` gets `reply` instead of the normal answer. */
    inject(reply: InjectedReply, match: (method: string, path: string) => boolean = () => true) {
      injected.push({ match, reply })
    },
    apiRequests: () => requests.filter((request) => !request.path.startsWith('/realms/')),
    settled: async () => {
      await Promise.all([...pendingDeliveries])
    },
  }
}

export type FakeUp42 = ReturnType<typeof createFakeUp42>

function count(results: boolean[]): number {
  return results.filter(Boolean).length
}

/** A fresh messageId and timestamp per delivery, like UP42, so receivers never see a duplicate. */
function testPayload(event: string, timestamp: string): string {
  if (event === 'job.status') {
    const example = JSON.parse(EXAMPLE_EVENTS.jobTest) as Record<string, unknown>
    return JSON.stringify({ ...example, messageId: crypto.randomUUID(), timestamp })
  }
  return JSON.stringify({
    event,
    liveMode: false,
    messageId: crypto.randomUUID(),
    timestamp,
    body: {
      orderId: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
      orderType: 'ARCHIVE',
      dataHostName: 'oneatlas',
      status: 'FULFILLED',
      statusIsFinal: true,
    },
  })
}
