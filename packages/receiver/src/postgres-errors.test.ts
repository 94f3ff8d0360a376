import { describe, expect, it } from 'vitest'
import { isOrphanedConnectionError } from './postgres-errors.ts'

const connectionError = (code: string, extra: object = {}) =>
  Object.assign(new Error(`write ${code} 127.0.0.1:5432`), { code, ...extra })

describe('isOrphanedConnectionError', () => {
  it('is postgres.js losing a connection outside any query', () => {
    for (const code of ['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED']) {
      expect(isOrphanedConnectionError(connectionError(code))).toBe(true)
    }
  })

  it('is not a query that failed, another error, or no error at all', () => {
    expect(
      isOrphanedConnectionError(connectionError('CONNECTION_CLOSED', { query: 'SELECT 1' }))
    ).toBe(false)
    expect(isOrphanedConnectionError(connectionError('ECONNREFUSED'))).toBe(false)
    expect(isOrphanedConnectionError(new TypeError('boom'))).toBe(false)
    expect(isOrphanedConnectionError({ code: 'CONNECTION_CLOSED' })).toBe(false)
    expect(isOrphanedConnectionError(undefined)).toBe(false)
  })
})
