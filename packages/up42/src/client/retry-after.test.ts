import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from './retry-after.ts'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')

  it.each([
    ['0', 0],
    ['7', 7000],
    [' 120 ', 120_000],
    ['Thu, 01 Jan 2026 00:00:09 GMT', 9000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
  ])('reads %j as %i ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected)
  })

  it.each([[null], ['soon'], ['-5'], ['1.5']])('returns undefined for %j', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined()
  })
})
