/** UP42 answered with a non-null `error` in its `{ data, error }` envelope, or a non-2xx status. */
export class Up42ApiError extends Error {
  override name = 'Up42ApiError'
  /** UP42's own error code (stringified), or `HTTP_<status>` when the reply had no envelope. */
  readonly code: string
  readonly status: number

  constructor(message: string, options: { code: string; status: number; cause?: unknown }) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.status = options.status
  }
}

export type Up42AuthErrorCode =
  'INVALID_CREDENTIALS' | 'TOKEN_REJECTED' | 'AUTH_FAILED' | 'INVALID_AUTH_RESPONSE'

/** Logging in failed, or UP42 kept rejecting the access token. Never carries the credentials. */
export class Up42AuthError extends Error {
  override name = 'Up42AuthError'
  readonly code: Up42AuthErrorCode
  readonly status: number | undefined

  constructor(
    message: string,
    options: { code: Up42AuthErrorCode; status?: number; cause?: unknown }
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.status = options.status
  }
}

export type Up42NetworkErrorCode = 'NETWORK_ERROR' | 'INVALID_RESPONSE'

/** The request never got a usable answer: connection failure or a reply that is not UP42's JSON. */
export class Up42NetworkError extends Error {
  override name = 'Up42NetworkError'
  readonly code: Up42NetworkErrorCode
  readonly url: string

  constructor(
    message: string,
    options: { code: Up42NetworkErrorCode; url: string; cause?: unknown }
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.url = options.url
  }
}

export type WebhookInputErrorCode =
  'INVALID_URL' | 'URL_NOT_HTTPS' | 'EMPTY_NAME' | 'NO_EVENTS' | 'UNKNOWN_EVENT' | 'EMPTY_SECRET'

/** Input that UP42 would reject, caught before any request is sent. */
export class WebhookInputError extends Error {
  override name = 'WebhookInputError'
  readonly code: WebhookInputErrorCode
  readonly field: 'url' | 'name' | 'events' | 'secret'

  constructor(
    message: string,
    options: { code: WebhookInputErrorCode; field: WebhookInputError['field']; cause?: unknown }
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.field = options.field
  }
}
