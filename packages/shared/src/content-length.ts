import { WebhookVerificationError } from './errors.ts'

/**
 * Checks that a `content-length` is one decimal number (RFC 9110 §8.6: `1*DIGIT`). A list such
 * as `5, 5`, which is what two repeated fields combine into, is refused.
 * @throws {WebhookVerificationError} MALFORMED_HEADER (header `content-length`)
 */
export function checkContentLength(value: string): void {
  if (!/^\d+$/.test(value)) {
    throw new WebhookVerificationError('content-length is not a decimal number (RFC 9110)', {
      code: 'MALFORMED_HEADER',
      header: 'content-length',
    })
  }
}
