import type { ErrorOptions } from './coded-error.ts'

/** `MISSING`: not set; `INVALID`: set but unreadable; `UNSAFE`: readable but refused. */
export type ConfigErrorCode = 'MISSING' | 'INVALID' | 'UNSAFE'

/**
 * An environment variable (or the flag or step prop standing for it) is missing or unusable.
 * `variable` names it; its value is never kept, so the error can be logged as is. A package may
 * narrow `Code` to its own codes; the shape stays the same.
 */
export class ConfigError<Code extends string = ConfigErrorCode> extends Error {
  override name = 'ConfigError'
  readonly code: Code
  /** The variable's name, e.g. `RECEIVER_URL`. */
  readonly variable: string

  constructor(message: string, options: ErrorOptions<Code> & { variable: string }) {
    super(message, { cause: options.cause })
    this.code = options.code
    this.variable = options.variable
  }
}
