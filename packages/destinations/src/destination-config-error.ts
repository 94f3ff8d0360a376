import { ConfigError } from '@up42-webhooks/common'

/**
 * A `NOTIFY` entry that is not a destination (or not allowed where it is used). The message
 * names the variable and the accepted forms; it never holds the entry's secret parts.
 */
export class DestinationConfigError extends ConfigError<'INVALID_DESTINATION'> {
  override name = 'DestinationConfigError'

  constructor(message: string, options: { variable: string; cause?: unknown }) {
    super(message, { code: 'INVALID_DESTINATION', ...options })
  }
}
