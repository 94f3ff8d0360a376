import type { ForwardConfig, RelayConfig } from './config.ts'
import { buildForwardRequest } from './forward-request.ts'
import type { HttpDeps } from './http-client.ts'
import { pingReceiver } from './ping-receiver.ts'
import { postWebhook } from './post-webhook.ts'
import type { HttpTriggerEvent } from './trigger-event.ts'
import {
  validateWebhook,
  type IgnoredOutcome,
  type RejectedOutcome,
  type Verdict,
} from './validate-webhook.ts'

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

export interface RelayDeps extends HttpDeps {
  /** Pipedream's `steps.trigger.context.trace_id`: the idempotency key when there is no messageId. */
  traceId?: string | undefined
  /** Unix seconds to verify `created` against (a re-run passes the time of its first run). */
  verifyAt?: number | undefined
}

/**
 * Ping, then POST. Everything fits in `config.budgetMs`.
 *
 * @throws {ForwardError}
 */
export async function forwardWebhook(
  event: HttpTriggerEvent,
  config: ForwardConfig,
  deps: RelayDeps = {}
): Promise<ForwardedOutcome> {
  const now = deps.now ?? Date.now
  const deadline = now() + config.budgetMs
  const ping = await pingReceiver(config, { deadline }, deps)
  const post = await postWebhook(
    buildForwardRequest(event, deps.traceId),
    config,
    { deadline },
    deps
  )
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
 * Validate → ping → POST. Invalid and filtered deliveries are outcomes; only a failed forward
 * (or a configuration mistake) throws.
 *
 * @throws {ForwardError}
 */
export async function relayWebhook(
  event: HttpTriggerEvent,
  config: RelayConfig,
  deps: RelayDeps = {}
): Promise<RelayOutcome> {
  const validation = await validateWebhook(event, config, { now: deps.verifyAt })
  if (!validation.ok) return validation.result
  return forwardWebhook(event, config, deps)
}

export type { Verdict }
