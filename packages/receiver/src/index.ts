/**
 * @module
 * The durable UP42 webhook receiver: Hono app, SQLite store, configuration, live events.
 */
export { createApp, DEFAULT_MAX_BODY_BYTES, DEFAULT_SERVER_HEADER } from './app.ts'
export type { AppOptions } from './app.ts'
export { attachAccessLog, formatCombinedLogLine } from './access-log.ts'
export type { AccessLogEntry } from './access-log.ts'
export { compactJson } from './compact-json.ts'
export { isLoopbackHost, readReceiverConfig, USAGE } from './config.ts'
export type { ReceiverConfig } from './config.ts'
export { ConfigError, InvalidBodyError, StoreError } from './errors.ts'
export type { ConfigErrorCode, StoreErrorCode } from './errors.ts'
export { extractFields } from './extract-fields.ts'
export { toWebhookInput } from './intake.ts'
export type { ArrivedWebhook } from './intake.ts'
export type { WebhookFields } from './extract-fields.ts'
export { LATEST_SCHEMA_VERSION, migrate, MIGRATIONS } from './migrations.ts'
export type { Migration } from './migrations.ts'
export { createPostgresStore } from './postgres-store.ts'
export type { PostgresStore, PostgresStoreOptions } from './postgres-store.ts'
export { signatureVerdict } from './signature-verdict.ts'
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
