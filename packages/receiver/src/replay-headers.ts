import { parseSignatureInput, WebhookVerificationError } from '@up42-webhooks/shared'
/**
 * Headers that describe one hop of one connection, not the webhook: a replay must not copy
 * them (fetch sets its own `host` and `content-length`, and refuses some of the others).
 * The page's "Copy as curl" (`inspector/client/curl.js`) drops the same list.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'expect',
]

// Credentials must never leave the receiver in an export or a replay, even if an older
// version or an import stored them.
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token)$|secret|password|token/i

/** True for a header that could carry a credential. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name)
}

/** The stored headers a replay sends: everything but hop-by-hop and credential headers. */
export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (HOP_BY_HOP_HEADERS.includes(lower) || isSecretHeader(lower)) continue
    out[lower] = value
  }
  return out
}

/**
 * Header names covered by a stored `signature-input`, read by the verifier's own parser so a
 * re-signed replay covers exactly what the original did; null when there is none to reuse.
 */
export function signedComponents(signatureInput: string | undefined): string[] | null {
  if (signatureInput === undefined) return null
  try {
    return parseSignatureInput(signatureInput).components
  } catch (error) {
    if (error instanceof WebhookVerificationError) return null
    throw error
  }
}
