import type { ForwardConfig } from './config.ts'
import { encodeBasicAuth } from '@up42-webhooks/common'

/** Lets receiver logs tell relayed deliveries from direct ones. */
const USER_AGENT = 'up42-webhooks-forwarder/0.1'

/**
 * What every request to the receiver carries: its basic auth (also ngrok's, when the tunnel has
 * it) and the header that stops ngrok's free tier from answering with its browser warning page.
 */
export function receiverHeaders(
  config: Pick<ForwardConfig, 'username' | 'password'>
): Record<string, string> {
  return {
    authorization: encodeBasicAuth(config.username, config.password),
    'ngrok-skip-browser-warning': '1',
    'user-agent': USER_AGENT,
  }
}
