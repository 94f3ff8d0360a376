import { describe, expect, it } from 'vitest'
import { backoffDelayMs, MAX_DELAY_MS, parseRetryAfterMs } from './retry-policy.ts'

describe('backoffDelayMs', () => {
  it.each([1, 2, 3, 4, 5, 6, 10])('stays within [step/2, step] for retry %i', (retry) => {
    const step = Math.min(MAX_DELAY_MS, 250 * 2 ** (retry - 1))
    expect(backoffDelayMs(retry, () => 0)).toBe(step / 2)
    expect(backoffDelayMs(retry, () => 1)).toBe(step)
  })
})

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('reads delta-seconds', () => expect(parseRetryAfterMs('7', now)).toBe(7000))
  it('reads an HTTP date', () =>
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000))
  it('treats a past date as now', () =>
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0))
  it('ignores garbage and absence', () => {
    expect(parseRetryAfterMs('soon', now)).toBeUndefined()
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined()
  })
})
