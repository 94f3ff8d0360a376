import { signWebhook } from '@up42-webhooks/shared'
import { describe, expect, it } from 'vitest'
import { isCredentialHeader, withoutCredentials } from './credential-headers.ts'

describe('isCredentialHeader', () => {
  it.each([
    'authorization',
    'Proxy-Authorization',
    'cookie',
    'set-cookie',
    'x-api-key',
    'X-API-Key',
    'apikey',
    'api-key',
    'api_key',
    'x-apikey',
    'x-goog-api-key',
    'x-auth-token',
    'x-access-token',
    'x-csrf-token',
    'x-amz-security-token',
    'x-webhook-secret',
    'x-client-secret',
    'x-password',
    'x-db-passwd',
    'x-auth',
    'x-auth-user',
    'x-hub-auth',
    'x-forwarded-authorization',
    'x-amz-credential',
    'cf-access-jwt-assertion',
    'x-session-id',
    'ocp-apim-subscription-key',
    'x-access-key',
  ])('%s is a credential', (name) => {
    expect(isCredentialHeader(name)).toBe(true)
  })

  it.each([
    'signature',
    'signature-input',
    'content-digest',
    'digest',
    'date',
    'content-type',
    'user-agent',
    'idempotency-key',
    'www-authenticate',
    'proxy-authenticate',
    'x-author',
    'x-authority-region',
    'x-hub-signature-256',
    'x-request-id',
    'x-forwarded-for',
    'traceparent',
    'x-up42-trace',
  ])('%s is not a credential', (name) => {
    expect(isCredentialHeader(name)).toBe(false)
  })
})

describe('withoutCredentials', () => {
  it('drops credentials but keeps the headers the signature covers, whatever their name', async () => {
    const signed = await signWebhook({
      body: '{}',
      secret: 's',
      components: ['date', 'content-digest', 'x-webhook-token'],
      headers: { 'x-webhook-token': 'covered' },
    })
    const headers = {
      'content-type': 'application/json',
      'x-webhook-token': 'covered',
      'x-auth-token': 'not covered',
      cookie: 'sid=1',
      ...signed,
    }
    expect(withoutCredentials(headers)).toEqual({
      'content-type': 'application/json',
      'x-webhook-token': 'covered',
      ...signed,
    })
  })

  it('keeps nothing extra when the signature-input does not parse', () => {
    expect(
      withoutCredentials({ 'signature-input': 'garbage("x-api-key")', 'x-api-key': 'k', a: 'b' })
    ).toEqual({ 'signature-input': 'garbage("x-api-key")', a: 'b' })
  })

  it('keeps a header named __proto__ as a plain key', () => {
    const out = withoutCredentials(JSON.parse('{"__proto__": "x", "cookie": "c"}'))
    expect(Object.keys(out)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
  })
})
