import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64, encodeBase64 } from './base64.ts'

describe('encodeBase64 / decodeBase64', () => {
  it('agree with Buffer for random bytes, with and without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        const encoded = Buffer.from(bytes).toString('base64')
        expect(encodeBase64(bytes)).toBe(encoded)
        expect(decodeBase64(encoded)).toEqual(bytes)
        expect(decodeBase64(encoded.replace(/=+$/, ''))).toEqual(bytes)
      })
    )
  })

  it.each(['a', 'ab=c', '====', 'a===', 'abc==', 'ab c', 'ab-_', '@@@@', 'é123'])(
    'decodeBase64 returns undefined for %j',
    (text) => {
      expect(decodeBase64(text)).toBeUndefined()
    }
  )
})
