import { createHash, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createHmacSha256Key, hmacSha256, sha256 } from './sha256.ts'

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('sha256', () => {
  it.each([
    // FIPS 180-4 examples (NIST CSRC "SHA256.pdf") and the empty string.
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
  ])('hashes %j to the published digest', (input, digest) => {
    expect(hex(sha256(input))).toBe(digest)
    expect(hex(sha256(new TextEncoder().encode(input)))).toBe(digest)
  })

  it('matches node:crypto at every length around the padding boundaries', () => {
    for (let length = 0; length <= 200; length++) {
      const data = new Uint8Array(length).map((_, i) => (i * 131 + length) & 0xff)
      expect(hex(sha256(data)), `length ${length}`).toBe(
        createHash('sha256').update(data).digest('hex')
      )
    }
  })

  it('matches node:crypto for random bytes and strings (UTF-8)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          fc.string({ unit: 'grapheme', maxLength: 500 })
        ),
        (input) => {
          expect(hex(sha256(input))).toBe(createHash('sha256').update(input).digest('hex'))
        }
      ),
      { numRuns: 500 }
    )
  })

  it('hashes strings that grow or exceed the reusable buffer, and lone surrogates like TextEncoder', () => {
    const medium = 'a'.repeat(5000) + '€'
    expect(hex(sha256(medium))).toBe(createHash('sha256').update(medium, 'utf8').digest('hex'))
    const large = 'é'.repeat(40_000)
    expect(hex(sha256(large))).toBe(createHash('sha256').update(large, 'utf8').digest('hex'))
    const lone = 'a\ud800b'
    expect(hex(sha256(lone))).toBe(
      createHash('sha256').update(new TextEncoder().encode(lone)).digest('hex')
    )
  })

  it('does not let a later call disturb an earlier result', () => {
    const first = sha256('first')
    sha256('second, and longer than the first one')
    expect(hex(first)).toBe(createHash('sha256').update('first').digest('hex'))
  })
})

describe('hmacSha256', () => {
  it('matches RFC 4231 test case 2', () => {
    const key = createHmacSha256Key('Jefe')
    expect(hex(hmacSha256(key, 'what do ya want for nothing?'))).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'
    )
  })

  it('matches node:crypto for random keys (including longer than a block) and messages', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 100 })),
        fc.oneof(fc.uint8Array({ maxLength: 500 }), fc.string({ maxLength: 300 })),
        (key, message) => {
          expect(hex(hmacSha256(createHmacSha256Key(key), message))).toBe(
            createHmac('sha256', key).update(message).digest('hex')
          )
        }
      ),
      { numRuns: 500 }
    )
  })
})
