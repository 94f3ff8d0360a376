/**
 * @module
 * The durable UP42 webhook receiver: the Hono app, the SQLite store, configuration and live
 * events, as the README's "API (package exports)" documents them. Tools and benches reach
 * internals through the package's other entry points (`./intake`, `./bundle`).
 */
export { createApp } from './app.ts'
export type { AppOptions } from './app.ts'
export { attachAccessLog } from './access-log.ts'
export { readReceiverConfig } from './config.ts'
export type { ReceiverConfig } from './config.ts'
export { ConfigError, InvalidBodyError, StoreError } from './errors.ts'
export type { ConfigErrorCode, InvalidBodyCode, StoreErrorCode } from './errors.ts'
export { createSqliteStore } from './sqlite-store.ts'
export type { SqliteStoreOptions } from './sqlite-store.ts'
export type {
  InsertResult,
  IterateOptions,
  Page,
  PageRequest,
  ReplayAttempt,
  ReplayAttemptInput,
  Verdict,
  WebhookArrival,
  WebhookFilter,
  WebhookInput,
  WebhookRecord,
  WebhookStats,
  WebhookStore,
  WebhookSummary,
} from './store.ts'
export { createWebhookEvents } from './webhook-events.ts'
export type { WebhookEvent, WebhookEventListener, WebhookEvents } from './webhook-events.ts'
