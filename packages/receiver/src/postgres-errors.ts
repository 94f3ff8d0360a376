import { StoreError } from './errors.ts'
import type { StoreErrorCode } from './errors.ts'

// postgres.js connection failures (its own codes and Node's socket codes)
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * Which `StoreError` a PostgreSQL failure is: `UNAVAILABLE` while the server cannot be reached
 * or is starting or shutting down (class 08, 57P0x, too many connections), `BUSY` for a lock or
 * serialization conflict worth retrying, `FAILED` for anything else.
 */
export function postgresErrorCode(error: unknown): StoreErrorCode {
  const code = String((error as { code?: unknown } | null)?.code ?? '')
  if (CONNECTION_CODES.has(code)) return 'UNAVAILABLE'
  if (/^08/.test(code) || /^57P0/.test(code) || code === '53300') return 'UNAVAILABLE'
  if (code === '40001' || code === '40P01' || code === '55P03') return 'BUSY'
  if (code === '42501') return 'UNWRITABLE'
  return 'FAILED'
}

/** Wraps a PostgreSQL failure; the message names the action, never the URL or its password. */
export function asPostgresStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error
  const code = postgresErrorCode(error)
  const why = code === 'UNAVAILABLE' ? ' (PostgreSQL unavailable)' : ''
  return new StoreError(`could not ${action}${why}`, { code, cause: error })
}

/** `postgres://user:***@host:port/db`: a connection URL safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) parsed.searchParams.set(key, '***')
    }
    return parsed.href
  } catch {
    return '(an unparsable PostgreSQL URL)'
  }
}

/** True for `postgres://…` and `postgresql://…`, the values of RECEIVER_DB that select PostgreSQL. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value)
}

/**
 * Whether an unhandled rejection is postgres.js losing a connection outside any query of ours:
 * when the server goes away, its LISTEN connection can reject a promise nobody holds ("write
 * CONNECTION_CLOSED", no `query` attached; porsager/postgres#310). Our own queries are all
 * awaited (and answer 503 meanwhile), so such a rejection needs no handling beyond a log line.
 */
export function isOrphanedConnectionError(reason: unknown): reason is Error & { code: string } {
  return (
    reason instanceof Error &&
    /^CONNECTION_(CLOSED|ENDED|DESTROYED)$/.test(String((reason as { code?: unknown }).code)) &&
    !('query' in reason)
  )
}
