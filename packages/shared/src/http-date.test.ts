import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WebhookVerificationError } from './errors.ts'
import { parseHttpDate } from './http-date.ts'

describe('parseHttpDate', () => {
  it('reads the IMF-fixdate of RFC 9110 §5.6.7 and of original-system.md §6.4', () => {
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(784111777)
    expect(parseHttpDate('Mon, 25 Jul 2022 14:33:26 GMT')).toBe(1658759606)
    expect(parseHttpDate('Thu, 01 Jan 1970 00:00:00 GMT')).toBe(0)
  })

  it('reads every second Date#toUTCString writes for years 0000 to 9999, as Date does', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62167219200, max: 253402300799 }), (seconds) => {
        expect(parseHttpDate(new Date(seconds * 1000).toUTCString())).toBe(seconds)
      }),
      { numRuns: 2000 }
    )
  })

  it('accepts 29 February of leap years only, and a leap second', () => {
    expect(parseHttpDate('Thu, 29 Feb 2024 00:00:00 GMT')).toBe(Date.UTC(2024, 1, 29) / 1000)
    expect(parseHttpDate('Tue, 29 Feb 2000 00:00:00 GMT')).toBe(Date.UTC(2000, 1, 29) / 1000)
    expect(() => parseHttpDate('Mon, 29 Feb 2100 00:00:00 GMT')).toThrow(WebhookVerificationError)
    expect(parseHttpDate('Sat, 31 Dec 2016 23:59:60 GMT')).toBe(Date.UTC(2017, 0, 1) / 1000)
  })

  it('throws MALFORMED_HEADER naming date, without the value', () => {
    let error: unknown
    try {
      parseHttpDate('Mon, 25 Jul 2022 14:33:26 GMTtail')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect(error).toMatchObject({ code: 'MALFORMED_HEADER', header: 'date' })
    expect((error as Error).message).not.toContain('2022')
  })
})
