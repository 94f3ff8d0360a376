import { isHttpChannel, type NotifyDestination } from './channel.ts'
import { notificationRequest } from './notification-request.ts'
import { maskSecrets, secretsOf } from './secrets.ts'
import { sendHttp, type SendOptions } from './send-http.ts'
import type { SendOutcome } from './send-outcome.ts'
import type { WebhookNotice } from './webhook-notice.ts'

/**
 * Tells `destination` about `notices`: one notice is one message, several are one digest
 * ("12 orders FULFILLED, 1 job FAILED"). HTTP channels only (Web APIs: runs in Pipedream too);
 * `desktop:` and `cmd:` give a `failed` outcome here, use `@up42-webhooks/destinations/node`.
 * Never throws for a send that goes wrong: the outcome says what happened.
 *
 * @throws {TypeError} when `notices` is empty
 */
export async function sendNotification(
  destination: NotifyDestination,
  notices: readonly WebhookNotice[],
  options: SendOptions = {}
): Promise<SendOutcome> {
  if (notices.length === 0) {
    throw new TypeError('[@up42-webhooks/destinations] sendNotification needs at least one notice')
  }
  const { channel } = destination
  if (!isHttpChannel(channel)) {
    return failedOutcome(
      `${channel}: runs only where Node is (the local relay, the receiver): import @up42-webhooks/destinations/node`
    )
  }
  const secrets = secretsOf(channel, destination.target)
  let request
  try {
    request = notificationRequest({ ...destination, channel }, notices, options)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return failedOutcome(maskSecrets(`could not build the message: ${message}`, secrets))
  }
  return sendHttp(request, secrets, options)
}

/** An attempt that cannot succeed as configured: no status, no retry. */
export function failedOutcome(error: string): SendOutcome {
  return {
    outcome: 'failed',
    status: null,
    error,
    responseExcerpt: null,
    retryAfterMs: null,
    latencyMs: 0,
  }
}
