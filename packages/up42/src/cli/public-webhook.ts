import { redactUrl, type Webhook } from '../client/index.ts'

/** What a hidden secret looks like in output; `null` still means "no secret". */
const HIDDEN = '[hidden]'

/**
 * The webhook as it may be printed: UP42 returns the secret in clear text, so it (and any
 * password in the URL) is hidden unless the user asked for `--show-secret`.
 */
export function toPublicWebhook(webhook: Webhook, options: { showSecret: boolean }): Webhook {
  if (options.showSecret) return webhook
  return {
    ...webhook,
    url: redactUrl(webhook.url),
    secret: webhook.secret === null ? null : HIDDEN,
  }
}
