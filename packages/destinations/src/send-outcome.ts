/** The result of one attempt, shared by notifications and the receiver's --forward-to. */
export interface SendOutcome {
  /** `retry`: connection error, timeout, 408, 429, 5xx; `failed`: any other non-2xx (3xx too). */
  outcome: 'delivered' | 'retry' | 'failed'
  /** The HTTP status; `null` when there was none (connection error, timeout, a command). */
  status: number | null
  /** What went wrong, secrets masked; `null` when delivered. */
  error: string | null
  /** The start of the answer (or a command's output), at most 512 characters, secrets masked. */
  responseExcerpt: string | null
  /** From `Retry-After`, for a `retry`. */
  retryAfterMs: number | null
  latencyMs: number
}

/** Longest responseExcerpt. */
export const EXCERPT_LIMIT = 512
