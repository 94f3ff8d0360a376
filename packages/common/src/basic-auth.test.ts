import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { decodeBasicAuth, encodeBasicAuth } from './basic-auth.ts'

const nodeEncoding = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`

describe('encodeBasicAuth', () => {
  it.each([
    ['relay', 'secret', 'Basic cmVsYXk6c2VjcmV0'],
    ['relay', 'pässwörd', 'Basic cmVsYXk6cMOkc3N3w7ZyZA=='],
    ['relay', '€', 'Basic cmVsYXk64oKs'],
    ['zoë', 'p:w', 'Basic em/DqzpwOnc='],
    ['', '', 'Basic Og=='],
  ])('encodes %j / %j as UTF-8 (RFC 7617): %s', (user, password, expected) => {
    expect(encodeBasicAuth(user, password)).toBe(expected)
    expect(encodeBasicAuth(user, password)).toBe(nodeEncoding(user, password))
  })

  it('matches Buffer for characters outside the BMP', () => {
    expect(encodeBasicAuth('u', '🔑x')).toBe(nodeEncoding('u', '🔑x'))
  })

  it('does not throw where btoa does (€), nor send Latin-1 for ä', () => {
    expect(() => btoa('relay:€')).toThrow()
    expect(encodeBasicAuth('relay', 'ä')).not.toBe(`Basic ${btoa('relay:ä')}`)
  })

  it('refuses a user name with a colon', () => {
    expect(() => encodeBasicAuth('a:b', 'c')).toThrow(TypeError)
  })
})

describe('decodeBasicAuth', () => {
  it('round-trips what encodeBasicAuth builds', () => {
    expect(decodeBasicAuth(encodeBasicAuth('relay', 'pä:ss€'))).toEqual({
      username: 'relay',
      password: 'pä:ss€',
    })
  })

  it('reads the scheme in any case', () => {
    expect(decodeBasicAuth('basic cmVsYXk6c2VjcmV0')).toEqual({
      username: 'relay',
      password: 'secret',
    })
  })

  it.each([
    [undefined],
    [null],
    [''],
    ['Bearer abc'],
    ['Basic !!!'],
    [`Basic ${btoa('no-colon')}`],
    // 0xff is not UTF-8
    [`Basic ${btoa('u:\xff')}`],
  ])('returns undefined for %j', (header) => {
    expect(decodeBasicAuth(header)).toBeUndefined()
  })
})
