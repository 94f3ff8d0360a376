import { describe, expect, it } from 'vitest'
import { createHeaderReader } from './headers.ts'

describe('createHeaderReader', () => {
  it('reads a record case-insensitively by lowercase name', () => {
    const read = createHeaderReader({ 'Content-Type': 'application/json', DATE: 'x' })
    expect(read('content-type')).toBe('application/json')
    expect(read('date')).toBe('x')
    expect(read('signature')).toBeUndefined()
  })

  it('joins arrays and case-variant keys with ", " in insertion order', () => {
    const read = createHeaderReader({ 'x-a': ['1', '2'], 'X-B': 'p', 'x-b': ['q', 'r'] })
    expect(read('x-a')).toBe('1, 2')
    expect(read('x-b')).toBe('p, q, r')
  })

  it('treats undefined and empty arrays as absent, and keeps empty strings', () => {
    const read = createHeaderReader({ a: undefined, b: [], c: '' })
    expect(read('a')).toBeUndefined()
    expect(read('b')).toBeUndefined()
    expect(read('c')).toBe('')
  })

  it('reads a Headers object, which combines repeated fields itself', () => {
    const headers = new Headers({ 'X-Tag': 'a' })
    headers.append('x-tag', 'b')
    const read = createHeaderReader(headers)
    expect(read('x-tag')).toBe('a, b')
    expect(read('missing')).toBeUndefined()
  })

  it('never resolves prototype members', () => {
    const read = createHeaderReader({})
    expect(read('constructor')).toBeUndefined()
    expect(read('__proto__')).toBeUndefined()
    expect(read('tostring')).toBeUndefined()
  })

  it('treats a record with a "get" header as a record', () => {
    expect(createHeaderReader({ get: 'x' })('get')).toBe('x')
  })

  it.each([
    ['null', null],
    ['a string', 'signature: x'],
  ])('throws TypeError for %s', (_, headers) => {
    // @ts-expect-error deliberate misuse
    expect(() => createHeaderReader(headers)).toThrow(TypeError)
  })

  it.each([
    ['a numeric value', { Date: 1 }],
    ['an array with a number', { date: ['a', 2] }],
  ])('throws TypeError when reading a header with %s, not for other headers', (_, headers) => {
    // @ts-expect-error deliberate misuse
    const read = createHeaderReader(headers)
    expect(read('signature')).toBeUndefined()
    expect(() => read('date')).toThrow(TypeError)
  })
})
