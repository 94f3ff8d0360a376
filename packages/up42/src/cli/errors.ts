export type UsageErrorCode =
  | 'UNKNOWN_COMMAND'
  | 'INVALID_OPTION'
  | 'MISSING_OPTION'
  | 'MISSING_ARGUMENT'
  | 'CONFLICTING_OPTIONS'
  | 'INVALID_VALUE'
  | 'NOTHING_TO_DO'

/** The command line cannot be run as given. */
export class UsageError extends Error {
  override name = 'UsageError'
  readonly code: UsageErrorCode
  /** The command whose usage to show, when known. */
  readonly command: string | undefined

  constructor(
    message: string,
    options: { code: UsageErrorCode; command?: string; cause?: unknown }
  ) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.command = options.command
  }
}

// An environment variable is missing or unusable: the repo-wide ConfigError, which names the
// variable, never its value. `MISSING` is only ever credentials here (exit code AUTH).
export { ConfigError } from '@up42-webhooks/common'
