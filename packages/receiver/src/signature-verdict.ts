import { verifyWebhook, WebhookVerificationError } from '@up42-webhooks/shared'
import type { Verdict } from './store.ts'

/**
 * Re-verifies the forwarded UP42 signature: `verified`, `unsigned` when neither `signature` nor
 * `signature-input` is present, or `invalid:<code>` with the shared verifier's error code.
 *
 * @param now - unix seconds, for tests; the clock by default
 */
export async function signatureVerdict(
  headers: Headers,
  body: Uint8Array,
  secret: string | string[],
  now?: () => number
): Promise<Verdict> {
  if (!headers.has('signature') && !headers.has('signature-input')) return 'unsigned'
  try {
    await verifyWebhook({ headers, body }, now === undefined ? { secret } : { secret, now: now() })
    return 'verified'
  } catch (error) {
    if (error instanceof WebhookVerificationError) return `invalid:${error.code}`
    throw error
  }
}
