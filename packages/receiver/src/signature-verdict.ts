import { verifyWebhook, WebhookVerificationError } from '@up42-webhooks/shared'
import type { Verdict } from './store.ts'
import { VERDICTS } from './verdicts.ts'

/**
 * Re-verifies the forwarded UP42 signature (`headers`: lower-case names): `verified` when it
 * holds and a signed `content-digest`/`digest` matched the body, `verified-headers-only` when it
 * holds but covers no body digest (the body is not authenticated: anyone holding one earlier
 * delivery can send any body with its headers), `unsigned` when neither `signature` nor
 * `signature-input` is present, or `invalid:<code>` with the shared verifier's error code.
 *
 * @param maxAgeSeconds - how old `created` may be; far wider than UP42's 300 s by default because
 *   the forwarder checks freshness on arrival and may deliver hours later from a Pipedream re-run
 * @param now - unix seconds, for tests; the clock by default
 */
export async function signatureVerdict(
  headers: Record<string, string>,
  body: Uint8Array,
  secret: string | string[],
  maxAgeSeconds: number,
  now?: () => number
): Promise<Verdict> {
  if (!Object.hasOwn(headers, 'signature') && !Object.hasOwn(headers, 'signature-input')) {
    return VERDICTS.unsigned
  }
  try {
    const { bodyCovered } = await verifyWebhook(
      { headers, body },
      now === undefined ? { secret, maxAgeSeconds } : { secret, maxAgeSeconds, now: now() }
    )
    return bodyCovered ? VERDICTS.verified : VERDICTS.headersOnly
  } catch (error) {
    if (error instanceof WebhookVerificationError) return `${VERDICTS.invalid}:${error.code}`
    throw error
  }
}
