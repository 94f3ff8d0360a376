import { inspect } from 'node:util'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFakeClock } from '../../test/fake-clock.ts'
import type { ForwardConfig } from './config.ts'
import { ForwardError } from './errors.ts'
import { buildForwardRequest } from './forward-request.ts'
import { postWebhook } from './post-webhook.ts'
import type { WebhookDelivery } from './webhook-delivery.ts'

const ORIGIN = 'https://tunnel.example'
const PASSWORD = 'hunter2-receiver-password'
const config: ForwardConfig = {
  receiverUrl: ORIGIN,
  username: 'relay',
  password: PASSWORD,
  budgetMs: 20_000,
  pingTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
}
// Spacing and key order that JSON.stringify would not reproduce: the bytes must survive as is.
const RAW =
  '{"event": "job.status", "messageId":"m-1",  "body":{"status":"FAILED","note":"ünïcode"}}'
const event = {
  headers: {
    'content-type': 'application/json',
    date: 'Mon, 25 Jul 2022 14:33:26 GMT',
    'content-digest': 'sha-256=:abc=:',
    'x-up42-extra': 'signed too',
    'x-not-signed': 'dropped',
    host: 'eo1234.m.pipedream.net',
    'signature-input':
      'up42-sig=("date" "content-digest" "x-up42-extra" "host");created=1658759606',
    signature: 'up42-sig=WSoSe3XMBgpBvnjJ7CtyEgIipjnZBR8nmu7kkZnGcPg=',
  },
  body: new TextEncoder().encode(RAW),
  receivedAt: new Date(),
}

let agent: MockAgent
let clock: ReturnType<typeof createFakeClock>

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
  clock = createFakeClock()
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

function deps() {
  return { dispatcher: agent, now: clock.now, sleep: clock.sleep, random: () => 0.5 }
}

/** POSTs `delivery` within the full budget on the fake clock. */
function post(delivery: WebhookDelivery = event, fallbackKey?: string) {
  return postWebhook(
    buildForwardRequest(delivery, { fallbackKey }),
    config,
    { deadline: clock.now() + config.budgetMs },
    deps()
  )
}

describe('postWebhook', () => {
  it('POSTs the original bytes with basic auth, signature headers and idempotency-key', async () => {
    let seen: { method: string; path: string; body: unknown; headers: unknown } | undefined
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply((opts) => {
        seen = { method: opts.method, path: opts.path, body: opts.body, headers: opts.headers }
        return { statusCode: 200, data: '{"msg": "value with key 7 stored"}' }
      })

    const result = await post(event, 'trace-1')

    expect(result).toEqual({
      status: 200,
      key: 7,
      duplicate: false,
      attempts: 1,
      reply: { msg: 'value with key 7 stored' },
    })
    expect(seen?.method).toBe('POST')
    expect(seen?.path).toBe('/receive-webhooks')
    expect(Buffer.from(seen?.body as Uint8Array).equals(Buffer.from(RAW))).toBe(true)
    const headers = seen?.headers as Record<string, string>
    expect(headers.authorization).toBe(
      `Basic ${Buffer.from(`relay:${PASSWORD}`).toString('base64')}`
    )
    expect(headers['content-type']).toBe('application/json')
    expect(headers.signature).toBe(event.headers.signature)
    expect(headers['signature-input']).toBe(event.headers['signature-input'])
    expect(headers.date).toBe(event.headers.date)
    expect(headers['content-digest']).toBe(event.headers['content-digest'])
    expect(headers['x-up42-extra']).toBe('signed too')
    expect(headers['x-not-signed']).toBeUndefined()
    expect(headers.host).toBeUndefined()
    expect(headers['idempotency-key']).toBe('m-1')
  })

  it('falls back to fallbackKey (a step’s trace id) as idempotency-key when the body has no messageId', async () => {
    let key: string | undefined
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply((opts) => {
        key = (opts.headers as Record<string, string>)['idempotency-key']
        return { statusCode: 200, data: '{"msg": "duplicate of key 3"}' }
      })
    const noId = {
      headers: {},
      body: new TextEncoder().encode('{"event":"job.status"}'),
      receivedAt: new Date(),
    }
    const result = await post(noId, 'trace-9')
    expect(key).toBe('trace-9')
    expect(result.duplicate).toBe(true)
    expect(result.key).toBe(3)
  })

  it('retries 503 and connection errors with growing jittered waits, then succeeds', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply(503, 'busy')
    pool
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    pool
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(200, '{"msg": "value with key 1 stored"}')

    const result = await post()

    expect(result.attempts).toBe(3)
    expect(clock.sleeps).toHaveLength(2)
    expect(clock.sleeps[1]).toBeGreaterThan(clock.sleeps[0] ?? Infinity)
  })

  it('honours Retry-After on 429', async () => {
    const pool = agent.get(ORIGIN)
    pool
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(429, 'slow down', { headers: { 'retry-after': '3' } })
    pool
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(200, '{"msg": "value with key 2 stored"}')
    const result = await post()
    expect(result.key).toBe(2)
    expect(clock.sleeps).toEqual([3000])
  })

  it('gives up with RECEIVER_ERROR when Retry-After does not fit the budget', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(429, 'later', { headers: { 'retry-after': '60' } })
    const error = await post().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ForwardError)
    expect(error).toMatchObject({ code: 'RECEIVER_ERROR', status: 429, attempts: 1 })
    expect(clock.sleeps).toEqual([])
  })

  it('keeps retrying 502 until the budget is spent, never waiting past it', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(502, 'bad gateway')
      .persist()
    const start = clock.now()
    const error = (await post().catch((e: unknown) => e)) as ForwardError
    expect(error.code).toBe('RECEIVER_ERROR')
    expect(error.status).toBe(502)
    expect(error.attempts).toBeGreaterThan(3)
    expect(clock.now() - start).toBeLessThanOrEqual(config.budgetMs)
    expect(clock.sleeps.every((ms) => ms <= 4000)).toBe(true)
  })

  it('does not retry a 4xx: RECEIVER_REJECTED with the status', async () => {
    agent.get(ORIGIN).intercept({ path: '/receive-webhooks', method: 'POST' }).reply(400, 'no')
    const error = await post().catch((e: unknown) => e)
    expect(error).toMatchObject({
      name: 'ForwardError',
      code: 'RECEIVER_REJECTED',
      status: 400,
      attempts: 1,
    })
  })

  it.each([401, 403])(
    'reports a %i as RECEIVER_AUTH_FAILED (a fixable configuration mistake, not a rejection)',
    async (status) => {
      agent
        .get(ORIGIN)
        .intercept({ path: '/receive-webhooks', method: 'POST' })
        .reply(status, '{"code": 401, "msg": "unauthorized"}')
      const error = await post().catch((e: unknown) => e)
      expect(error).toMatchObject({ name: 'ForwardError', code: 'RECEIVER_AUTH_FAILED', status })
      expect((error as Error).message).toBe(
        `POST ${ORIGIN}/receive-webhooks answered ${status} "unauthorized": check RECEIVER_USER and RECEIVER_PASSWORD`
      )
    }
  )

  it('says which secret to compare when the receiver refuses the signature with 401', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(401, '{"code": 401, "msg": "signature invalid:SIGNATURE_MISMATCH"}')
    const error = await post().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'RECEIVER_AUTH_FAILED', status: 401 })
    expect((error as Error).message).toMatch(
      /"signature invalid:SIGNATURE_MISMATCH": check that the receiver's UP42_WEBHOOK_SECRET/
    )
  })

  it('treats a 401 from ngrok’s basic auth as RECEIVER_AUTH_FAILED too', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(401, '<html>Authentication failed ERR_NGROK_…</html>', {
        headers: { 'ngrok-error-code': 'ERR_NGROK_…' },
      })
    const error = await post().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'RECEIVER_AUTH_FAILED', status: 401 })
    expect((error as Error).message).not.toContain('<html>')
  })

  it('treats an ngrok error page as RECEIVER_UNREACHABLE, not as a rejection', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(404, 'Tunnel tunnel.example not found', {
        headers: { 'ngrok-error-code': 'ERR_NGROK_3200' },
      })
    const error = await post().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'RECEIVER_UNREACHABLE', status: 404 })
    expect((error as Error).message).toContain('ERR_NGROK_3200')
  })

  it('does not retry a 500: RECEIVER_ERROR', async () => {
    agent.get(ORIGIN).intercept({ path: '/receive-webhooks', method: 'POST' }).reply(500, 'boom')
    const error = await post().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'RECEIVER_ERROR', status: 500, attempts: 1 })
  })

  it('reports RECEIVER_UNREACHABLE keeping undici’s cause when every connection fails', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }))
      .persist()
    const error = (await post().catch((e: unknown) => e)) as ForwardError
    expect(error.code).toBe('RECEIVER_UNREACHABLE')
    expect((error.cause as { code: string }).code).toMatch(/^UND_ERR/)
    expect(error.url).toBe(`${ORIGIN}/receive-webhooks`)
  })

  it('reports TIMEOUT when the receiver does not answer within the attempt timeout', async () => {
    agent
      .get(ORIGIN)
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(200, 'late')
      .delay(2_000)
    const quick = { ...config, requestTimeoutMs: 20, budgetMs: 50 }
    const error = await postWebhook(
      buildForwardRequest(event),
      quick,
      { deadline: Date.now() + 50 },
      {
        dispatcher: agent,
      }
    ).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 1 })
  })

  it('never puts the password or the authorization header into message, stack, JSON or inspect', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply(403, 'forbidden')
    pool
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    const basic = Buffer.from(`relay:${PASSWORD}`).toString('base64')
    const noRetry = { ...config, budgetMs: 1 }
    for (let i = 0; i < 2; i += 1) {
      const error = (await postWebhook(
        buildForwardRequest(event),
        noRetry,
        { deadline: clock.now() + 1 },
        deps()
      ).catch((e: unknown) => e)) as ForwardError
      expect(error).toBeInstanceOf(ForwardError)
      for (const text of [
        error.message,
        error.stack ?? '',
        JSON.stringify(error),
        inspect(error, { depth: 5 }),
      ]) {
        expect(text).not.toContain(PASSWORD)
        expect(text).not.toContain(basic)
      }
    }
  })
})
