import { ConfigurationError } from '@pipedream/platform'
import { DestinationConfigError } from '@up42-webhooks/destinations'
import type { Env } from '../core/config.ts'
import {
  notifyDestinations,
  resolveNotifyConfig,
  type NotifyConfig,
  type NotifyResult,
} from '../core/notify.ts'
import type { WebhookDelivery } from '../core/webhook-delivery.ts'
import type { PipedreamDollar } from './pipedream-types.ts'
import { currentRun } from './step-adapter.ts'

export interface NotifyProps {
  notify?: string | undefined
}

/**
 * The step's destinations: HTTP channels only, sent with Web APIs. `desktop:` and `cmd:` are a
 * ConfigurationError saying they run in the local relay (which takes NOTIFY for itself and
 * sends with the Node entry, so a step it runs never sees it).
 */
export function stepNotifyConfig(props: NotifyProps, env: Env): NotifyConfig {
  try {
    return resolveNotifyConfig(props, env, { allowLocal: false })
  } catch (error) {
    if (!(error instanceof DestinationConfigError)) throw error
    // As stepConfig does for the other settings: `variable` names it, the prop's stand-in.
    throw Object.assign(new ConfigurationError(error.message), { variable: 'NOTIFY' })
  }
}

/**
 * Notifies about a delivery the step found valid, then exports `notifications` (one result per
 * destination, URLs masked) and, when any was not delivered, `notify_warning`. A failed
 * notification never fails the step: the webhook is valid and may still be forwarded; the warning
 * is what shows it. Only the first run notifies: a re-run (the relay step's, while the receiver is
 * down) is the same webhook, and its destinations were told when it arrived.
 */
export async function notifyFromStep(
  $: PipedreamDollar,
  delivery: WebhookDelivery,
  messageId: string,
  config: NotifyConfig
): Promise<NotifyResult[]> {
  if (config.destinations.length === 0 || currentRun($).runs > 1) return []
  const results = await notifyDestinations(delivery, messageId, config)
  $.export('notifications', results)
  const missed = results.filter((result) => result.outcome !== 'delivered')
  if (missed.length > 0) {
    $.export(
      'notify_warning',
      `Not notified: ${missed.map((result) => `${result.destination} (${result.error ?? result.outcome})`).join('; ')}`
    )
  }
  return results
}
