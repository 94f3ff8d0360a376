import type { NotifyDestination } from '../channel.ts'
import { sendNotification as sendWebNotification } from '../send-notification.ts'
import type { SendOutcome } from '../send-outcome.ts'
import type { WebhookNotice } from '../webhook-notice.ts'
import { sendCommand } from './send-command.ts'
import { sendDesktop } from './send-desktop.ts'
import type { NodeSendOptions } from './send-options.ts'

/**
 * sendNotification for every channel: the HTTP ones as on the Web entry, plus `desktop:` and
 * `cmd:` run as local processes. Never throws for a send that goes wrong.
 *
 * @throws {TypeError} when `notices` is empty
 */
export async function sendNotification(
  destination: NotifyDestination,
  notices: readonly WebhookNotice[],
  options: NodeSendOptions = {}
): Promise<SendOutcome> {
  if (notices.length === 0) {
    throw new TypeError('[@up42-webhooks/destinations] sendNotification needs at least one notice')
  }
  if (destination.channel === 'desktop') return sendDesktop(notices, options)
  if (destination.channel === 'cmd') return sendCommand(destination, notices, options)
  return sendWebNotification(destination, notices, options)
}
