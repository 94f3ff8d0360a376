import { parseSignatureInput, WebhookVerificationError } from '@up42-webhooks/shared'

/**
 * Header names a `signature-input` covers, read by the verifier's own parser: what intake keeps
 * although it is a credential, what the forwarder copies, what a re-signed replay covers again.
 * `null` when there is no `signature-input` or it is malformed.
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
