/**
 * @module @up42-webhooks/shared
 * Verify, sign, parse and filter UP42 webhooks on any runtime with Web Crypto.
 */
export {
  verifyWebhook,
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_FUTURE_SKEW_SECONDS,
} from './verify-webhook.ts'
export type { VerifyWebhookOptions, VerifiedWebhook, WebhookRequest } from './verify-webhook.ts'
export { signWebhook, DEFAULT_SIGNED_COMPONENTS } from './sign-webhook.ts'
export type { SignWebhookOptions } from './sign-webhook.ts'
export type { HeaderInput } from './headers.ts'
export { parseSignatureInput } from './signature-input.ts'
export { parseEvent } from './parse-event.ts'
export type { Up42Event, JobStatusEvent, OrderStatusEvent, OtherUp42Event } from './parse-event.ts'
export { isNotifiable, KNOWN_EVENT_TYPES } from './is-notifiable.ts'
export type { IsNotifiableOptions } from './is-notifiable.ts'
export {
  NOTIFIABLE_JOB_STATUSES,
  NOTIFIABLE_ORDER_STATUSES,
  TERMINAL_STATUSES,
  parseStatusList,
} from './statuses.ts'
export type { NotifiableJobStatus, NotifiableOrderStatus, TerminalStatus } from './statuses.ts'
export {
  WebhookVerificationError,
  WebhookPayloadError,
  WEBHOOK_VERIFICATION_ERROR_CODES,
  WEBHOOK_PAYLOAD_ERROR_CODES,
} from './errors.ts'
export type {
  WebhookVerificationErrorCode,
  WebhookVerificationErrorOptions,
  WebhookPayloadErrorCode,
  WebhookPayloadErrorOptions,
} from './errors.ts'
export { EXAMPLE_EVENTS } from './example-events.ts'
