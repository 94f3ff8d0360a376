/**
 * @module
 * UP42 webhook-subscription API client and the `up42` command line.
 */
export {
  createUp42Client,
  DEFAULT_API_URL,
  DEFAULT_AUTH_URL,
  KNOWN_WEBHOOK_EVENTS,
  parseEventList,
  parseRetryAfter,
  redactUrl,
  redactValues,
  TOKEN_REFRESH_MARGIN_MS,
  Up42ApiError,
  Up42AuthError,
  Up42NetworkError,
  validateWebhookInput,
  WebhookInputError,
} from './client/index.ts'
export type {
  CreateWebhookInput,
  FetchLike,
  TestEventsResult,
  Up42Auth,
  Up42AuthErrorCode,
  Up42Client,
  Up42ClientOptions,
  Up42NetworkErrorCode,
  Webhook,
  WebhookEventType,
  WebhookInputErrorCode,
  WebhookPatch,
} from './client/index.ts'
export { run } from './cli/run.ts'
export type { RunIo } from './cli/run.ts'
export { EXIT_CODES } from './cli/exit-codes.ts'
export type { ExitCode } from './cli/exit-codes.ts'
