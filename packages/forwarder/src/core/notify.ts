import {
  noticeOf,
  parseNotifyList,
  sendNotification as sendWebNotification,
  type NotifyDestination,
  type SendOptions,
  type SendOutcome,
  type WebhookNotice,
} from '@up42-webhooks/destinations'
import type { Env } from './config.ts'
import type { WebhookDelivery } from './webhook-delivery.ts'

/** Where people are told; empty means nobody is (the default). */
export interface NotifyConfig {
  destinations: NotifyDestination[]
  /** Per attempt. */
  timeoutMs: number
}

export type SendNotification = (
  destination: NotifyDestination,
  notices: readonly WebhookNotice[],
  options?: SendOptions
) => Promise<SendOutcome>

/** Short: a step waits for its notifications, and Pipedream's default step timeout is 30 s. */
export const DEFAULT_NOTIFY_TIMEOUT_MS = 5_000
/** One more attempt after a `retry` outcome, after Retry-After capped at this. */
export const MAX_NOTIFY_RETRY_WAIT_MS = 3_000
const DEFAULT_NOTIFY_RETRY_WAIT_MS = 1_000

/**
 * The `notify` prop, else `NOTIFY`: the same URLs as the receiver's RECEIVER_NOTIFY
 * (`ntfy+https://…`, `slack+https://…`, …). `allowLocal` says whether `desktop:` and `cmd:` can
 * run here (the local relay, which sends with the Node entry) or not (a Pipedream step).
 *
 * @throws {DestinationConfigError} (a ConfigError of `@up42-webhooks/common`) naming the prop or
 *   variable, never the URL's secrets
 */
export function resolveNotifyConfig(
  props: { notify?: string | undefined },
  env: Env,
  options: { allowLocal: boolean }
): NotifyConfig {
  const fromProp = typeof props.notify === 'string' && props.notify.trim() !== ''
  const destinations = parseNotifyList(fromProp ? props.notify : env.NOTIFY, {
    variable: fromProp ? 'prop notify' : 'NOTIFY',
    allowLocal: options.allowLocal,
  })
  return { destinations, timeoutMs: DEFAULT_NOTIFY_TIMEOUT_MS }
}

/** One destination's result, JSON-safe for `$.export`; `destination` is the masked display. */
export interface NotifyResult {
  name: string
  destination: string
  outcome: SendOutcome['outcome']
  status: number | null
  error: string | null
  responseExcerpt: string | null
  attempts: number
}

export interface NotifyOptions extends Pick<SendOptions, 'fetch' | 'signal'> {
  /** Default: the Web sender (HTTP channels); the local relay passes the Node one. */
  send?: SendNotification | undefined
  /** Waits between the two attempts; injectable for tests. */
  sleep?: ((ms: number) => Promise<void>) | undefined
}

/**
 * Tells every destination about a valid delivery, all at once, each with
 * `Idempotency-Key: <messageId>:<name>` and one more attempt after a `retry` outcome (there is
 * no outbox here to retry later). Never throws: each result says what happened.
 */
export async function notifyDestinations(
  delivery: WebhookDelivery,
  messageId: string,
  config: NotifyConfig,
  options: NotifyOptions = {}
): Promise<NotifyResult[]> {
  if (config.destinations.length === 0) return []
  const notice = noticeOf(delivery.body, { receivedAt: delivery.receivedAt.getTime() })
  const send = options.send ?? sendWebNotification
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)))
  return Promise.all(
    config.destinations.map(async (destination) => {
      const sendOptions: SendOptions = {
        idempotencyKey: `${messageId}:${destination.name}`,
        timeoutMs: config.timeoutMs,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }
      let attempts = 1
      let outcome = await send(destination, [notice], sendOptions)
      if (outcome.outcome === 'retry') {
        const wait = Math.min(
          outcome.retryAfterMs ?? DEFAULT_NOTIFY_RETRY_WAIT_MS,
          MAX_NOTIFY_RETRY_WAIT_MS
        )
        await sleep(wait)
        attempts = 2
        outcome = await send(destination, [notice], sendOptions)
      }
      return {
        name: destination.name,
        destination: destination.display,
        outcome: outcome.outcome,
        status: outcome.status,
        error: outcome.error,
        responseExcerpt: outcome.responseExcerpt,
        attempts,
      }
    })
  )
}
