import { describe, expect, it } from 'vitest'
import { WebhookPayloadError, WebhookVerificationError } from './errors.ts'

describe('error classes', () => {
  it('WebhookVerificationError carries name, code, header and cause', () => {
    const cause = new Error('inner')
    const error = new WebhookVerificationError('date header is missing', {
      code: 'MISSING_HEADER',
      header: 'date',
      cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'WebhookVerificationError',
      code: 'MISSING_HEADER',
      header: 'date',
    })
    expect(error.cause).toBe(cause)
    expect(error.stack).toContain('WebhookVerificationError: date header is missing')
  })

  it('WebhookPayloadError carries name, code, field, and no cause unless given', () => {
    const error = new WebhookPayloadError('envelope field body is missing', {
      code: 'MISSING_FIELD',
      field: 'body',
    })
    expect(error).toMatchObject({
      name: 'WebhookPayloadError',
      code: 'MISSING_FIELD',
      field: 'body',
    })
    expect('cause' in error).toBe(false)
  })
})
