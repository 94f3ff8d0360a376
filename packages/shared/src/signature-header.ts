import { decodeBase64 } from './base64.ts'
import { WebhookVerificationError } from './errors.ts'
import { SIGNATURE_LABEL } from './signature-input.ts'

/**
 * Extracts the signature bytes from `signature: up42-sig=<b64>`. UP42's bare base64 is not a
 * valid RFC 8941 value (`=` padding), so this is split by hand; the RFC form
 * `up42-sig=:<b64>:` is accepted too. Other members are ignored.
 * @throws {WebhookVerificationError} MALFORMED_HEADER
 */
export function parseSignatureHeader(value: string): Uint8Array {
  let encoded: string | undefined
  for (const member of value.split(',')) {
    const equals = member.indexOf('=')
    if (equals < 0 || member.slice(0, equals).trim() !== SIGNATURE_LABEL) continue
    // Last one wins, as for a repeated RFC 8941 dictionary key.
    encoded = member
      .slice(equals + 1)
      .split(';', 1)[0]!
      .trim()
  }
  if (encoded === undefined) throw malformed(`signature has no ${SIGNATURE_LABEL} member`)
  if (encoded.length >= 2 && encoded.startsWith(':') && encoded.endsWith(':')) {
    encoded = encoded.slice(1, -1)
  }
  const bytes = decodeBase64(encoded)
  if (bytes === undefined || bytes.length === 0) {
    throw malformed(`signature ${SIGNATURE_LABEL} is not base64`)
  }
  return bytes
}

function malformed(message: string): WebhookVerificationError {
  return new WebhookVerificationError(message, { code: 'MALFORMED_HEADER', header: 'signature' })
}
