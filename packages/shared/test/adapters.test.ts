import { createHash, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, expectTypeOf, inject, it } from 'vitest'
import * as node from '../src/crypto/node.ts'
import * as web from '../src/crypto/web.ts'

declare module 'vitest' {
  interface ProvidedContext {
    /** Which adapter `#crypto` must resolve to under this project's import conditions. */
    cryptoAdapter: 'node' | 'web'
  }
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64')
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i)

describe('#crypto', () => {
  it('resolves to the adapter this project selects with its import conditions', async () => {
    const active = await import('#crypto')
    expect(active).toBe(inject('cryptoAdapter') === 'node' ? node : web)
  })

  it('has two adapters exporting the same functions with the same types', () => {
    expect(Object.keys(node).sort()).toEqual(Object.keys(web).sort())
    expectTypeOf(node).toEqualTypeOf(web)
  })
})

describe.each([
  ['node', node],
  ['web', web],
] as const)('the %s adapter', (_, adapter) => {
  describe('hmacSha256', () => {
    it('matches RFC 4231 test case 2', async () => {
      expect(hex(await adapter.hmacSha256('Jefe', 'what do ya want for nothing?'))).toBe(
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
      )
    })

    it('matches node:crypto for random secrets (longer than a block too) and messages', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string({ minLength: 1, maxLength: 100, unit: 'grapheme' }),
          fc.string({ maxLength: 300, unit: 'grapheme' }),
          async (secret, message) => {
            const mac = await adapter.hmacSha256(secret, message)
            expect(mac).toBeInstanceOf(Uint8Array)
            expect(hex(mac)).toBe(createHmac('sha256', secret).update(message).digest('hex'))
          }
        ),
        { numRuns: 200 }
      )
    })
  })

  describe('verifyHmacSha256', () => {
    it('is true for the right MAC and false (not a throw) for a wrong or wrong-length one', async () => {
      const mac = createHmac('sha256', 'secret').update('message').digest()
      expect(await adapter.verifyHmacSha256('secret', 'message', mac)).toBe(true)
      expect(await adapter.verifyHmacSha256('other', 'message', mac)).toBe(false)
      expect(await adapter.verifyHmacSha256('secret', 'messagE', mac)).toBe(false)
      const flipped = Uint8Array.from(mac)
      flipped[31]! ^= 1
      expect(await adapter.verifyHmacSha256('secret', 'message', flipped)).toBe(false)
      for (const length of [0, 1, 16, 31, 33, 64]) {
        const wrong = new Uint8Array(length)
        wrong.set(mac.subarray(0, Math.min(length, 32)))
        expect(await adapter.verifyHmacSha256('secret', 'message', wrong)).toBe(false)
      }
    })
  })

  describe('digest', () => {
    it.each([
      // FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      [
        'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
        '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
      ],
    ])('SHA-256 of %j is the published digest', async (input, expected) => {
      expect(hex(await adapter.digest('SHA-256', input))).toBe(expected)
      expect(hex(await adapter.digest('SHA-256', new TextEncoder().encode(input)))).toBe(expected)
    })

    it('matches node:crypto for random bytes and strings (UTF-8), SHA-256 and SHA-512', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('SHA-256', 'SHA-512'),
          fc.oneof(
            fc.uint8Array({ maxLength: 2000 }),
            fc.string({ unit: 'grapheme', maxLength: 500 })
          ),
          async (algorithm, input) => {
            const expected = createHash(algorithm.replace('-', '').toLowerCase())
              .update(input)
              .digest('hex')
            expect(hex(await adapter.digest(algorithm, input))).toBe(expected)
          }
        ),
        { numRuns: 300 }
      )
    })

    it('hashes a lone surrogate like TextEncoder, a view by its own bytes, and shared memory', async () => {
      const lone = 'a\ud800b'
      expect(hex(await adapter.digest('SHA-256', lone))).toBe(
        createHash('sha256').update(new TextEncoder().encode(lone)).digest('hex')
      )
      const view = ALL_BYTES.subarray(10, 20)
      expect(hex(await adapter.digest('SHA-256', view))).toBe(
        createHash('sha256').update(view).digest('hex')
      )
      const shared = new Uint8Array(new SharedArrayBuffer(3))
      shared.set([1, 2, 3])
      expect(hex(await adapter.digest('SHA-256', shared))).toBe(
        createHash('sha256')
          .update(new Uint8Array([1, 2, 3]))
          .digest('hex')
      )
    })
  })

  describe('timingSafeEqual', () => {
    it('is true exactly for equal bytes, and false (not a throw) for different lengths', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
          expect(adapter.timingSafeEqual(a, b)).toBe(Buffer.compare(a, b) === 0)
          expect(adapter.timingSafeEqual(a, a.slice())).toBe(true)
        })
      )
      expect(adapter.timingSafeEqual(new Uint8Array(32), new Uint8Array(31))).toBe(false)
      expect(adapter.timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false)
    })
  })

  describe('encodeBase64 / decodeBase64', () => {
    it('round-trip every byte value, and agree with Buffer for random bytes with and without padding', () => {
      expect(adapter.encodeBase64(ALL_BYTES)).toBe(base64(ALL_BYTES))
      expect(adapter.decodeBase64(base64(ALL_BYTES))).toEqual(ALL_BYTES)
      expect(adapter.encodeBase64(ALL_BYTES.subarray(250))).toBe(base64(ALL_BYTES.subarray(250)))
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
          const encoded = base64(bytes)
          expect(adapter.encodeBase64(bytes)).toBe(encoded)
          const decoded = adapter.decodeBase64(encoded)
          expect(decoded).toBeInstanceOf(Uint8Array)
          expect(decoded).toEqual(bytes)
          expect(adapter.decodeBase64(encoded.replace(/=+$/, ''))).toEqual(bytes)
        })
      )
    })

    it.each(['a', 'ab=c', '====', 'a===', 'abc==', 'ab c', ' abc', 'ab-_', '@@@@', 'é123', 'AQ='])(
      'decodeBase64 returns undefined for %j',
      (text) => {
        expect(adapter.decodeBase64(text)).toBeUndefined()
      }
    )

    it('decodeBase64 returns its own bytes, not a view of a shared pool', () => {
      const bytes = adapter.decodeBase64('AQID')!
      expect(bytes.byteLength).toBe(3)
      expect(bytes.buffer.byteLength).toBe(3)
    })
  })
})
