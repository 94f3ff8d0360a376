import { parseRetryAfter } from '@up42-webhooks/common'

/**
 * The result of one delivery attempt, the shape `@up42-webhooks/destinations` gives for a
 * notification (`SendOutcome`), so notifications and `--forward-to` go through one dispatcher.
 */
export interface AttemptOutcome {
  /** `retry`: connection error, timeout, 408, 429, 5xx; `failed`: any other non-2xx answer. */
  outcome: 'delivered' | 'retry' | 'failed'
  status: number | null
  /** Secrets masked. */
  error: string | null
  /** A short excerpt of the answer, secrets masked. */
  responseExcerpt: string | null
  /** From `Retry-After`, when the answer had one. */
  retryAfterMs: number | null
  latencyMs: number
}

/**
 * What an HTTP answer means for a delivery: 2xx delivered; 408, 429 and 5xx worth another
 * attempt (with `Retry-After` honoured); anything else (3xx included: redirects are never
 * followed) fails at once, since sending the same request again would get the same answer.
 */
export function classifyStatus(
  status: number,
  retryAfter: string | null,
  now = Date.now()
): Pick<AttemptOutcome, 'outcome' | 'retryAfterMs'> {
  if (status >= 200 && status < 300) return { outcome: 'delivered', retryAfterMs: null }
  if (status === 408 || status === 429 || status >= 500) {
    return { outcome: 'retry', retryAfterMs: parseRetryAfter(retryAfter, now) ?? null }
  }
  return { outcome: 'failed', retryAfterMs: null }
}
