import { parseRetryAfter } from '@up42-webhooks/common'
import type { SendOutcome } from './send-outcome.ts'

/**
 * What an HTTP answer means for delivery: 2xx delivered; 408, 429 and 5xx worth another try
 * (with the `Retry-After` delay when given: seconds or an HTTP date); anything else, 3xx included
 * (redirects are not followed: a webhook URL that moved is a configuration to fix), failed at once.
 */
export function classifyResponse(
  status: number,
  headers: { get(name: string): string | null },
  now: number = Date.now()
): Pick<SendOutcome, 'outcome' | 'retryAfterMs'> {
  if (status >= 200 && status < 300) return { outcome: 'delivered', retryAfterMs: null }
  if (status === 408 || status === 429 || (status >= 500 && status < 600)) {
    return {
      outcome: 'retry',
      retryAfterMs: parseRetryAfter(headers.get('retry-after'), now) ?? null,
    }
  }
  return { outcome: 'failed', retryAfterMs: null }
}
