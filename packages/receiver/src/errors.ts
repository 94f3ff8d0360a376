import type { ErrorOptions } from '@up42-webhooks/common'

// Thrown by `readReceiverConfig` when an environment variable or flag is missing, invalid or
// unsafe: the repo-wide ConfigError, whose `variable` names it (never its value).
export { ConfigError, type ConfigErrorCode } from '@up42-webhooks/common'

/**
 * `BUSY`: the database is locked by another writer (retryable, 503); `UNWRITABLE`: the file or
 * its folder cannot be written (found when opening); `CORRUPT`: SQLite found the file damaged;
 * `FAILED`: anything else.
 */
export type StoreErrorCode = 'BUSY' | 'UNWRITABLE' | 'CORRUPT' | 'FAILED' | 'CLOSED'

/** Thrown (or rejected) by a `WebhookStore` when the database cannot do what was asked. */
export class StoreError extends Error {
  readonly code: StoreErrorCode

  constructor(message: string, options: ErrorOptions<StoreErrorCode>) {
    super(message, { cause: options.cause })
    this.name = 'StoreError'
    this.code = options.code
  }
}

/** Why a body is no webhook: empty, not UTF-8 JSON, or JSON but not an object. */
export type InvalidBodyCode = 'EMPTY' | 'NOT_UTF8_JSON' | 'NOT_OBJECT'

/** Thrown by the intake (`intake.ts`) when a body is no webhook; the app answers 400. */
export class InvalidBodyError extends Error {
  readonly code: InvalidBodyCode

  constructor(message: string, options: ErrorOptions<InvalidBodyCode>) {
    super(message, { cause: options.cause })
    this.name = 'InvalidBodyError'
    this.code = options.code
  }
}
