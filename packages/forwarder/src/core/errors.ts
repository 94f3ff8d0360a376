import type { ErrorOptions } from '@up42-webhooks/common'

/** Why a forward failed; the forward step decides from this whether a later re-run can help. */
export type ForwardErrorCode =
  | 'RECEIVER_UNREACHABLE'
  | 'PING_FAILED'
  /** 401/403 on the ping or the POST: wrong RECEIVER_USER/RECEIVER_PASSWORD, which a fix cures. */
  | 'RECEIVER_AUTH_FAILED'
  | 'RECEIVER_REJECTED'
  | 'RECEIVER_ERROR'
  | 'TIMEOUT'

export interface ForwardErrorOptions extends ErrorOptions<ForwardErrorCode> {
  status?: number | undefined
  /** Origin and path only: the caller strips credentials and query before building the error. */
  url: string
  attempts: number
}

/** The receiver could not be reached or did not accept the webhook. Never carries credentials. */
export class ForwardError extends Error {
  override name = 'ForwardError'
  code: ForwardErrorCode
  status: number | undefined
  url: string
  attempts: number

  constructor(message: string, options: ForwardErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.status = options.status
    this.url = options.url
    this.attempts = options.attempts
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      url: this.url,
      attempts: this.attempts,
      message: this.message,
    }
  }
}

// A required setting is missing or invalid: the repo-wide ConfigError, whose `variable` names
// it (its value is never kept).
export { ConfigError, type ConfigErrorCode } from '@up42-webhooks/common'
