/**
 * @module @up42-webhooks/forwarder
 * Validate UP42 webhooks and forward them, byte for byte, to a receiver behind ngrok. The core
 * takes a Web-standard delivery (headers, body bytes, arrival time) and a plain config; the
 * Pipedream steps, the local relay and the tests all go through `relayWebhook`.
 */
export { relayWebhook, forwardWebhook } from './core/relay-webhook.ts'
export type { RelayOutcome, ForwardedOutcome, RelayOptions } from './core/relay-webhook.ts'
export { validateWebhook } from './core/validate-webhook.ts'
export type {
  Verdict,
  ValidationResult,
  IgnoredOutcome,
  RejectedOutcome,
} from './core/validate-webhook.ts'
export type { WebhookDelivery } from './core/webhook-delivery.ts'
export { resolveValidateConfig, resolveForwardConfig, resolveRelayConfig } from './core/config.ts'
export type { ConfigOverrides, ValidateConfig, ForwardConfig, RelayConfig } from './core/config.ts'
export { ForwardError, ConfigError } from './core/errors.ts'
export type { ForwardErrorCode } from './core/errors.ts'
