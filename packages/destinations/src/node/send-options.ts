import type { SendOptions } from '../send-http.ts'

export interface NodeSendOptions extends SendOptions {
  /** Environment for `desktop:` and `cmd:` processes (PATH lookup included). Default `process.env`. */
  env?: Record<string, string | undefined>
  /** Which desktop notifier to use. Default `process.platform`. */
  platform?: NodeJS.Platform
}
