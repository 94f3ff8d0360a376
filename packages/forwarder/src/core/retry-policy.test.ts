import { describe, expect, it } from 'vitest'
import { backoffDelayMs, MAX_DELAY_MS } from './retry-policy.ts'

describe('backoffDelayMs', () => {
  it.each([1, 2, 3, 4, 5, 6, 10])('stays within [step/2, step] for retry %i', (retry) => {
    const step = Math.min(MAX_DELAY_MS, 250 * 2 ** (retry - 1))
    expect(backoffDelayMs(retry, () => 0)).toBe(step / 2)
    expect(backoffDelayMs(retry, () => 1)).toBe(step)
  })
})
