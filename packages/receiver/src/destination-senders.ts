import {
  noticeOf,
  sendNotification as sendNodeNotification,
} from '@up42-webhooks/destinations/node'
import { createUndiciTransport, type NodeSendOptions } from '@up42-webhooks/destinations/node'
import type { NotifyDestination, SendOutcome, WebhookNotice } from '@up42-webhooks/destinations'
import type { DestinationsConfig } from './destinations-config.ts'
import type { DispatchTarget } from './dispatcher.ts'
import { forwardWebhook } from './forward-sender.ts'
import type { WebhookRecord } from './store.ts'

export type SendNotification = (
  destination: NotifyDestination,
  notices: readonly WebhookNotice[],
  options?: NodeSendOptions
) => Promise<SendOutcome>

export interface SenderDeps {
  /** UP42_WEBHOOK_SECRET(s): the first signs in `resign` mode. */
  secret?: string | string[] | null
  /** Default `@up42-webhooks/destinations/node`'s (every channel). */
  sendNotification?: SendNotification
  /** For `desktop:` and `cmd:` processes; default `process.env`. */
  env?: Record<string, string | undefined>
}

/** A stored webhook as the destinations package's notice: what a person needs at a glance. */
export function noticeOfRecord(record: WebhookRecord, publicUrl: string | null): WebhookNotice {
  let body: unknown = null
  try {
    body = JSON.parse(record.body)
  } catch {
    // stored bodies are JSON (checked at intake); an unreadable one still gets a notice
  }
  return noticeOf(body, {
    webhookId: record.id,
    receivedAt: record.receivedAt,
    ...(publicUrl === null ? {} : { publicUrl }),
  })
}

/**
 * The dispatcher's view of each configured destination: notifications through the
 * destinations package (a digest when several webhooks come at once), `--forward-to` through
 * `forwardWebhook`; both over one undici transport (keep-alive pools per origin, several
 * times cheaper than fetch on Node). `close` ends its connections.
 */
export function createDispatchTargets(
  config: DestinationsConfig,
  deps: SenderDeps = {}
): { targets: DispatchTarget[]; close: () => Promise<void> } {
  const send = deps.sendNotification ?? sendNodeNotification
  const secret = [deps.secret ?? []].flat()[0] ?? null
  // enough connections per origin for the busiest destination's attempts in flight
  const { transport, close } = createUndiciTransport({
    connections: Math.max(1, ...config.destinations.map((d) => d.concurrency)),
  })
  const targets = config.destinations.map((configured): DispatchTarget => {
    if (configured.kind === 'notify') {
      return {
        name: configured.name,
        kind: 'notify',
        concurrency: configured.concurrency,
        digestWindowMs: configured.digestWindowMs,
        send: (records, { idempotencyKey, signal }) =>
          send(
            configured.destination,
            records.map((r) => noticeOfRecord(r, config.publicUrl)),
            {
              idempotencyKey,
              signal,
              transport,
              timeoutMs: config.timeoutMs,
              ...(config.publicUrl === null ? {} : { publicUrl: config.publicUrl }),
              ...(deps.env === undefined ? {} : { env: deps.env }),
            }
          ),
      }
    }
    return {
      name: configured.name,
      kind: 'forward',
      concurrency: configured.concurrency,
      send: ([record], { idempotencyKey, signal }) =>
        forwardWebhook(record!, configured.target, {
          mode: configured.mode,
          secret,
          idempotencyKey,
          signal,
          timeoutMs: config.timeoutMs,
          transport,
        }),
    }
  })
  return {
    targets,
    close,
  }
}
