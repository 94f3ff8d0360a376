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
      jobId: 'job-1',
    })
    expect(parseEvent(body)).toMatchObject({
      event: 'job.status',
      liveMode: true,
      messageId: 'm-1',
      timestamp: '2026-03-01T12:00:00.000Z',
      status: 'CANCELLED',
      jobId: 'job-1',
    })
    // The tasks' log URLs name the same job; the article's id is gone.
    expect(body).toContain('/jobs/job-1/tasks/')
    expect(body).not.toContain('6dbe8956-b8c5-47b3-9f56-b1686628aa19')
  })

  it('makes a fresh job or order id (a random UUID) unless one is pinned', () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
    const jobs = [true, false, false].map(
      (live) => parseEvent(buildSimulatedEvent({ event: 'job.status', live })).jobId
    )
    const orders = [1, 2].map(
      () => parseEvent(buildSimulatedEvent({ event: 'order.status', live: true })).orderId
    )
    for (const id of [...jobs, ...orders]) expect(id).toMatch(uuid)
    expect(new Set([...jobs, ...orders]).size).toBe(5)
    const pinned = buildSimulatedEvent({ event: 'order.status', live: true, orderId: 'o-7' })
    expect(parseEvent(pinned)).toMatchObject({ orderId: 'o-7' })
  })

  it('defaults to a notifiable status and a test event', () => {
    const job = parseEvent(buildSimulatedEvent({ event: 'job.status', live: false }))
    expect(job).toMatchObject({ liveMode: false, status: 'FAILED' })
    const order = parseEvent(buildSimulatedEvent({ event: 'order.status', live: false }))
    expect(order).toMatchObject({ liveMode: false, status: 'FULFILLED' })
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

  it('leaves a URL without credentials as it is', () => {
    expect(targetOf('http://127.0.0.1:1/receive-webhooks')).toEqual({
      url: 'http://127.0.0.1:1/receive-webhooks',
      headers: {},
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

  it('reads --job-id and --order-id', () => {
    const base = ['--url', 'http://x/', '--secret', 's']
    expect(parseSimulateArgs([...base, '--job-id', 'J-1'], {})).toMatchObject({ jobId: 'J-1' })
    expect(
      parseSimulateArgs([...base, '--event', 'order.status', '--order-id', 'o_2'], {})
    ).toMatchObject({ orderId: 'o_2' })
    expect(parseSimulateArgs(base, {})).not.toHaveProperty('jobId')
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
    [['--url', 'http://x/', '--secret', 's', '--job-id', 'a"b'], /--job-id must be an id/],
    [['--url', 'http://x/', '--secret', 's', '--order-id', 'o'], /--order-id needs --event order/],
    [
      ['--url', 'http://x/', '--secret', 's', '--event', 'order.status', '--job-id', 'j'],
      /--job-id needs/,
    ],
  ])('rejects %j', (argv, message) => {
    expect(() => parseSimulateArgs(argv, {})).toThrow(UsageError)
    expect(() => parseSimulateArgs(argv, {})).toThrow(message)
  })
})
