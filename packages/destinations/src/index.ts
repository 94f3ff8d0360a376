/**
 * @module @up42-webhooks/destinations
 * Tell a person that an UP42 job or order ended: parse `NOTIFY` targets, build a notice from a
 * webhook, format it for ntfy, Slack, Discord, Teams or a JSON endpoint, send it, classify the
 * answer. Web APIs only; `./node` adds `desktop:` and `cmd:`.
 */
export {
  ACCEPTED_FORMS,
  HTTP_CHANNELS,
  isHttpChannel,
  type Channel,
  type HttpChannel,
  type NotifyDestination,
} from './channel.ts'
export { DestinationConfigError } from './destination-config-error.ts'
export {
  channelOfHost,
  parseNotifyTarget,
  type ParseNotifyTargetOptions,
} from './parse-notify-target.ts'
export { parseNotifyList, splitNotifyList } from './parse-notify-list.ts'
export { displayOf, maskSecrets, secretsOf } from './secrets.ts'
export {
  noticeOf,
  sampleNotice,
  type FailedTask,
  type NoticeMeta,
  type WebhookNotice,
} from './webhook-notice.ts'
export { digestTitle, messageText, messageTitle, outcomeOf, type Outcome } from './notice-text.ts'
export { summaryJson, summaryOf, type DigestSummary, type NoticeSummary } from './format-json.ts'
export { DISCORD_LIMITS, embedLength, fitEmbed, type DiscordEmbed } from './format-discord.ts'
export { authorizationOfAuthParam } from './format-ntfy.ts'
export { notificationRequest } from './notification-request.ts'
export type { FormatOptions, HttpRequestSpec } from './http-request.ts'
export { classifyResponse } from './classify-response.ts'
export { EXCERPT_LIMIT, type SendOutcome } from './send-outcome.ts'
export { DEFAULT_TIMEOUT_MS, sendHttp, type SendOptions } from './send-http.ts'
export {
  fetchTransport,
  type HttpAnswer,
  type HttpExchange,
  type HttpTransport,
} from './http-transport.ts'
export { failedOutcome, sendNotification } from './send-notification.ts'
