import { decodeBase64, digest as computeDigest, encodeBase64 } from '#crypto'
import { DIGEST_ALGORITHMS, DIGEST_BYTES, type ExpectedDigests } from './body-digest.ts'
import { WebhookVerificationError } from './errors.ts'

// RFC 3230 §4.3.2: `Digest: 1#instance-digest`, instance-digest = token "=" encoded-output.
// Encoded output is algorithm-specific (base64 for SHA-256/512, RFC 5843), so for others only
// "visible characters, no comma" is checked. Written as one linear pattern: token and value
// share no character with the separator, so nothing backtracks.
const INSTANCE = "[!#$%&'*+.^_`|~0-9A-Za-z-]+=[\\x21-\\x2b\\x2d-\\x7e]+"
const DIGEST_LIST = new RegExp(`^${INSTANCE}(?:[ \\t]*,[ \\t]*${INSTANCE})*$`)

/** `SHA-256=<b64>` for `body`, as RFC 3230 writes it. */
export async function createDigest(body: string | Uint8Array): Promise<string> {
  return `SHA-256=${encodeBase64(await computeDigest('SHA-256', body))}`
}

/**
 * Reads an RFC 3230 `digest` (`SHA-256=<b64>, SHA-512=<b64>`; names in any case). Unsupported
 * algorithms are skipped, but at least one of sha-256 / sha-512 is required, as base64 of the
 * length that algorithm produces.
 * @throws {WebhookVerificationError} MALFORMED_HEADER (header `digest`)
 */
export function parseDigestHeader(value: string): ExpectedDigests {
  if (!DIGEST_LIST.test(value)) throw malformed('is not a list of algorithm=digest pairs')
  const digests: ExpectedDigests = []
  for (const part of value.split(',')) {
    const instance = part.trim()
    const equals = instance.indexOf('=')
    const algorithm = DIGEST_ALGORITHMS.get(instance.slice(0, equals).toLowerCase())
    if (algorithm === undefined) continue
    const bytes = decodeBase64(instance.slice(equals + 1))
    if (bytes === undefined || bytes.length !== DIGEST_BYTES[algorithm]) {
      throw malformed(
        `has a ${algorithm} digest that is not base64 of ${DIGEST_BYTES[algorithm]} bytes`
      )
    }
    digests.push([algorithm, bytes])
  }
  if (digests.length === 0) throw malformed('has no SHA-256 or SHA-512 digest')
  return digests
}

function malformed(problem: string): WebhookVerificationError {
  return new WebhookVerificationError(`digest ${problem}`, {
    code: 'MALFORMED_HEADER',
    header: 'digest',
  })
}
