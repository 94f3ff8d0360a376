import { ConfigurationError } from '@pipedream/platform'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startNotifyTarget } from '../../test/notify-target.ts'
import { startReceiverStub } from '../../test/receiver-stub.ts'
import { SECRET, signedTriggerEvent } from '../../test/signed-event.ts'
import { runStep, type StepComponent } from '../pipedream-runtime.ts'
import relayStep from './relay.ts'
import validateStep from './validate.ts'

const validate = validateStep as unknown as StepComponent
const relay = relayStep as unknown as StepComponent
const ENV_KEYS = [
  'UP42_WEBHOOK_SECRET',
  'NOTIFY',
  'RECEIVER_URL',
  'RECEIVER_USER',
  'RECEIVER_PASSWORD',
  'FORWARD_BUDGET',
]
const saved = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]))

function setEnv(values: Record<string, string>): void {
  for (const key of ENV_KEYS) delete process.env[key]
  Object.assign(process.env, values)
}

let target: Awaited<ReturnType<typeof startNotifyTarget>>
beforeAll(async () => {
  target = await startNotifyTarget()
})
afterEach(() => {
  setEnv({})
  target.requests.length = 0
  target.replies.length = 0
})
afterAll(async () => {
  for (const [key, value] of Object.entries(saved))
    if (value !== undefined) process.env[key] = value
  await target.close()
})

describe('validate step with NOTIFY', () => {
  it('notifies straight from the step and exports the masked results', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET, NOTIFY: `slack+${target.url}/services/T/B/SLACKTOKEN` })
    const run = await runStep(validate, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.returnValue).toMatchObject({ event: 'job.status', status: 'FAILED' })
    expect(target.requests).toHaveLength(1)
    expect(target.requests[0]!.headers['idempotency-key']).toBe(
      '258270de-58f8-42da-aea6-e7a07d2667f7:slack'
    )
    expect(JSON.parse(target.requests[0]!.body).blocks[0].text.text).toBe('Job 6dbe8956 FAILED')
    expect(run.exports.notifications).toEqual([
      expect.objectContaining({
        destination: `slack+${target.url}/services/T/B/***`,
        outcome: 'delivered',
        status: 200,
      }),
    ])
    expect(run.exports.notify_warning).toBeUndefined()
  })

  it('takes the notify prop', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET })
    const run = await runStep(validate, {
      event: await signedTriggerEvent(),
      props: { notify: `json+${target.url}/app` },
    })
    expect(run.exports.notifications).toEqual([expect.objectContaining({ outcome: 'delivered' })])
    expect(JSON.parse(target.requests[0]!.body)).toMatchObject({ event: 'job.status', test: false })
  })

  it('does not fail the step when a notification fails; it warns, masked', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET, NOTIFY: `slack+${target.url}/services/T/B/SLACKTOKEN` })
    target.replies.push({ status: 403, body: 'invalid_token SLACKTOKEN' })
    const run = await runStep(validate, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.exports.verdict).toBeDefined()
    expect(run.exports.notify_warning).toBe(
      `Not notified: slack+${target.url}/services/T/B/*** (HTTP 403 Forbidden)`
    )
    expect(JSON.stringify(run.exports)).not.toContain('SLACKTOKEN')
  })

  it('tells nobody about a status that is not notifiable', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET, NOTIFY: `json+${target.url}/app` })
    const run = await runStep(validate, {
      event: await signedTriggerEvent({ body: EXAMPLE_EVENTS.jobTest }),
    })
    expect(run.exitReason).toMatch(/not notifiable/)
    expect(target.requests).toHaveLength(0)
  })

  it.each(['desktop:', 'cmd:notify-me'])(
    'refuses %s in Pipedream with a ConfigurationError saying where it runs',
    async (value) => {
      setEnv({ UP42_WEBHOOK_SECRET: SECRET, NOTIFY: value })
      const run = await runStep(validate, { event: await signedTriggerEvent() })
      expect(run.error).toBeInstanceOf(ConfigurationError)
      expect((run.error as Error).message).toContain('accepted by the local relay and the receiver')
      expect((run.error as { variable?: string }).variable).toBe('NOTIFY')
    }
  )
})

describe('relay step with NOTIFY', () => {
  let receiver: Awaited<ReturnType<typeof startReceiverStub>>
  beforeAll(async () => {
    receiver = await startReceiverStub()
  })
  afterEach(() => {
    receiver.requests.length = 0
    receiver.setPostStatus(200)
  })
  afterAll(() => receiver.close())
  const relayEnv = (values: Record<string, string>) =>
    setEnv({
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      ...values,
    })

  it('notifies straight from the step, as validate does, and forwards', async () => {
    relayEnv({ NOTIFY: `slack+${target.url}/services/T/B/SLACKTOKEN` })
    const run = await runStep(relay, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.exports.outcome).toMatchObject({ outcome: 'forwarded' })
    expect(receiver.posts()).toHaveLength(1)
    expect(target.requests).toHaveLength(1)
    expect(target.requests[0]!.headers['idempotency-key']).toBe(
      '258270de-58f8-42da-aea6-e7a07d2667f7:slack'
    )
    expect(JSON.parse(target.requests[0]!.body).blocks[0].text.text).toBe('Job 6dbe8956 FAILED')
    expect(run.exports.notifications).toEqual([
      expect.objectContaining({
        destination: `slack+${target.url}/services/T/B/***`,
        outcome: 'delivered',
        status: 200,
      }),
    ])
    expect(run.exports.notify_warning).toBeUndefined()
  })

  it('takes the notify prop', async () => {
    relayEnv({})
    const run = await runStep(relay, {
      event: await signedTriggerEvent(),
      props: { notify: `json+${target.url}/app` },
    })
    expect(run.exports.notifications).toEqual([expect.objectContaining({ outcome: 'delivered' })])
    expect(JSON.parse(target.requests[0]!.body)).toMatchObject({ event: 'job.status', test: false })
  })

  it('does not fail the step when a notification fails; it warns, masked, and still forwards', async () => {
    relayEnv({ NOTIFY: `slack+${target.url}/services/T/B/SLACKTOKEN` })
    target.replies.push({ status: 403, body: 'invalid_token SLACKTOKEN' })
    const run = await runStep(relay, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.exports.outcome).toMatchObject({ outcome: 'forwarded' })
    expect(run.exports.notify_warning).toBe(
      `Not notified: slack+${target.url}/services/T/B/*** (HTTP 403 Forbidden)`
    )
    expect(JSON.stringify(run.exports)).not.toContain('SLACKTOKEN')
  })

  it('tells nobody about a rejected or a not notifiable webhook', async () => {
    relayEnv({ NOTIFY: `json+${target.url}/app` })
    const forged = await runStep(relay, { event: await signedTriggerEvent({ secret: 'forged' }) })
    expect(forged.exitReason).toMatch(/SIGNATURE_MISMATCH/)
    const testJob = await runStep(relay, {
      event: await signedTriggerEvent({ body: EXAMPLE_EVENTS.jobTest }),
    })
    expect(testJob.exitReason).toMatch(/not notifiable/)
    expect(target.requests).toHaveLength(0)
    expect(receiver.posts()).toHaveLength(0)
  })

  it('notifies on the first run while the receiver is down, and not again on the re-run', async () => {
    relayEnv({ NOTIFY: `json+${target.url}/app`, FORWARD_BUDGET: '300ms' })
    receiver.setPostStatus(503)
    const event = await signedTriggerEvent()
    const first = await runStep(relay, { event })
    expect(first.exports.outcome).toMatchObject({ outcome: 'rerun-scheduled' })
    expect(first.exports.notifications).toEqual([expect.objectContaining({ outcome: 'delivered' })])
    receiver.setPostStatus(200)
    const rerun = await runStep(relay, { event, runs: 2, rerunContext: first.rerun?.context })
    expect(rerun.exports.outcome).toMatchObject({ outcome: 'forwarded' })
    expect(rerun.exports.notifications).toBeUndefined()
    expect(target.requests).toHaveLength(1)
  })

  it('has notified (and exported it) when the forward then fails the step', async () => {
    relayEnv({ NOTIFY: `json+${target.url}/app` })
    receiver.setPostStatus(400)
    const run = await runStep(relay, { event: await signedTriggerEvent() })
    expect(run.error).toMatchObject({ code: 'RECEIVER_REJECTED' })
    expect(run.exports.notifications).toEqual([expect.objectContaining({ outcome: 'delivered' })])
    expect(target.requests).toHaveLength(1)
  })

  it.each(['desktop:', 'cmd:notify-me'])(
    'refuses %s in Pipedream with a ConfigurationError before contacting anyone',
    async (value) => {
      relayEnv({ NOTIFY: value })
      const run = await runStep(relay, { event: await signedTriggerEvent() })
      expect(run.error).toBeInstanceOf(ConfigurationError)
      expect((run.error as Error).message).toContain('accepted by the local relay and the receiver')
      expect((run.error as { variable?: string }).variable).toBe('NOTIFY')
      expect(receiver.requests).toHaveLength(0)
    }
  )
})
