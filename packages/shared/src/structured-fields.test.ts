import { Token, type InnerList } from 'structured-headers'
import { describe, expect, it } from 'vitest'
import { isInnerList, parseDictionary } from './structured-fields.ts'

describe('parseDictionary (RFC 8941 §3.2)', () => {
  it('parses a signature-input with several members and parameters', () => {
    const dictionary = parseDictionary(
      'sig1=("@method" "content-digest");created=1618884473;keyid="test-key", up42-sig=("date");created=5;flag'
    )
    expect([...dictionary!.keys()]).toEqual(['sig1', 'up42-sig'])
    const member = dictionary!.get('up42-sig')!
    expect(isInnerList(member)).toBe(true)
    const [items, params] = member as InnerList
    expect(items.map(([value]) => value)).toEqual(['date'])
    expect(Object.fromEntries(params)).toEqual({ created: 5, flag: true })
  })

  it('parses every bare item type', () => {
    const dictionary = parseDictionary(
      'i=-42, d=4.5, s="a \\"q\\" \\\\", t=sha-256/x:y, b=:AQID:, yes=?1, no=?0, bare'
    )!
    const values = Object.fromEntries(
      [...dictionary].map(([key, member]) => [key, !isInnerList(member) && member[0]])
    )
    const { b, ...rest } = values
    expect(rest).toEqual({
      i: -42,
      d: 4.5,
      s: 'a "q" \\',
      t: new Token('sha-256/x:y'),
      yes: true,
      no: false,
      bare: true,
    })
    // Strings and tokens stay apart; Integers and Decimals are both numbers.
    expect(values.s).toBeTypeOf('string')
    expect(values.t).toBeInstanceOf(Token)
    expect(b).toBeInstanceOf(ArrayBuffer)
    expect(new Uint8Array(b as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('keeps the last value of a repeated key and tolerates outer spaces and tabs between members', () => {
    const dictionary = parseDictionary('  a=1,\tb=2 ,  a=3')!
    expect(
      Object.fromEntries([...dictionary].map(([k, m]) => [k, !isInnerList(m) && m[0]]))
    ).toEqual({
      a: 3,
      b: 2,
    })
  })

  it.each([
    ['an uppercase key', 'A=1'],
    ['a trailing comma', 'a=1,'],
    ['an unterminated string', 'a="x'],
    ['a bad escape', 'a="\\n"'],
    ['a non-ASCII string', 'a="é"'],
    ['an unterminated inner list', 'a=("x" "y"'],
    ['items not separated by a space', 'a=("x""y")'],
    ['an integer with 16 digits', 'a=1234567890123456'],
    ['a decimal with 4 fractional digits', 'a=1.2345'],
    ['a decimal without fraction', 'a=1.'],
    ['bad base64 in bytes', 'a=:a:'],
    ['an unterminated byte sequence', 'a=:AQID'],
    ['a bad boolean', 'a=?2'],
    ['garbage after a member', 'a=1 b=2'],
    ['an empty key', '=1'],
  ])('rejects %s', (_, input) => {
    expect(parseDictionary(input)).toBeUndefined()
  })

  it('parses an empty field as an empty dictionary', () => {
    expect(parseDictionary('')?.size).toBe(0)
  })
})
