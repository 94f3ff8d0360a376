import { describe, expect, it } from 'vitest'
import { classifyResponse } from './classify-response.ts'

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0)

describe('classifyResponse', () => {
  it.each([200, 202, 204])('%d is delivered', (status) => {
    expect(classifyResponse(status, new Headers(), NOW)).toEqual({
      outcome: 'delivered',
      retryAfterMs: null,
    })
  })

  it.each([408, 429, 500, 502, 503, 504])('%d is worth another try', (status) => {
    expect(classifyResponse(status, new Headers(), NOW).outcome).toBe('retry')
  })

  it.each([301, 302, 400, 401, 403, 404, 410, 413])('%d is failed at once', (status) => {
    expect(classifyResponse(status, new Headers({ 'retry-after': '5' }), NOW)).toEqual({
      outcome: 'failed',
      retryAfterMs: null,
    })
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(classifyResponse(503, new Headers({ 'retry-after': '7' }), NOW).retryAfterMs).toBe(7000)
    const date = new Date(NOW + 90_000).toUTCString()
    expect(classifyResponse(429, new Headers({ 'retry-after': date }), NOW).retryAfterMs).toBe(
      90_000
    )
    expect(
      classifyResponse(429, new Headers({ 'retry-after': 'soon' }), NOW).retryAfterMs
    ).toBeNull()
  })
})
