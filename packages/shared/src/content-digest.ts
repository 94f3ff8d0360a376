import { digest as computeDigest, encodeBase64 } from '#crypto'
import { DIGEST_ALGORITHMS, DIGEST_BYTES, type ExpectedDigests } from './body-digest.ts'
import { WebhookVerificationError } from './errors.ts'
import { isInnerList, parseDictionary } from './structured-fields.ts'

/** `sha-256=:<b64>:` for `body`, as RFC 9530 writes it. */
export async function createContentDigest(body: string | Uint8Array): Promise<string> {
  return `sha-256=:${encodeBase64(await computeDigest('SHA-256', body))}:`
}

/**
 * Reads an RFC 9530 `content-digest` (`sha-256=:<b64>:, sha-512=:<b64>:`): a structured-field
 * dictionary whose every member is a byte sequence. Unsupported algorithms are skipped, but at
 * least one of sha-256 / sha-512 is required, with the length that algorithm produces.
 * @throws {WebhookVerificationError} MALFORMED_HEADER (header `content-digest`)
 */
export function parseContentDigest(value: string): ExpectedDigests {
  const dictionary = parseDictionary(value)
  if (dictionary === undefined) throw malformed('is not a structured-field dictionary')
  const digests: ExpectedDigests = []
  for (const [key, member] of dictionary) {
    // RFC 9530 §2: each member value is a byte sequence, whatever the algorithm.
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer)) {
      throw malformed('has a member that is not a byte sequence')
    }
    const algorithm = DIGEST_ALGORITHMS.get(key)
    if (algorithm === undefined) continue
    const bytes = new Uint8Array(member[0])
    if (bytes.length !== DIGEST_BYTES[algorithm]) {
      throw malformed(`has a ${key} digest of the wrong length`)
    }
    digests.push([algorithm, bytes])
  }
  if (digests.length === 0) throw malformed('has no sha-256 or sha-512 digest')
  return digests
}

function malformed(problem: string): WebhookVerificationError {
  return new WebhookVerificationError(`content-digest ${problem}`, {
    code: 'MALFORMED_HEADER',
    header: 'content-digest',
  })
}
