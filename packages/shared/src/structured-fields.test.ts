import { describe, expect, it } from 'vitest'
import { parseDictionary } from './structured-fields.ts'

describe('parseDictionary (RFC 8941 §3.2)', () => {
  it('parses a signature-input with several members and parameters', () => {
    const dictionary = parseDictionary(
      'sig1=("@method" "content-digest");created=1618884473;keyid="test-key", up42-sig=("date");created=5;flag'
    )
    expect([...dictionary!.keys()]).toEqual(['sig1', 'up42-sig'])
    const member = dictionary!.get('up42-sig')!
    expect(member.kind).toBe('inner-list')
    expect(member.kind === 'inner-list' && member.items.map((item) => item.value)).toEqual([
      { type: 'string', value: 'date' },
    ])
    expect(Object.fromEntries(member.params)).toEqual({
      created: { type: 'integer', value: 5 },
      flag: { type: 'boolean', value: true },
    })
  })

  it('parses every bare item type', () => {
    const dictionary = parseDictionary(
      'i=-42, d=4.5, s="a \\"q\\" \\\\", t=sha-256/x:y, b=:AQID:, yes=?1, no=?0, bare'
    )!
    const values = Object.fromEntries(
      [...dictionary].map(([key, member]) => [key, member.kind === 'item' && member.value])
    )
    expect(values).toEqual({
      i: { type: 'integer', value: -42 },
      d: { type: 'decimal', value: 4.5 },
      s: { type: 'string', value: 'a "q" \\' },
      t: { type: 'token', value: 'sha-256/x:y' },
      b: { type: 'bytes', value: new Uint8Array([1, 2, 3]) },
      yes: { type: 'boolean', value: true },
      no: { type: 'boolean', value: false },
      bare: { type: 'boolean', value: true },
    })
  })

  it('keeps the last value of a repeated key and tolerates outer spaces and tabs between members', () => {
    const dictionary = parseDictionary('  a=1,\tb=2 ,  a=3')!
    expect(
      Object.fromEntries([...dictionary].map(([k, m]) => [k, m.kind === 'item' && m.value.value]))
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
