import type { ForwardConfig } from './config.ts'
import { authFailure } from './auth-failure.ts'
import { ForwardError } from './errors.ts'
import type { ForwardRequest } from './forward-request.ts'
import { requestWithRetry, type HttpDeps } from './http-client.ts'
import { ngrokErrorCode } from './ngrok-error.ts'
import { receiverHeaders } from './receiver-headers.ts'
import { POST_RETRY_STATUSES } from './retry-policy.ts'

export interface PostResult {
  status: number
  /** The stored record's key from `{"msg": "value with key N stored"}` / `"duplicate of key N"`. */
  key: number | null
  duplicate: boolean
  attempts: number
  /** The receiver's JSON reply (its text when it is not JSON). */
  reply: unknown
}

/** The reply as JSON when it parses, else its text. */
export function parseReply(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function keyOf(reply: unknown): { key: number | null; duplicate: boolean } {
  const msg = typeof reply === 'object' && reply !== null ? (reply as { msg?: unknown }).msg : reply
  if (typeof msg !== 'string') return { key: null, duplicate: false }
  const key = /key (\d+)/.exec(msg)?.[1]
  return { key: key === undefined ? null : Number(key), duplicate: /^duplicate\b/i.test(msg) }
}

/**
 * `POST {receiverUrl}/receive-webhooks` with the delivery's own bytes and signature headers.
 * Retrying is safe because the receiver dedups on `idempotency-key`.
 *
 * @throws {ForwardError} RECEIVER_REJECTED (4xx but 401, 403 and 429), RECEIVER_AUTH_FAILED
 *   (401/403), RECEIVER_ERROR (5xx, or 429 until the budget ran out), RECEIVER_UNREACHABLE (no
 *   connection, or an ngrok error page) or TIMEOUT
 */
export async function postWebhook(
  forward: ForwardRequest,
  config: ForwardConfig,
  options: { deadline: number },
  deps: HttpDeps = {}
): Promise<PostResult> {
  const url = `${config.receiverUrl}/receive-webhooks`
  const response = await requestWithRetry(
    {
      method: 'POST',
      url,
      headers: { ...forward.headers, ...receiverHeaders(config) },
      body: forward.body,
      attemptTimeoutMs: config.requestTimeoutMs,
      deadline: options.deadline,
      retryStatuses: POST_RETRY_STATUSES,
    },
    deps
  )
  const { statusCode: status, attempts } = response
  if (status >= 200 && status < 300) {
    const reply = parseReply(response.text)
    return { status, ...keyOf(reply), attempts, reply }
  }
  const auth = authFailure('POST', url, response)
  if (auth) throw auth
  const retried = attempts > 1 ? ` after ${attempts} attempts` : ''
  // The tunnel can go down between the ping and the POST; that is worth a re-run, not a rejection.
  const ngrok = ngrokErrorCode(response.headers, response.text)
  if (ngrok) {
    throw new ForwardError(`POST ${url} answered ${status} from ngrok (${ngrok})${retried}`, {
      code: 'RECEIVER_UNREACHABLE',
      url,
      status,
      attempts,
    })
  }
  if (status >= 500 || status === 429) {
    throw new ForwardError(`POST ${url} answered ${status}${retried}`, {
      code: 'RECEIVER_ERROR',
      url,
      status,
      attempts,
    })
  }
  throw new ForwardError(`POST ${url} rejected the webhook with ${status}`, {
    code: 'RECEIVER_REJECTED',
    url,
    status,
    attempts,
  })
}
