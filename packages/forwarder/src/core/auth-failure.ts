import { ForwardError } from './errors.ts'

/** Statuses that mean "these credentials are not accepted", from the receiver or the tunnel. */
const AUTH_STATUSES: ReadonlySet<number> = new Set([401, 403])

/** The receiver's own `{"msg": "…"}`, short; anything else (an HTML page) is left out. */
function receiverMessage(text: string): string | undefined {
  try {
    const msg = (JSON.parse(text) as { msg?: unknown } | null)?.msg
    return typeof msg === 'string' && msg.length <= 120 ? msg : undefined
  } catch {
    return undefined
  }
}

/**
 * A 401/403 is a configuration mistake (a wrong or rotated password, a secret the receiver does
 * not share), not a verdict on the webhook: correcting it lets a later run deliver, so it is
 * re-run like an unreachable receiver instead of being dropped as a rejection.
 */
export function authFailure(
  request: string,
  url: string,
  reply: { statusCode: number; text: string; attempts: number }
): ForwardError | undefined {
  if (!AUTH_STATUSES.has(reply.statusCode)) return undefined
  const msg = receiverMessage(reply.text)
  // Our receiver answers 401 "signature …" under RECEIVER_REQUIRE_SIGNATURE=1.
  const hint = msg?.startsWith('signature')
    ? "check that the receiver's UP42_WEBHOOK_SECRET is this step's"
    : 'check RECEIVER_USER and RECEIVER_PASSWORD'
  return new ForwardError(
    `${request} ${url} answered ${reply.statusCode}${msg ? ` "${msg}"` : ''}: ${hint}`,
    { code: 'RECEIVER_AUTH_FAILED', url, status: reply.statusCode, attempts: reply.attempts }
  )
}
