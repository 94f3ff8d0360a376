/**
 * @module
 * A typed, fetch-based client for UP42's webhook-management API (no Node-only APIs).
 */
export { createUp42Client, DEFAULT_API_URL, DEFAULT_AUTH_URL } from './create-up42-client.ts'
export { Up42ApiError, Up42AuthError, Up42NetworkError, WebhookInputError } from './errors.ts'
export type { Up42AuthErrorCode, Up42NetworkErrorCode, WebhookInputErrorCode } from './errors.ts'
// The repo-wide rule, re-exported: it is part of this package's documented API.
export { parseRetryAfter } from '@up42-webhooks/common'
export { redactUrl, redactValues } from './redact.ts'
export { TOKEN_REFRESH_MARGIN_MS } from './token-provider.ts'
export {
  KNOWN_WEBHOOK_EVENTS,
  parseEventList,
  validateWebhookInput,
} from './validate-webhook-input.ts'
export type {
  CreateWebhookInput,
  FetchLike,
  TestEventsResult,
  Up42Auth,
  Up42Client,
  Up42ClientOptions,
  Webhook,
  WebhookEventType,
  WebhookPatch,
} from './types.ts'
