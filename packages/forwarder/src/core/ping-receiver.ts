import type { ForwardConfig } from './config.ts'
import { authFailure } from './auth-failure.ts'
import { ForwardError } from './errors.ts'
import { requestWithRetry, type HttpDeps } from './http-client.ts'
import { ngrokErrorCode } from './ngrok-error.ts'
import { receiverHeaders } from './receiver-headers.ts'
import { PING_RETRY_STATUSES } from './retry-policy.ts'

/**
 * `GET {receiverUrl}/ping` must answer 200 `PONG`: anything else (an ngrok error page, a 401 from
 * the tunnel's basic auth) means a POST would not reach our receiver either.
 *
 * @throws {ForwardError} PING_FAILED, RECEIVER_AUTH_FAILED (401/403), RECEIVER_UNREACHABLE or
 *   TIMEOUT
 */
export async function pingReceiver(
  config: ForwardConfig,
  options: { deadline: number },
  deps: HttpDeps = {}
): Promise<{ attempts: number }> {
  const url = `${config.receiverUrl}/ping`
  const reply = await requestWithRetry(
    {
      method: 'GET',
      url,
      headers: receiverHeaders(config),
      attemptTimeoutMs: config.pingTimeoutMs,
      deadline: options.deadline,
      retryStatuses: PING_RETRY_STATUSES,
    },
    deps
  )
  if (reply.statusCode === 200 && reply.text.trim() === 'PONG') return { attempts: reply.attempts }
  const auth = authFailure('GET', url, reply)
  if (auth) throw auth
  const ngrok = ngrokErrorCode(reply.headers, reply.text)
  const what = reply.statusCode === 200 ? '200 without PONG' : `${reply.statusCode}`
  throw new ForwardError(
    `GET ${url} answered ${what}${ngrok ? ` (${ngrok})` : ''} instead of 200 PONG`,
    { code: 'PING_FAILED', url, status: reply.statusCode, attempts: reply.attempts }
  )
}
