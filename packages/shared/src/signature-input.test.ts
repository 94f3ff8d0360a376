import { describe, expect, it } from 'vitest'
import { WebhookVerificationError } from './errors.ts'
import { parseSignatureHeader } from './signature-header.ts'
import { parseSignatureInput } from './signature-input.ts'

describe('parseSignatureInput', () => {
  it('reads components (lowercased) and created from the up42-sig member', () => {
    expect(
      parseSignatureInput('up42-sig=("Date" "content-digest" "date");created=1658759606')
    ).toEqual({
      components: ['date', 'content-digest', 'date'],
      created: 1658759606,
    })
  })

  it('throws MALFORMED_HEADER naming signature-input', () => {
    const error = (() => {
      try {
        parseSignatureInput('up42-sig=("date")')
      } catch (error) {
        return error
      }
    })()
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect(error).toMatchObject({ code: 'MALFORMED_HEADER', header: 'signature-input' })
  })

  it('rejects component names with parameters (RFC 9421 ;sf, ;key)', () => {
    expect(() => parseSignatureInput('up42-sig=("date";sf);created=1')).toThrow(
      WebhookVerificationError
    )
  })

  it.each([
    ['a created with a fraction', 'up42-sig=("date");created=1658759606.5'],
    ['a created that is an RFC 9651 Date', 'up42-sig=("date");created=@1658759606'],
    ['a component that is an RFC 9651 Display String', 'up42-sig=(%"date");created=1'],
  ])('throws MALFORMED_HEADER for %s', (_, value) => {
    expect(() => parseSignatureInput(value)).toThrow(
      expect.objectContaining({ code: 'MALFORMED_HEADER', header: 'signature-input' })
    )
  })

  it('reads created=1658759606.0 as 1658759606: structured-headers gives Integers and Decimals alike as numbers', () => {
    // Not a hole: `created` only places the signature in time and is not itself signed.
    expect(parseSignatureInput('up42-sig=("date");created=1658759606.0').created).toBe(1658759606)
  })
})

describe('parseSignatureHeader', () => {
  it.each([
    ['bare base64', 'up42-sig=AQID'],
    ['padded base64', 'up42-sig=AQIDBA=='],
    ['a byte sequence', 'up42-sig=:AQIDBA==:'],
    ['spaces and other members', ' other=:AAAA: , up42-sig = AQIDBA==;p=1'],
  ])('reads %s', (_, value) => {
    expect([...parseSignatureHeader(value)].slice(0, 3)).toEqual([1, 2, 3])
  })

  it('keeps the last of repeated up42-sig members', () => {
    expect(parseSignatureHeader('up42-sig=AAAA, up42-sig=AQID')).toEqual(new Uint8Array([1, 2, 3]))
  })

  it.each([
    '',
    'up42-sig',
    'up42-sig=',
    'up42-sig=::',
    'up42-sig=:AQID',
    'up42-sig=AQ ID',
    'x=AQID',
  ])('throws MALFORMED_HEADER for %j', (value) => {
    expect(() => parseSignatureHeader(value)).toThrow(
      expect.objectContaining({ code: 'MALFORMED_HEADER', header: 'signature' })
    )
  })
})
