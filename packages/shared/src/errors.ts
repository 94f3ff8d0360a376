/** Every way a webhook can fail verification. Callers branch on these, never on messages. */
export const WEBHOOK_VERIFICATION_ERROR_CODES = [
  'MISSING_HEADER',
  'MALFORMED_HEADER',
  'TIMESTAMP_TOO_OLD',
  'TIMESTAMP_IN_FUTURE',
  'SIGNATURE_MISMATCH',
  'BODY_DIGEST_MISMATCH',
  'BODY_NOT_SIGNED',
] as const

export type WebhookVerificationErrorCode = (typeof WEBHOOK_VERIFICATION_ERROR_CODES)[number]

export interface WebhookVerificationErrorOptions {
  code: WebhookVerificationErrorCode
  /** Lowercase name of the header concerned, never its value. */
  header?: string
  cause?: unknown
}

/**
 * Thrown (as a rejection) by `verifyWebhook` when a delivery cannot be trusted.
 * The message names headers but never contains secrets, signatures or header values.
 */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError'
  readonly code: WebhookVerificationErrorCode
  readonly header: string | undefined

  constructor(message: string, options: WebhookVerificationErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.header = options.header
  }
}

/** Every way `parseEvent` can reject a payload. */
export const WEBHOOK_PAYLOAD_ERROR_CODES = [
  'INVALID_JSON',
  'NOT_AN_OBJECT',
  'MISSING_FIELD',
  'INVALID_FIELD',
] as const

export type WebhookPayloadErrorCode = (typeof WEBHOOK_PAYLOAD_ERROR_CODES)[number]

export interface WebhookPayloadErrorOptions {
  code: WebhookPayloadErrorCode
  /** Envelope field concerned (`event`, `liveMode`, `messageId`, `timestamp`, `body`). */
  field?: string
  cause?: unknown
}

/** Thrown by `parseEvent` when a body is not a UP42 webhook envelope. */
export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError'
  readonly code: WebhookPayloadErrorCode
  readonly field: string | undefined

  constructor(message: string, options: WebhookPayloadErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.field = options.field
  }
}
