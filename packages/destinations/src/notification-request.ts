import { encodeBasicAuth, splitUrlCredentials } from '@up42-webhooks/common'
import type { HttpChannel, NotifyDestination } from './channel.ts'
import { formatDiscord } from './format-discord.ts'
import { formatJson } from './format-json.ts'
import { formatNtfy } from './format-ntfy.ts'
import { formatSlack } from './format-slack.ts'
import { formatTeams } from './format-teams.ts'
import type { FormatOptions, HttpRequestSpec } from './http-request.ts'
import { urlText } from './secrets.ts'
import type { WebhookNotice } from './webhook-notice.ts'

const FORMATTERS = {
  ntfy: formatNtfy,
  slack: formatSlack,
  discord: formatDiscord,
  teams: formatTeams,
  json: formatJson,
} as const

/**
 * The HTTP request that tells `destination` about `notices` (one, or a digest of several).
 * User info in the URL becomes an Authorization header (ntfy: also `?auth=`), never part of the
 * URL that is sent.
 */
export function notificationRequest(
  destination: NotifyDestination & { channel: HttpChannel },
  notices: readonly WebhookNotice[],
  options: FormatOptions = {}
): HttpRequestSpec {
  const url = urlText(destination.channel, destination.target)
  if (destination.channel === 'ntfy') return formatNtfy(url, notices, options)
  const { url: bare, username, password } = splitUrlCredentials(url)
  const request = FORMATTERS[destination.channel](bare.href, notices, options)
  if (username === undefined && password === undefined) return request
  return {
    ...request,
    headers: { ...request.headers, authorization: encodeBasicAuth(username ?? '', password ?? '') },
  }
}
