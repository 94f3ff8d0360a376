import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hmacSha256, timingSafeEqual } from './hmac.ts'

describe('hmacSha256 with cached keys', () => {
  it('gives each secret its own key, however many secrets have been seen', () => {
    // More secrets than the cache holds, then the first ones again after eviction.
    const secrets = Array.from({ length: 100 }, (_, i) => `secret-${i}`)
    for (const secret of [...secrets, ...secrets.slice(0, 5)]) {
      expect(Buffer.from(hmacSha256(secret, 'message')).toString('base64')).toBe(
        createHmac('sha256', secret).update('message').digest('base64')
      )
    }
  })
})

describe('timingSafeEqual', () => {
  it('is true exactly for equal bytes, and false (not a throw) for different lengths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(timingSafeEqual(a, b)).toBe(Buffer.compare(a, b) === 0)
        expect(timingSafeEqual(a, a.slice())).toBe(true)
      })
    )
    expect(timingSafeEqual(new Uint8Array(32), new Uint8Array(31))).toBe(false)
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
  })
})
