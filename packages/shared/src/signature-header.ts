import { decodeBase64 } from '#crypto'
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
  // Scanned with indexOf rather than split/trim: this runs on every webhook.
  for (let start = 0; start <= value.length;) {
    let end = value.indexOf(',', start)
    if (end < 0) end = value.length
    const equals = value.indexOf('=', start)
    if (equals >= 0 && equals < end && value.slice(start, equals).trim() === SIGNATURE_LABEL) {
      const parameters = value.indexOf(';', equals)
      // Last one wins, as for a repeated RFC 8941 dictionary key.
      encoded = value
        .slice(equals + 1, parameters >= 0 && parameters < end ? parameters : end)
        .trim()
    }
    start = end + 1
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
