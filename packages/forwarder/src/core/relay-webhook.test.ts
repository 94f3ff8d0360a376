import { inspect } from 'node:util'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SECRET, signedWebhook } from '../../test/signed-event.ts'
import type { RelayConfig } from './config.ts'
import { relayWebhook } from './relay-webhook.ts'

const ORIGIN = 'https://tunnel.example'
const config: RelayConfig = {
  secret: SECRET,
  statuses: undefined,
  receiverUrl: ORIGIN,
  username: 'relay',
  password: 'pw',
  budgetMs: 20_000,
  pingTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
}

let agent: MockAgent

beforeEach(() => {
  agent = new MockAgent()
  agent.disableNetConnect()
})

afterEach(async () => {
  agent.assertNoPendingInterceptors()
  await agent.close()
})

function expectForward(): { body: () => string | undefined } {
  let body: string | undefined
  const pool = agent.get(ORIGIN)
  pool.intercept({ path: '/ping', method: 'GET' }).reply(200, 'PONG')
  pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply((opts) => {
    body = Buffer.from(opts.body as Uint8Array).toString('utf8')
    return { statusCode: 200, data: '{"msg": "value with key 4 stored"}' }
  })
  return { body: () => body }
}

describe('relayWebhook', () => {
  it('forwards a valid notifiable webhook byte for byte', async () => {
    const seen = expectForward()
    const event = await signedWebhook()
    const outcome = await relayWebhook(event, config, { dispatcher: agent })
    expect(outcome).toEqual({
      outcome: 'forwarded',
      status: 200,
      key: 4,
      duplicate: false,
      postAttempts: 1,
      pingAttempts: 1,
      reply: { msg: 'value with key 4 stored' },
    })
    expect(seen.body()).toBe(EXAMPLE_EVENTS.jobLive)
  })

  it('rejects a wrong signature without any HTTP', async () => {
    const event = await signedWebhook({ secret: 'another-secret' })
    await expect(relayWebhook(event, config, { dispatcher: agent })).resolves.toEqual({
      outcome: 'rejected',
      code: 'SIGNATURE_MISMATCH',
      reason: expect.stringContaining('SIGNATURE_MISMATCH') as string,
    })
  })

  it('rejects a tampered body (the digest no longer matches)', async () => {
    const event = await signedWebhook()
    event.body = new TextEncoder().encode(EXAMPLE_EVENTS.jobLive.replace('"FAILED"', '"SUCCEEDED"'))
    await expect(relayWebhook(event, config, { dispatcher: agent })).resolves.toMatchObject({
      outcome: 'rejected',
      code: 'BODY_DIGEST_MISMATCH',
    })
  })

  it('rejects a delivery without signature headers', async () => {
    const event = await signedWebhook()
    delete event.headers.signature
    await expect(relayWebhook(event, config, { dispatcher: agent })).resolves.toMatchObject({
      outcome: 'rejected',
      code: 'MISSING_HEADER',
      reason: 'signature rejected: MISSING_HEADER (signature)',
    })
  })

  it('rejects a signed body that is not an UP42 envelope', async () => {
    const event = await signedWebhook({ body: '{"hello":"world"}' })
    await expect(relayWebhook(event, config, { dispatcher: agent })).resolves.toMatchObject({
      outcome: 'rejected',
      code: 'MISSING_FIELD',
    })
  })

  it('rejects a stale signature, but accepts it when it arrived in time (receivedAt, as a re-run passes)', async () => {
    const created = Math.floor(Date.now() / 1000) - 3600
    const event = await signedWebhook({ created })
    await expect(relayWebhook(event, config, { dispatcher: agent })).resolves.toMatchObject({
      code: 'TIMESTAMP_TOO_OLD',
    })
    expectForward()
    await expect(
      relayWebhook({ ...event, receivedAt: new Date((created + 5) * 1000) }, config, {
        dispatcher: agent,
      })
    ).resolves.toMatchObject({
      outcome: 'forwarded',
    })
  })

  it('ignores a status that is not notifiable (the test event is PENDING)', async () => {
    const event = await signedWebhook({ body: EXAMPLE_EVENTS.jobTest })
    await expect(relayWebhook(event, config, { dispatcher: agent })).resolves.toEqual({
      outcome: 'ignored',
      reason: 'job.status with status PENDING is not notifiable',
      event: 'job.status',
      status: 'PENDING',
    })
  })

  it('uses the configured statuses instead of the defaults', async () => {
    expectForward()
    const event = await signedWebhook({ body: EXAMPLE_EVENTS.jobTest })
    await expect(
      relayWebhook(event, { ...config, statuses: ['PENDING'] }, { dispatcher: agent })
    ).resolves.toMatchObject({ outcome: 'forwarded' })
  })

  it('calls onValid with the verdict before contacting the receiver, and keys the POST on messageId', async () => {
    const calls: string[] = []
    let key: string | undefined
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/ping', method: 'GET' }).reply(() => {
      calls.push('ping')
      return { statusCode: 200, data: 'PONG' }
    })
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply((opts) => {
      key = (opts.headers as Record<string, string>)['idempotency-key']
      return { statusCode: 200, data: '{"msg": "value with key 4 stored"}' }
    })
    const outcome = await relayWebhook(await signedWebhook(), config, {
      dispatcher: agent,
      fallbackKey: 'trace-1',
      onValid: (verdict) => calls.push(`valid ${verdict.messageId}`),
    })
    expect(outcome).toMatchObject({ outcome: 'forwarded' })
    const messageId = (JSON.parse(EXAMPLE_EVENTS.jobLive) as { messageId: string }).messageId
    expect(calls).toEqual([`valid ${messageId}`, 'ping'])
    expect(key).toBe(messageId)
    const rejected = await relayWebhook(await signedWebhook({ secret: 'other' }), config, {
      dispatcher: agent,
      onValid: () => calls.push('valid again'),
    })
    expect(rejected).toMatchObject({ outcome: 'rejected' })
    expect(calls).toHaveLength(2)
  })

  it('counts ping and POST attempts separately', async () => {
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/ping', method: 'GET' }).reply(503, 'starting')
    pool.intercept({ path: '/ping', method: 'GET' }).reply(200, 'PONG')
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply(503, 'busy')
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply(503, 'busy')
    pool
      .intercept({ path: '/receive-webhooks', method: 'POST' })
      .reply(200, '{"msg": "value with key 5 stored"}')
    const outcome = await relayWebhook(await signedWebhook(), config, {
      dispatcher: agent,
      sleep: async () => {},
    })
    expect(outcome).toMatchObject({
      outcome: 'forwarded',
      key: 5,
      pingAttempts: 2,
      postAttempts: 3,
    })
  })

  it('throws PING_FAILED and does not POST when the ping is not PONG', async () => {
    agent.get(ORIGIN).intercept({ path: '/ping', method: 'GET' }).reply(200, '<!DOCTYPE html>')
    const event = await signedWebhook()
    await expect(relayWebhook(event, config, { dispatcher: agent })).rejects.toMatchObject({
      name: 'ForwardError',
      code: 'PING_FAILED',
      status: 200,
    })
  })

  it('throws RECEIVER_AUTH_FAILED and does not POST when the tunnel refuses the ping with 401', async () => {
    agent.get(ORIGIN).intercept({ path: '/ping', method: 'GET' }).reply(401, 'auth')
    const event = await signedWebhook()
    await expect(relayWebhook(event, config, { dispatcher: agent })).rejects.toMatchObject({
      name: 'ForwardError',
      code: 'RECEIVER_AUTH_FAILED',
      status: 401,
    })
  })

  it('never puts the secret or the password into an outcome or an error', async () => {
    const secrets = [
      config.secret,
      config.password,
      Buffer.from(`relay:${config.password}`).toString('base64'),
    ]
    const texts: string[] = []
    const forged = await signedWebhook({ secret: 'forged' })
    texts.push(JSON.stringify(await relayWebhook(forged, config, { dispatcher: agent })))
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/ping', method: 'GET' }).reply(401, 'who are you')
    pool.intercept({ path: '/ping', method: 'GET' }).reply(200, 'PONG')
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply(403, 'forbidden')
    const event = await signedWebhook()
    for (let i = 0; i < 2; i += 1) {
      const error = (await relayWebhook(event, config, { dispatcher: agent }).catch(
        (e: unknown) => e
      )) as Error
      expect(error.name).toBe('ForwardError')
      texts.push(
        error.message,
        error.stack ?? '',
        JSON.stringify(error),
        inspect(error, { depth: 5 })
      )
    }
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret)
  })
})
