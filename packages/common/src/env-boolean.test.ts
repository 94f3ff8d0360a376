import { describe, expect, it } from 'vitest'
import { ConfigError } from './config-error.ts'
import { parseBoolean, readBooleanEnv } from './env-boolean.ts'

describe('parseBoolean', () => {
  it.each(['1', 'true', 'TRUE', 'Yes', 'on', ' on '])('reads %j as true', (text) => {
    expect(parseBoolean(text)).toBe(true)
  })

  it.each(['0', 'false', 'False', 'NO', 'off'])('reads %j as false', (text) => {
    expect(parseBoolean(text)).toBe(false)
  })

  it.each(['', 'y', 'n', '2', 'enabled', 'truee', '-1'])('returns undefined for %j', (text) => {
    expect(parseBoolean(text)).toBeUndefined()
  })
})

describe('readBooleanEnv', () => {
  it('gives the fallback when unset or empty', () => {
    expect(readBooleanEnv({}, 'X_FLAG')).toBe(false)
    expect(readBooleanEnv({ X_FLAG: '' }, 'X_FLAG', true)).toBe(true)
  })

  it('reads an accepted word', () => {
    expect(readBooleanEnv({ X_FLAG: 'yes' }, 'X_FLAG')).toBe(true)
    expect(readBooleanEnv({ X_FLAG: 'OFF' }, 'X_FLAG', true)).toBe(false)
  })

  it('throws ConfigError naming the variable, never its value, for anything else', () => {
    let error: unknown
    try {
      readBooleanEnv({ X_FLAG: 'hunter2' }, 'X_FLAG')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).toMatchObject({ code: 'INVALID', variable: 'X_FLAG', name: 'ConfigError' })
    expect((error as Error).message).toContain('X_FLAG')
    expect((error as Error).message).not.toContain('hunter2')
  })
})
