/** Statuses that say "try again later" for an idempotent delivery (the receiver dedups). */
export const POST_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])
/** A 429 from the ping is not expected from our receiver; gateways say 502/503/504. */
export const PING_RETRY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504])

export const BASE_DELAY_MS = 250
export const MAX_DELAY_MS = 4_000
/** An attempt with less time than this left cannot realistically succeed; stop instead. */
export const MIN_ATTEMPT_MS = 200

/**
 * "Equal jitter" exponential backoff: half of the exponential step is fixed so retries never
 * fire back-to-back, the other half is random so many relays don't retry in lockstep.
 */
export function backoffDelayMs(retry: number, random: () => number): number {
  const step = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (retry - 1))
  return Math.round(step / 2 + random() * (step / 2))
}

const CONNECTION_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
])

const TIMEOUT_ERROR_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

export function isConnectionError(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && CONNECTION_ERROR_CODES.has(code)
}

export function isTimeoutError(error: unknown): boolean {
  const code = errorCode(error)
  return code !== undefined && TIMEOUT_ERROR_CODES.has(code)
}
