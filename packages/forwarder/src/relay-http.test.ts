import { ConfigurationError } from '@pipedream/platform'
import { describe, expect, it } from 'vitest'
import { ConfigError, ForwardError } from './core/errors.ts'
import type { StepExecution } from './pipedream-runtime.ts'
import { replyFor } from './relay-http.ts'

function execution(overrides: Partial<StepExecution>): StepExecution {
  return {
    exports: {},
    returnValue: undefined,
    exitReason: undefined,
    rerun: undefined,
    response: undefined,
    error: undefined,
    ...overrides,
  }
}

const status = (overrides: Partial<StepExecution>) => replyFor(execution(overrides), 't-1').status

describe('replyFor', () => {
  it('answers 500 to a configuration mistake of the step, naming the variable but not its value', () => {
    const error = Object.assign(new ConfigurationError('RECEIVER_URL is not an absolute URL'), {
      key: 'RECEIVER_URL',
    })
    const reply = replyFor(execution({ error }), 't-1')
    expect(reply.status).toBe(500)
    expect(JSON.parse(reply.body as string)).toEqual({
      outcome: 'error',
      error: { name: 'ConfigurationError', message: 'RECEIVER_URL is not an absolute URL' },
      traceId: 't-1',
    })
    expect(
      status({
        error: new ConfigError('RECEIVER_URL is not set', {
          code: 'MISSING',
          variable: 'RECEIVER_URL',
        }),
      })
    ).toBe(500)
  })

  it('answers 502 to a failed forward', () => {
    const error = new ForwardError('POST … rejected the webhook with 400', {
      code: 'RECEIVER_REJECTED',
      url: 'http://127.0.0.1:1/receive-webhooks',
      status: 400,
      attempts: 1,
    })
    const reply = replyFor(execution({ error }), 't-1')
    expect(reply.status).toBe(502)
    expect(JSON.parse(reply.body as string)).toMatchObject({
      error: { name: 'ForwardError', code: 'RECEIVER_REJECTED' },
    })
  })

  it('maps outcomes: 401 for a signature, 400 for a payload, 202 for a re-run, else 200', () => {
    const outcome = (value: Record<string, unknown>) => status({ exports: { outcome: value } })
    expect(outcome({ outcome: 'rejected', code: 'SIGNATURE_MISMATCH' })).toBe(401)
    expect(outcome({ outcome: 'rejected', code: 'MISSING_FIELD' })).toBe(400)
    expect(outcome({ outcome: 'rerun-scheduled', code: 'TIMEOUT' })).toBe(202)
    expect(outcome({ outcome: 'forwarded', key: 1 })).toBe(200)
    expect(outcome({ outcome: 'ignored', reason: 'x' })).toBe(200)
  })

  it('prefers what the step passed to $.respond', () => {
    const reply = replyFor(
      execution({
        response: { status: 418, headers: { 'x-a': '1' }, body: { tea: true } },
        error: new Error('later'),
      }),
      't-1'
    )
    expect(reply).toEqual({ status: 418, headers: { 'x-a': '1' }, body: '{"tea":true}' })
  })
})
