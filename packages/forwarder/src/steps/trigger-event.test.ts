import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { MockAgent } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SECRET, signedTriggerEvent } from '../../test/signed-event.ts'
import type { RelayConfig } from '../core/config.ts'
import { relayWebhook } from '../core/relay-webhook.ts'
import { toDelivery } from './trigger-event.ts'

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

describe('toDelivery', () => {
  it('takes bodyRaw as the body bytes and keeps the headers and the arrival time', async () => {
    const event = await signedTriggerEvent()
    const receivedAt = new Date(1_700_000_000_000)
    const { delivery, bodySource } = toDelivery(event, receivedAt)
    expect(bodySource).toBe('bodyRaw')
    expect(Buffer.from(delivery.body).toString('utf8')).toBe(EXAMPLE_EVENTS.jobLive)
    expect(delivery.headers).toBe(event.headers)
    expect(delivery.receivedAt).toBe(receivedAt)
  })

  it('verifies and forwards JSON.stringify(body) when the trigger gives no bodyRaw', async () => {
    let body: string | undefined
    const pool = agent.get(ORIGIN)
    pool.intercept({ path: '/ping', method: 'GET' }).reply(200, 'PONG')
    pool.intercept({ path: '/receive-webhooks', method: 'POST' }).reply((opts) => {
      body = Buffer.from(opts.body as Uint8Array).toString('utf8')
      return { statusCode: 200, data: '{"msg": "value with key 4 stored"}' }
    })
    const { delivery, bodySource } = toDelivery(
      await signedTriggerEvent({ withBodyRaw: false }),
      new Date()
    )
    expect(bodySource).toBe('reconstructed')
    await expect(relayWebhook(delivery, config, { dispatcher: agent })).resolves.toMatchObject({
      outcome: 'forwarded',
    })
    expect(body).toBe(EXAMPLE_EVENTS.jobLive)
  })

  it('turns a string body or no body into its bytes', () => {
    const text = toDelivery({ headers: {}, body: 'plain text' }, new Date()).delivery.body
    expect(Buffer.from(text).toString('utf8')).toBe('plain text')
    expect(toDelivery({ headers: {} }, new Date()).delivery.body).toHaveLength(0)
  })
})
