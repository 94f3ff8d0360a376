import { ConfigurationError } from '@pipedream/platform'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closedPortUrl } from '@up42-webhooks/test-support'
import { startReceiverStub } from '../../test/receiver-stub.ts'
import {
  FORGED_BODY,
  resplitTriggerEvent,
  SECRET,
  signedTriggerEvent,
} from '../../test/signed-event.ts'
import { runStep, type StepComponent } from '../pipedream-runtime.ts'
import forwardStep from './forward.ts'
import relayStep from './relay.ts'
import validateStep from './validate.ts'

const validate = validateStep as unknown as StepComponent
const forward = forwardStep as unknown as StepComponent
const relay = relayStep as unknown as StepComponent

const ENV_KEYS = [
  'UP42_WEBHOOK_SECRET',
  'up42_webhook_secret_zwei',
  'up42_webhook_secret',
  'RECEIVER_URL',
  'local_dev_host',
  'RECEIVER_USER',
  'ngrok_basic_auth_user',
  'RECEIVER_PASSWORD',
  'ngrok_basic_auth_pass',
  'NOTIFIABLE_STATUSES',
  'FORWARD_RERUN_SCHEDULE',
  'FORWARD_MAX_WAIT',
  'FORWARD_BUDGET',
  'REQUIRE_BODY_DIGEST',
]
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]))

function setEnv(values: Record<string, string>): void {
  for (const key of ENV_KEYS) delete process.env[key]
  Object.assign(process.env, values)
}

let receiver: Awaited<ReturnType<typeof startReceiverStub>>

beforeAll(async () => {
  receiver = await startReceiverStub()
})

afterEach(() => {
  setEnv({})
  receiver.requests.length = 0
  receiver.setPassword(undefined)
  receiver.setPingStatus(200)
})

afterAll(async () => {
  for (const [key, value] of Object.entries(savedEnv))
    if (value !== undefined) process.env[key] = value
  await receiver.close()
})

const trigger = { id: 'exec-1', trace_id: 'trace-1', ts: '2026-01-01T00:00:00Z' }

describe('validate step', () => {
  it('exports the verdict and returns it for a valid webhook', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET })
    const run = await runStep(validate, {
      event: await signedTriggerEvent(),
      triggerContext: trigger,
    })
    expect(run.error).toBeUndefined()
    expect(run.exitReason).toBeUndefined()
    expect(run.exports.verdict).toMatchObject({
      event: 'job.status',
      status: 'FAILED',
      bodyCovered: true,
    })
    expect(run.exports.$summary).toBe(
      'Valid live job.status FAILED for 6dbe8956-b8c5-47b3-9f56-b1686628aa19'
    )
    expect(run.returnValue).toEqual(run.exports.verdict)
  })

  it('warns when it had to verify a re-serialised body (no bodyRaw from the trigger)', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET })
    const withRaw = await runStep(validate, { event: await signedTriggerEvent() })
    expect(withRaw.exports.warning).toBeUndefined()
    const run = await runStep(validate, { event: await signedTriggerEvent({ withBodyRaw: false }) })
    expect(run.exports.verdict).toMatchObject({ bodySource: 'reconstructed' })
    expect(run.exports.warning).toMatch(/no event\.bodyRaw/)
  })

  it('exits the workflow with a summary when the signature is wrong', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: 'not-the-secret' })
    const run = await runStep(validate, { event: await signedTriggerEvent() })
    expect(run.exitReason).toBe('signature rejected: SIGNATURE_MISMATCH (signature)')
    expect(run.exports.$summary).toBe(
      'Rejected: signature rejected: SIGNATURE_MISMATCH (signature)'
    )
    expect(run.exports.outcome).toMatchObject({ outcome: 'rejected', code: 'SIGNATURE_MISMATCH' })
  })

  it('exits for a status that is not notifiable', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET, NOTIFIABLE_STATUSES: 'SUCCEEDED' })
    const run = await runStep(validate, { event: await signedTriggerEvent() })
    expect(run.exitReason).toBe('job.status with status FAILED is not notifiable')
    expect(run.exports.verdict).toBeUndefined()
  })

  it.each(['up42_webhook_secret_zwei', 'up42_webhook_secret'])(
    'reads the secret from the original variable %s',
    async (name) => {
      setEnv({ [name]: SECRET })
      const run = await runStep(validate, { event: await signedTriggerEvent() })
      expect(run.exports.verdict).toBeDefined()
    }
  )

  it('prefers the secret prop over the environment', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: 'wrong' })
    const run = await runStep(validate, {
      event: await signedTriggerEvent(),
      props: { secret: SECRET },
    })
    expect(run.exports.verdict).toBeDefined()
  })

  it('fails with a ConfigurationError naming the variable when no secret is set', async () => {
    setEnv({})
    const run = await runStep(validate, { event: await signedTriggerEvent() })
    expect(run.error).toBeInstanceOf(ConfigurationError)
    expect(run.error).toMatchObject({ name: 'ConfigurationError', variable: 'UP42_WEBHOOK_SECRET' })
    expect((run.error as Error).message).toMatch(/^UP42_WEBHOOK_SECRET is not set/)
  })

  it('reports a bad setting of the forward and relay steps as a ConfigurationError, never its value', async () => {
    setEnv({
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_URL: 'not-a-url-hunter3',
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
    })
    for (const step of [forward, relay]) {
      const run = await runStep(step, { event: await signedTriggerEvent() })
      expect(run.error).toBeInstanceOf(ConfigurationError)
      expect(run.error).toMatchObject({ variable: 'RECEIVER_URL' })
      expect((run.error as Error).message).not.toContain('hunter3')
    }
    setEnv({
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      FORWARD_RERUN_SCHEDULE: 'soon-hunter3',
    })
    const run = await runStep(forward, { event: await signedTriggerEvent() })
    expect(run.error).toMatchObject({
      name: 'ConfigurationError',
      variable: 'FORWARD_RERUN_SCHEDULE',
    })
    expect((run.error as Error).message).not.toContain('hunter3')
    expect(receiver.requests).toHaveLength(0)
  })
})

describe('forward step', () => {
  it('forwards with the original variable names and exports the reply', async () => {
    setEnv({
      local_dev_host: receiver.url,
      ngrok_basic_auth_user: 'u',
      ngrok_basic_auth_pass: 'p',
    })
    const event = await signedTriggerEvent()
    const run = await runStep(forward, { event, triggerContext: trigger })
    expect(run.error).toBeUndefined()
    expect(run.exports.reply).toEqual({ msg: 'value with key 1 stored' })
    expect(run.exports.$summary).toBe(
      `Forwarded to ${receiver.url}: stored as key 1 (HTTP 200; POST attempts 1, pings 1)`
    )
    expect(run.returnValue).toMatchObject({
      outcome: 'forwarded',
      key: 1,
      postAttempts: 1,
      pingAttempts: 1,
    })
    const [post] = receiver.posts()
    expect(post?.body.toString('utf8')).toBe(EXAMPLE_EVENTS.jobLive)
    expect(post?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`)
    expect(post?.headers.signature).toBe(event.headers.signature)
    expect(post?.headers['idempotency-key']).toBe('258270de-58f8-42da-aea6-e7a07d2667f7')
  })

  it('schedules a re-run with the first delay when the receiver is unreachable', async () => {
    setEnv({
      RECEIVER_URL: await closedPortUrl(),
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      FORWARD_BUDGET: '300ms',
    })
    const run = await runStep(forward, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.rerun).toMatchObject({ delayMs: 15_000, maxRetries: 26 })
    expect(run.returnValue).toMatchObject({
      outcome: 'rerun-scheduled',
      code: 'RECEIVER_UNREACHABLE',
      run: 1,
    })
    expect(run.exports.$summary).toBe(
      'Receiver not reachable (RECEIVER_UNREACHABLE); re-run 1 of 26 in 15 s'
    )
  })

  it('grows the delay on later runs and passes the first run’s time along', async () => {
    setEnv({
      RECEIVER_URL: await closedPortUrl(),
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      FORWARD_BUDGET: '300ms',
    })
    const event = await signedTriggerEvent()
    const first = await runStep(forward, { event })
    const second = await runStep(forward, { event, runs: 2, rerunContext: first.rerun?.context })
    const third = await runStep(forward, { event, runs: 3, rerunContext: second.rerun?.context })
    expect([first, second, third].map((r) => r.rerun?.delayMs)).toEqual([15_000, 60_000, 300_000])
    expect(third.rerun?.context).toEqual(first.rerun?.context)
  })

  it('throws a clear error when the schedule is used up, so Pipedream notifies', async () => {
    setEnv({
      RECEIVER_URL: await closedPortUrl(),
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
      FORWARD_BUDGET: '300ms',
      FORWARD_RERUN_SCHEDULE: '1m,5m',
      FORWARD_MAX_WAIT: '11m',
    })
    const event = await signedTriggerEvent()
    const third = await runStep(forward, { event, runs: 3, rerunContext: { firstRunAt: 1 } })
    expect(third.rerun).toEqual({ delayMs: 300_000, context: { firstRunAt: 1 }, maxRetries: 3 })
    const fourth = await runStep(forward, { event, runs: 4, rerunContext: { firstRunAt: 1 } })
    expect(fourth.rerun).toBeUndefined()
    expect(fourth.error).toMatchObject({
      name: 'GiveUpError',
      code: 'RECEIVER_UNREACHABLE',
      runs: 4,
    })
    expect((fourth.error as Error).message).toMatch(
      /^Gave up forwarding after 4 runs over 11 min: POST|GET/
    )
  })

  it('does not re-run a rejection by the receiver: the step fails at once', async () => {
    const rejecting = await startReceiverStub({ postStatus: 400 })
    try {
      setEnv({ RECEIVER_URL: rejecting.url, RECEIVER_USER: 'u', RECEIVER_PASSWORD: 'p' })
      const run = await runStep(forward, { event: await signedTriggerEvent() })
      expect(run.rerun).toBeUndefined()
      expect(run.error).toMatchObject({
        name: 'ForwardError',
        code: 'RECEIVER_REJECTED',
        status: 400,
      })
    } finally {
      await rejecting.close()
    }
  })

  it('re-runs a 401 from the receiver (wrong password) and delivers once the password is corrected', async () => {
    receiver.setPassword('right')
    const env = { RECEIVER_URL: receiver.url, RECEIVER_USER: 'u', FORWARD_BUDGET: '300ms' }
    setEnv({ ...env, RECEIVER_PASSWORD: 'wrong-password' })
    const event = await signedTriggerEvent()
    const first = await runStep(forward, { event, triggerContext: trigger })
    expect(first.error).toBeUndefined()
    expect(first.rerun).toMatchObject({ delayMs: 15_000, maxRetries: 26 })
    expect(first.returnValue).toMatchObject({
      outcome: 'rerun-scheduled',
      code: 'RECEIVER_AUTH_FAILED',
      status: 401,
      run: 1,
    })
    expect(first.exports.$summary).toBe(
      `Receiver refused the request (RECEIVER_AUTH_FAILED): POST ${receiver.url}/receive-webhooks answered 401 "unauthorized": check RECEIVER_USER and RECEIVER_PASSWORD; re-run 1 of 26 in 15 s`
    )
    expect(JSON.stringify(first.exports)).not.toContain('wrong-password')

    // Pipedream reads the environment again on the re-run: the corrected password delivers.
    setEnv({ ...env, RECEIVER_PASSWORD: 'right' })
    const second = await runStep(forward, {
      event,
      triggerContext: trigger,
      runs: 2,
      rerunContext: first.rerun?.context,
    })
    expect(second.rerun).toBeUndefined()
    expect(second.exports.outcome).toMatchObject({ outcome: 'forwarded', status: 200 })
    const stored = receiver.requests.filter(
      (r) =>
        r.path === '/receive-webhooks' &&
        r.headers.authorization?.endsWith(Buffer.from('u:right').toString('base64'))
    )
    expect(stored).toHaveLength(1)
  })

  it('re-runs a 403 on the ping (the tunnel refusing the credentials) instead of failing', async () => {
    receiver.setPingStatus(403)
    setEnv({ RECEIVER_URL: receiver.url, RECEIVER_USER: 'u', RECEIVER_PASSWORD: 'p' })
    const run = await runStep(forward, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.returnValue).toMatchObject({
      outcome: 'rerun-scheduled',
      code: 'RECEIVER_AUTH_FAILED',
      status: 403,
    })
    expect(run.exports.$summary).toMatch(
      /^Receiver refused the request \(RECEIVER_AUTH_FAILED\): GET .*\/ping answered 403: check RECEIVER_USER and RECEIVER_PASSWORD; re-run 1 of 26 in 15 s$/
    )
    expect(receiver.posts()).toHaveLength(0)
  })

  it('keeps the password out of every export and error', async () => {
    const password = 'pw-that-must-not-leak'
    setEnv({
      RECEIVER_URL: await closedPortUrl(),
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: password,
      FORWARD_BUDGET: '300ms',
      FORWARD_MAX_WAIT: '1s',
    })
    const run = await runStep(forward, { event: await signedTriggerEvent() })
    expect(run.error).toMatchObject({ name: 'GiveUpError' })
    const error = run.error as Error
    const texts = [
      JSON.stringify(run.exports),
      error.message,
      error.stack ?? '',
      JSON.stringify(error),
      String(error.cause),
    ]
    for (const text of texts) {
      expect(text).not.toContain(password)
      expect(text).not.toContain(Buffer.from(`u:${password}`).toString('base64'))
    }
  })
})

describe('relay step', () => {
  it('validates and forwards in one step', async () => {
    setEnv({
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
    })
    const run = await runStep(relay, {
      event: await signedTriggerEvent({ body: EXAMPLE_EVENTS.orderLive }),
    })
    expect(run.error).toBeUndefined()
    expect(run.exports.verdict).toMatchObject({ event: 'order.status', status: 'FULFILLED' })
    expect(run.exports.outcome).toMatchObject({ outcome: 'forwarded', key: 1 })
    expect(receiver.posts()[0]?.body.toString('utf8')).toBe(EXAMPLE_EVENTS.orderLive)
  })

  it('re-runs when the receiver refuses its password, saying so in $summary and outcome', async () => {
    receiver.setPassword('right')
    setEnv({
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'stale',
    })
    const run = await runStep(relay, { event: await signedTriggerEvent() })
    expect(run.error).toBeUndefined()
    expect(run.rerun).toMatchObject({ delayMs: 15_000 })
    expect(run.exports.outcome).toMatchObject({
      outcome: 'rerun-scheduled',
      code: 'RECEIVER_AUTH_FAILED',
      status: 401,
    })
    expect(run.exports.$summary).toMatch(
      /^Receiver refused the request \(RECEIVER_AUTH_FAILED\): .*check RECEIVER_USER and RECEIVER_PASSWORD; re-run 1 of 26 in 15 s$/
    )
  })

  it('exits without any request when the webhook is invalid', async () => {
    setEnv({
      UP42_WEBHOOK_SECRET: 'other',
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
    })
    const run = await runStep(relay, { event: await signedTriggerEvent() })
    expect(run.exitReason).toBe('signature rejected: SIGNATURE_MISMATCH (signature)')
    expect(receiver.requests).toHaveLength(0)
  })

  it('on a re-run verifies the signature as of the first run, so a delay does not reject it', async () => {
    setEnv({
      UP42_WEBHOOK_SECRET: SECRET,
      RECEIVER_URL: receiver.url,
      RECEIVER_USER: 'u',
      RECEIVER_PASSWORD: 'p',
    })
    const created = Math.floor(Date.now() / 1000) - 3600
    const event = await signedTriggerEvent({ created })
    const late = await runStep(relay, { event })
    expect(late.exitReason).toBe('signature rejected: TIMESTAMP_TOO_OLD (signature-input)')
    const rerun = await runStep(relay, {
      event,
      runs: 2,
      rerunContext: { firstRunAt: created + 10 },
    })
    expect(rerun.exports.outcome).toMatchObject({ outcome: 'forwarded' })
  })
})

describe('the re-split forgery of a two-hour-old delivery (issue 9)', () => {
  const relayEnv = () => ({
    UP42_WEBHOOK_SECRET: SECRET,
    RECEIVER_URL: receiver.url,
    RECEIVER_USER: 'u',
    RECEIVER_PASSWORD: 'p',
  })

  it('is rejected by the validate step', async () => {
    setEnv({ UP42_WEBHOOK_SECRET: SECRET })
    const run = await runStep(validate, { event: await resplitTriggerEvent() })
    expect(run.exitReason).toBe('signature rejected: MALFORMED_HEADER (date)')
    expect(run.exports.outcome).toMatchObject({ outcome: 'rejected', code: 'MALFORMED_HEADER' })
    expect(run.exports.verdict).toBeUndefined()
  })

  it('is rejected by the relay step without any request to the receiver', async () => {
    setEnv(relayEnv())
    const run = await runStep(relay, { event: await resplitTriggerEvent() })
    expect(run.exitReason).toBe('signature rejected: MALFORMED_HEADER (date)')
    expect(receiver.requests).toHaveLength(0)
  })

  it('moved into a header of unknown grammar, is forwarded only as bodyCovered: false, and REQUIRE_BODY_DIGEST refuses it', async () => {
    setEnv(relayEnv())
    const event = await resplitTriggerEvent('x-anything')
    const lenient = await runStep(relay, { event })
    expect(lenient.exports.verdict).toMatchObject({ bodyCovered: false, status: 'SUCCEEDED' })
    expect(receiver.posts()[0]?.body.toString('utf8')).toBe(FORGED_BODY)
    receiver.requests.length = 0

    setEnv({ ...relayEnv(), REQUIRE_BODY_DIGEST: '1' })
    for (const step of [relay, validate]) {
      const run = await runStep(step, { event })
      expect(run.exitReason).toBe('signature rejected: BODY_NOT_SIGNED (signature-input)')
    }
    setEnv(relayEnv())
    const byProp = await runStep(relay, { event, props: { requireBodyDigest: true } })
    expect(byProp.exitReason).toBe('signature rejected: BODY_NOT_SIGNED (signature-input)')
    expect(receiver.requests).toHaveLength(0)

    // a genuine delivery, which signs its digest, still goes through
    const genuine = await runStep(relay, {
      event: await signedTriggerEvent(),
      props: { requireBodyDigest: true },
    })
    expect(genuine.exports.outcome).toMatchObject({ outcome: 'forwarded' })
  })
})
