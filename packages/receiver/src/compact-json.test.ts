import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compactJson } from './compact-json.ts'

describe('compactJson', () => {
  it('puts a pretty-printed body on one line without touching strings', () => {
    const pretty = '{\r\n\t"a" : [ 1 , 2 ],\n  "s": "keep  \\"  spaces\\\\",\n  "n": null\n}\n'
    expect(compactJson(pretty)).toBe('{"a":[1,2],"s":"keep  \\"  spaces\\\\","n":null}')
  })

  it('keeps tokens exactly as written, unlike JSON.stringify(JSON.parse(...))', () => {
    const text = '{ "big": 12345678901234567890, "f": 1.0, "e": "\\u00e9", "x": 1e2 }'
    expect(compactJson(text)).toBe('{"big":12345678901234567890,"f":1.0,"e":"\\u00e9","x":1e2}')
  })

  it('returns an already compact text unchanged', () => {
    const text = '{"a":"b c"}'
    expect(compactJson(text)).toBe(text)
  })

  it('gives the same value, on one line, for any pretty-printed JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 4 }), (value, indent) => {
        const compact = compactJson(JSON.stringify(value, null, indent))
        expect(compact).not.toMatch(/\n/)
        expect(JSON.parse(compact)).toEqual(JSON.parse(JSON.stringify(value)))
        expect(compact).toBe(JSON.stringify(value))
      })
    )
  })
})
