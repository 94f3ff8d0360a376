import { describe, expect, it } from 'vitest'
import { ConfigError } from './config-error.ts'

describe('ConfigError', () => {
  it('takes the message, then code, variable and cause', () => {
    const cause = new TypeError('Invalid URL')
    const error = new ConfigError('RECEIVER_URL is not an absolute URL', {
      code: 'INVALID',
      variable: 'RECEIVER_URL',
      cause,
    })
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({
      name: 'ConfigError',
      message: 'RECEIVER_URL is not an absolute URL',
      code: 'INVALID',
      variable: 'RECEIVER_URL',
      cause,
    })
  })

  it('accepts a package-specific code', () => {
    const error = new ConfigError<'MISSING_CREDENTIALS'>('no credentials', {
      code: 'MISSING_CREDENTIALS',
      variable: 'UP42_USERNAME',
    })
    expect(error.code).toBe('MISSING_CREDENTIALS')
    expect(error.cause).toBeUndefined()
  })
})
