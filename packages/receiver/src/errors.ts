/** Which configuration problem was found; `key` names the variable or flag, never its value. */
export type ConfigErrorCode = 'INVALID' | 'MISSING' | 'UNSAFE'

/** Thrown by `readReceiverConfig` when an environment variable or flag is missing or invalid. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode
  readonly key: string

  constructor(key: string, code: ConfigErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConfigError'
    this.key = key
    this.code = code
  }
}

/**
 * `BUSY`: the database is locked by another writer (retryable, 503); `UNAVAILABLE`: the database
 * server cannot be reached, or is starting or stopping (retryable, 503); `UNWRITABLE`: the file or
 * its folder cannot be written (found when opening); `CORRUPT`: SQLite found the file damaged;
 * `FAILED`: anything else.
 */
export type StoreErrorCode = 'BUSY' | 'UNAVAILABLE' | 'UNWRITABLE' | 'CORRUPT' | 'FAILED' | 'CLOSED'

/** Thrown (or rejected) by a `WebhookStore` when the database cannot do what was asked. */
export class StoreError extends Error {
  readonly code: StoreErrorCode

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'StoreError'
    this.code = code
  }
}

/** Why a body is no webhook: empty, not UTF-8 JSON, or JSON but not an object. */
export type InvalidBodyCode = 'EMPTY' | 'NOT_UTF8_JSON' | 'NOT_OBJECT'

/** Thrown by the intake (`intake.ts`) when a body is no webhook; the app answers 400. */
export class InvalidBodyError extends Error {
  readonly code: InvalidBodyCode

  constructor(message: string, options?: { cause?: unknown; code?: InvalidBodyCode }) {
    super(message, options)
    this.name = 'InvalidBodyError'
    this.code = options?.code ?? 'NOT_UTF8_JSON'
  }
}
