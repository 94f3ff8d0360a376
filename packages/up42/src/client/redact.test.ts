import { describe, expect, it } from 'vitest'
import { redactUrl, redactValues } from './redact.ts'

describe('redactValues', () => {
  it('replaces every occurrence of each value', () => {
    expect(redactValues('a tok-123 b tok-123 c pw-secret', ['tok-123', 'pw-secret', null])).toBe(
      'a [redacted] b [redacted] c [redacted]'
    )
  })

  it('leaves very short values alone so ordinary words survive', () => {
    expect(redactValues('an error', ['an'])).toBe('an error')
  })
})

describe('redactUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('https://bob:hunter22@x.example/receive-webhooks?a=1')).toBe(
      'https://bob:***@x.example/receive-webhooks?a=1'
    )
  })

  it('returns URLs without a password unchanged', () => {
    expect(redactUrl('https://x.example/a')).toBe('https://x.example/a')
  })

  it('masks credentials in text that is not a URL', () => {
    expect(redactUrl('//bob:pw@x')).toBe('//***@x')
  })
})
