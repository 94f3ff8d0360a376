import {
  noticeOf,
  sendNotification as sendNodeNotification,
} from '@up42-webhooks/destinations/node'
import type { NodeSendOptions } from '@up42-webhooks/destinations/node'
import type { NotifyDestination, SendOutcome, WebhookNotice } from '@up42-webhooks/destinations'
import { Agent } from 'undici'
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
 * `forwardWebhook` over one keep-alive pool per target. `close` ends the pools.
 */
export function createDispatchTargets(
  config: DestinationsConfig,
  deps: SenderDeps = {}
): { targets: DispatchTarget[]; close: () => Promise<void> } {
  const send = deps.sendNotification ?? sendNodeNotification
  const secret = [deps.secret ?? []].flat()[0] ?? null
  const agents: Agent[] = []
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
              timeoutMs: config.timeoutMs,
              ...(config.publicUrl === null ? {} : { publicUrl: config.publicUrl }),
              ...(deps.env === undefined ? {} : { env: deps.env }),
            }
          ),
      }
    }
    const dispatcher = new Agent({ connections: configured.concurrency })
    agents.push(dispatcher)
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
          dispatcher,
        }),
    }
  })
  return {
    targets,
    close: async () => {
      await Promise.allSettled(agents.map((agent) => agent.close()))
    },
  }
}
