import { DestinationConfigError } from '@up42-webhooks/destinations'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startNotifyTarget } from '../../test/notify-target.ts'
import {
  MAX_NOTIFY_RETRY_WAIT_MS,
  notifyDestinations,
  resolveNotifyConfig,
  type NotifyConfig,
} from './notify.ts'

const MESSAGE_ID = '258270de-58f8-42da-aea6-e7a07d2667f7'
const delivery = {
  headers: {},
  body: new TextEncoder().encode(EXAMPLE_EVENTS.jobLive),
  receivedAt: new Date('2022-07-25T16:02:35Z'),
}

function configError(run: () => unknown): DestinationConfigError {
  try {
    run()
  } catch (error) {
    if (error instanceof DestinationConfigError) return error
    throw error
  }
  throw new Error('expected a DestinationConfigError')
}

describe('resolveNotifyConfig', () => {
  it('is nobody when neither the prop nor NOTIFY is set', () => {
    expect(resolveNotifyConfig({}, {}, { allowLocal: false }).destinations).toEqual([])
    expect(
      resolveNotifyConfig({ notify: ' ' }, { NOTIFY: '' }, { allowLocal: false }).destinations
    ).toEqual([])
  })

  it('takes the prop over NOTIFY', () => {
    const config = resolveNotifyConfig(
      { notify: 'https://ntfy.sh/from-prop' },
      { NOTIFY: 'https://ntfy.sh/from-env' },
      { allowLocal: false }
    )
    expect(config.destinations.map((d) => d.target)).toEqual(['https://ntfy.sh/from-prop'])
  })

  it('names NOTIFY (or the prop) in a DestinationConfigError, never the secret', () => {
    const error = configError(() =>
      resolveNotifyConfig(
        {},
        { NOTIFY: 'https://user:hunter2@example.com/x' },
        { allowLocal: false }
      )
    )
    expect(error.variable).toBe('NOTIFY')
    expect(error.code).toBe('INVALID_DESTINATION')
    expect(error.message).toMatch(/^NOTIFY: https:\/\/example\.com is no known notification host/)
    expect(error.message).not.toContain('hunter2')
    const fromProp = configError(() =>
      resolveNotifyConfig({ notify: 'nope' }, {}, { allowLocal: false })
    )
    expect(fromProp.variable).toBe('prop notify')
    expect(fromProp.message).toMatch(/^prop notify: /)
  })

  it('refuses desktop: and cmd: where they cannot run, and accepts them where they can', () => {
    for (const value of ['desktop:', 'cmd:say done']) {
      const error = configError(() =>
        resolveNotifyConfig({}, { NOTIFY: value }, { allowLocal: false })
      )
      expect(error.message).toContain('accepted by the local relay and the receiver, not here')
      expect(
        resolveNotifyConfig({}, { NOTIFY: value }, { allowLocal: true }).destinations
      ).toHaveLength(1)
    }
  })
})

describe('notifyDestinations', () => {
  let target: Awaited<ReturnType<typeof startNotifyTarget>>
  beforeAll(async () => {
    target = await startNotifyTarget()
  })
  beforeEach(() => {
    target.requests.length = 0
    target.replies.length = 0
  })
  afterAll(() => target.close())

  const configFor = (notify: string): NotifyConfig =>
    resolveNotifyConfig({ notify }, {}, { allowLocal: false })

  it('sends each destination the notice with Idempotency-Key <messageId>:<name>, URLs masked in results', async () => {
    const config = configFor(`slack+${target.url}/services/T/B/SLACKTOKEN json+${target.url}/app`)
    const results = await notifyDestinations(delivery, MESSAGE_ID, config)
    expect(results).toEqual([
      {
        name: 'slack',
        destination: `slack+${target.url}/services/T/B/***`,
        outcome: 'delivered',
        status: 200,
        error: null,
        responseExcerpt: 'ok',
        attempts: 1,
      },
      expect.objectContaining({ name: 'json', outcome: 'delivered', attempts: 1 }),
    ])
    const keys = target.requests.map((request) => request.headers['idempotency-key']).sort()
    expect(keys).toEqual([`${MESSAGE_ID}:json`, `${MESSAGE_ID}:slack`])
    const slack = target.requests.find((request) => request.path.startsWith('/services'))!
    expect(JSON.parse(slack.body).text).toMatch(/^Job 6dbe8956 FAILED/)
  })

  it('tries once more after a retry outcome, waiting Retry-After capped, and stops after a 4xx', async () => {
    const waits: number[] = []
    const sleep = async (ms: number) => {
      waits.push(ms)
    }
    target.replies.push({ status: 503, headers: { 'retry-after': '120' } })
    const retried = await notifyDestinations(
      delivery,
      MESSAGE_ID,
      configFor(`json+${target.url}/a`),
      {
        sleep,
      }
    )
    expect(retried[0]).toMatchObject({ outcome: 'delivered', attempts: 2 })
    expect(waits).toEqual([MAX_NOTIFY_RETRY_WAIT_MS])

    target.replies.push({ status: 404, body: 'no such hook' })
    const failed = await notifyDestinations(
      delivery,
      MESSAGE_ID,
      configFor(`json+${target.url}/a`),
      {
        sleep,
      }
    )
    expect(failed[0]).toMatchObject({
      outcome: 'failed',
      status: 404,
      attempts: 1,
      responseExcerpt: 'no such hook',
    })
  })

  it('sends nothing for no destinations', async () => {
    expect(await notifyDestinations(delivery, MESSAGE_ID, configFor(''))).toEqual([])
    expect(target.requests).toHaveLength(0)
  })
})
