import { Up42NetworkError } from './errors.ts'
import { parseRetryAfter } from '@up42-webhooks/common'
import type { FetchLike } from './types.ts'

export interface SendDeps {
  fetch: FetchLike
  now: () => number
  sleep: (ms: number) => Promise<void>
  maxRetries: number
  maxRetryWaitMs: number
}

/** Backoff when a 429 carries no usable `Retry-After`: 1 s, 2 s, 4 s, … */
const FALLBACK_BACKOFF_MS = 1000

/**
 * One HTTP exchange with 429 handling: honours `Retry-After` (capped at `maxRetryWaitMs`) up
 * to `maxRetries` times, then returns the last reply, 429 included, for the caller to report.
 * Bodies must be strings so they can be sent again.
 */
export async function sendRequest(
  deps: SendDeps,
  url: string,
  init: RequestInit & { body?: string }
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let response: Response
    try {
      response = await deps.fetch(url, init)
    } catch (cause) {
      throw new Up42NetworkError(
        `could not reach ${new URL(url).origin}: ${describeCause(cause)}`,
        {
          code: 'NETWORK_ERROR',
          url: withoutQuery(url),
          cause,
        }
      )
    }
    if (response.status !== 429 || attempt >= deps.maxRetries) return response
    const requested = parseRetryAfter(response.headers.get('retry-after'), deps.now())
    const wait = Math.min(requested ?? FALLBACK_BACKOFF_MS * 2 ** attempt, deps.maxRetryWaitMs)
    // Release the connection before waiting; the 429 body is not needed.
    await response.body?.cancel()
    await deps.sleep(wait)
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause)
  // Node's fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED…) in cause.
  const inner = cause.cause
  if (!(inner instanceof Error)) return cause.message
  const code = 'code' in inner && typeof inner.code === 'string' ? inner.code : inner.message
  return `${cause.message} (${code})`
}

function withoutQuery(url: string): string {
  const parsed = new URL(url)
  return parsed.origin + parsed.pathname
}
