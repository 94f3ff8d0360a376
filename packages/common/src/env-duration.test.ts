import { describe, expect, it } from 'vitest'
import { ConfigError } from './config-error.ts'
import { parseDuration, readDurationEnv } from './env-duration.ts'

describe('parseDuration', () => {
  it.each([
    ['200ms', 200],
    ['1s', 1000],
    ['5s', 5000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0.5s', 500],
    ['1500ms', 1500],
    ['12h', 43_200_000],
    ['90', 90_000],
    ['0', 0],
    [' 20 S ', 20_000],
    ['10MS', 10],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'ms', 'm', '-1s', '1d', '1 s 2', '5 minutes', 'soon', '1e3', '.5s'])(
    'returns undefined for %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined()
    }
  )
})

describe('readDurationEnv', () => {
  it('gives the fallback when unset or empty', () => {
    expect(readDurationEnv({}, 'X_WAIT', { fallbackMs: 5 })).toBe(5)
    expect(readDurationEnv({ X_WAIT: ' ' }, 'X_WAIT', { fallbackMs: 5 })).toBe(5)
  })

  it('reads a duration', () => {
    expect(readDurationEnv({ X_WAIT: '2m' }, 'X_WAIT', { fallbackMs: 5 })).toBe(120_000)
  })

  it.each([['0s'], ['later']])('throws ConfigError naming the variable for %j', (text) => {
    expect(() => readDurationEnv({ X_WAIT: text }, 'X_WAIT', { fallbackMs: 5 })).toThrow(
      expect.objectContaining({ code: 'INVALID', variable: 'X_WAIT' })
    )
    expect(() => readDurationEnv({ X_WAIT: text }, 'X_WAIT', { fallbackMs: 5 })).toThrow(
      ConfigError
    )
  })

  it('honours minMs', () => {
    expect(() => readDurationEnv({ X: '100ms' }, 'X', { fallbackMs: 1, minMs: 1000 })).toThrow(
      /at least 1000 ms/
    )
    expect(readDurationEnv({ X: '0' }, 'X', { fallbackMs: 1, minMs: 0 })).toBe(0)
  })
})
