import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from './retry-after.ts'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')

  it.each([
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['Thu, 01 Jan 2026 00:00:09 GMT', 9000],
    // RFC 850 and asctime, the obsolete forms a recipient must accept
    ['Thursday, 01-Jan-26 00:00:09 GMT', 9000],
    ['Thu Jan  1 00:00:09 2026', 9000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('reads %j as %i ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected)
  })

  it('takes the first of repeated values', () => {
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000)
  })

  it.each([[null], [undefined], [''], ['  '], ['soon'], ['-5'], ['1.5'], ['Mon, garbage'], [[]]])(
    'returns undefined for %j',
    (header) => {
      expect(parseRetryAfter(header, now)).toBeUndefined()
    }
  )
})
