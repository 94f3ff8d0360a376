import type { ForwardConfig, RelayConfig } from './config.ts'
import { buildForwardRequest } from './forward-request.ts'
import type { HttpDeps } from './http-client.ts'
import { pingReceiver } from './ping-receiver.ts'
import { postWebhook } from './post-webhook.ts'
import {
  validateWebhook,
  type IgnoredOutcome,
  type RejectedOutcome,
  type Verdict,
} from './validate-webhook.ts'
import type { WebhookDelivery } from './webhook-delivery.ts'

export interface ForwardedOutcome {
  outcome: 'forwarded'
  status: number
  key: number | null
  duplicate: boolean
  /** How many times the POST was sent (1 unless it was retried). */
  postAttempts: number
  /** How many `GET /ping` requests it took before the POST. */
  pingAttempts: number
  reply: unknown
}

export type RelayOutcome = ForwardedOutcome | IgnoredOutcome | RejectedOutcome

export interface RelayOptions extends HttpDeps {
  /** The idempotency key when the body has no messageId (a Pipedream step passes its trace id). */
  fallbackKey?: string | undefined
  /** Called once the delivery is valid, before the receiver is contacted. */
  onValid?: ((verdict: Verdict) => void) | undefined
}

/**
 * Ping, then POST. Everything fits in `config.budgetMs`.
 *
 * @throws {ForwardError}
 */
export function forwardWebhook(
  delivery: WebhookDelivery,
  config: ForwardConfig,
  options: RelayOptions = {}
): Promise<ForwardedOutcome> {
  return forward(delivery, config, options, undefined)
}

async function forward(
  delivery: WebhookDelivery,
  config: ForwardConfig,
  options: RelayOptions,
  messageId: string | undefined
): Promise<ForwardedOutcome> {
  const now = options.now ?? Date.now
  const deadline = now() + config.budgetMs
  const ping = await pingReceiver(config, { deadline }, options)
  const request = buildForwardRequest(delivery, { messageId, fallbackKey: options.fallbackKey })
  const post = await postWebhook(request, config, { deadline }, options)
  return {
    outcome: 'forwarded',
    status: post.status,
    key: post.key,
    duplicate: post.duplicate,
    postAttempts: post.attempts,
    pingAttempts: ping.attempts,
    reply: post.reply,
  }
}

/**
 * Validate → ping → POST: the one composition the Pipedream steps, the local relay and the tests
 * call. Invalid and filtered deliveries are outcomes; only a failed forward (or a configuration
 * mistake) throws.
 *
 * @throws {ForwardError}
 */
export async function relayWebhook(
  delivery: WebhookDelivery,
  config: RelayConfig,
  options: RelayOptions = {}
): Promise<RelayOutcome> {
  const validation = await validateWebhook(delivery, config)
  if (!validation.ok) return validation.result
  options.onValid?.(validation.verdict)
  return forward(delivery, config, options, validation.verdict.messageId)
}

export type { Verdict }
