import { parseEvent, verifyWebhook } from '@up42-webhooks/shared'
import { describe, expect, it } from 'vitest'
import { SECRET } from '../test/signed-event.ts'
import {
  buildSimulatedEvent,
  parseSimulateArgs,
  signedDelivery,
  targetOf,
  UsageError,
} from './simulate.ts'

describe('buildSimulatedEvent', () => {
  it('takes the article example with a fresh messageId, timestamp and the requested status', () => {
    const now = new Date('2026-03-01T12:00:00.000Z')
    const body = buildSimulatedEvent({
      event: 'job.status',
      live: true,
      status: 'CANCELLED',
      now,
      messageId: 'm-1',
    })
    expect(parseEvent(body)).toMatchObject({
      event: 'job.status',
      liveMode: true,
      messageId: 'm-1',
      timestamp: '2026-03-01T12:00:00.000Z',
      status: 'CANCELLED',
      jobId: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
    })
  })

  it('defaults to a notifiable status and a test event', () => {
    const job = parseEvent(buildSimulatedEvent({ event: 'job.status', live: false }))
    expect(job).toMatchObject({
      liveMode: false,
      status: 'FAILED',
      jobId: 'FB0DA199-01DF-4635-910D-A823AE7DC200',
    })
    const order = parseEvent(buildSimulatedEvent({ event: 'order.status', live: false }))
    expect(order).toMatchObject({
      liveMode: false,
      status: 'FULFILLED',
      orderId: '86296865-9e91-4a16-9a3c-d4eaa584c03e',
    })
    expect(job.messageId).not.toBe(
      parseEvent(buildSimulatedEvent({ event: 'job.status', live: false })).messageId
    )
  })
})

describe('signedDelivery', () => {
  it('produces headers that verify against the body', async () => {
    const delivery = await signedDelivery(
      buildSimulatedEvent({ event: 'order.status', live: true }),
      SECRET
    )
    const verified = await verifyWebhook(delivery, { secret: SECRET })
    expect(verified.bodyCovered).toBe(true)
    expect(delivery.headers['content-type']).toBe('application/json')
  })
})

describe('targetOf', () => {
  it('turns URL credentials into basic auth', () => {
    expect(targetOf('http://u:p%40ss@127.0.0.1:1/receive-webhooks')).toEqual({
      url: 'http://127.0.0.1:1/receive-webhooks',
      headers: { authorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}` },
    })
  })
})

describe('parseSimulateArgs', () => {
  it('reads every flag and ignores the -- pnpm passes along', () => {
    expect(
      parseSimulateArgs(
        [
          '--',
          '--url',
          'http://127.0.0.1:8787/',
          '--secret',
          's',
          '--event',
          'order.status',
          '--status',
          'failed_permanently',
          '--live',
          '--count',
          '3',
        ],
        {}
      )
    ).toEqual({
      url: 'http://127.0.0.1:8787/',
      secret: 's',
      event: 'order.status',
      status: 'FAILED_PERMANENTLY',
      live: true,
      count: 3,
    })
  })

  it('takes the secret from UP42_WEBHOOK_SECRET', () => {
    expect(parseSimulateArgs(['--url', 'http://x/'], { UP42_WEBHOOK_SECRET: 'env' })).toMatchObject(
      { secret: 'env', count: 1 }
    )
  })

  it.each([
    [[], /--url is required/],
    [['--url', 'http://x/'], /--secret is required/],
    [['--url', 'nope', '--secret', 's'], /absolute http/],
    [['--url', 'http://x/', '--secret', 's', '--event', 'task.status'], /--event must be/],
    [['--url', 'http://x/', '--secret', 's', '--count', '0'], /--count/],
    [['--url', 'http://x/', '--secret', 's', '--status', 'a;b'], /--status/],
    [['--url', 'http://x/', '--secret', 's', '--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSimulateArgs(argv, {})).toThrow(UsageError)
    expect(() => parseSimulateArgs(argv, {})).toThrow(message)
  })
})
