import { parseSignatureInput, WebhookVerificationError } from '@up42-webhooks/shared'

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
