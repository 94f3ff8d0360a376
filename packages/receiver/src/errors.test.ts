import { describe, expect, it } from 'vitest'
import { ImportError } from './import.ts'
import { InvalidBodyError, StoreError } from './errors.ts'
import { ReplayError } from './replay.ts'
import { FollowError } from './sse-client.ts'

// The repo's one argument order (common's ErrorOptions): the message, then { code, cause, … }.
describe('error constructors', () => {
  const cause = new Error('SQLITE_BUSY')

  it.each([
    ['StoreError', new StoreError('the database is locked', { code: 'BUSY', cause }), 'BUSY'],
    ['InvalidBodyError', new InvalidBodyError('empty body', { code: 'EMPTY', cause }), 'EMPTY'],
    ['ReplayError', new ReplayError('no target', { code: 'NO_TARGET', cause }), 'NO_TARGET'],
    ['ImportError', new ImportError('too large', { code: 'TOO_LARGE', cause }), 'TOO_LARGE'],
    [
      'FollowError',
      new FollowError('refused', { code: 'UNAUTHORIZED', status: 401, cause }),
      'UNAUTHORIZED',
    ],
  ])('%s takes (message, { code, cause })', (name, error, code) => {
    expect(error).toBeInstanceOf(Error)
    expect(error).toMatchObject({ name, code, cause })
    expect(error.message).not.toBe(code)
  })
})
