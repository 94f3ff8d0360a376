import { decodeBase64, digest as computeDigest, encodeBase64, timingSafeEqual } from '#crypto'
import { WebhookVerificationError } from './errors.ts'
import { isInnerList, parseDictionary } from './structured-fields.ts'

/** Components whose value is a digest of the body, recomputed by `verifyWebhook`. */
export type BodyDigestHeader = 'content-digest' | 'digest'

type Algorithm = 'SHA-256' | 'SHA-512'

// RFC 9530 keys are lowercase structured-field keys; RFC 3230 names are case-insensitive.
// A Map, not an object literal, so `constructor=` can never resolve to a prototype member.
const DIGEST_ALGORITHMS = new Map<string, Algorithm>([
  ['sha-256', 'SHA-256'],
  ['sha-512', 'SHA-512'],
])

export function isBodyDigestHeader(name: string): name is BodyDigestHeader {
  return name === 'content-digest' || name === 'digest'
}

export type BodyHasher = (algorithm: Algorithm) => Uint8Array | Promise<Uint8Array>

/**
 * Computes each body digest at most once per verification. node:crypto answers synchronously,
 * Web Crypto with a promise (see crypto/node.ts, crypto/web.ts).
 */
export function createBodyHasher(body: string | Uint8Array): BodyHasher {
  const cache = new Map<Algorithm, Uint8Array | Promise<Uint8Array>>()
  return (algorithm) => {
    let digest = cache.get(algorithm)
    if (digest === undefined) {
      digest = computeDigest(algorithm, body)
      cache.set(algorithm, digest)
    }
    return digest
  }
}

/**
 * Checks a `content-digest` (RFC 9530, `sha-256=:<b64>:, sha-512=:<b64>:`) or `digest`
 * (RFC 3230, `SHA-256=<b64>`) header against the body. Every supported algorithm present must
 * match; unsupported ones are ignored, but at least one supported one is required.
 * Returns a promise only when a digest is computed asynchronously (Web Crypto).
 * @throws {WebhookVerificationError} MALFORMED_HEADER or BODY_DIGEST_MISMATCH (thrown, or as
 *   a rejection of the returned promise)
 */
export function verifyBodyDigest(
  header: BodyDigestHeader,
  value: string,
  hash: BodyHasher
): Promise<void> | undefined {
  const expected = header === 'content-digest' ? parseContentDigest(value) : parseDigest(value)
  if (expected.length === 0) {
    throw new WebhookVerificationError(`${header} has no sha-256 or sha-512 digest`, {
      code: 'MALFORMED_HEADER',
      header,
    })
  }
  const actual: Array<Uint8Array | Promise<Uint8Array>> = []
  let pending = false
  for (const [algorithm] of expected) {
    const digest = hash(algorithm)
    pending ||= digest instanceof Promise
    actual.push(digest)
  }
  // Only Web Crypto is async; under node:crypto the digests are ready and skip the microtasks.
  if (pending) {
    return Promise.all(actual).then((digests) => compareDigests(header, expected, digests))
  }
  compareDigests(header, expected, actual as Uint8Array[])
  return undefined
}

function compareDigests(
  header: BodyDigestHeader,
  expected: Array<[Algorithm, Uint8Array]>,
  actual: Uint8Array[]
): void {
  for (let i = 0; i < expected.length; i++) {
    if (!timingSafeEqual(actual[i]!, expected[i]![1])) {
      throw new WebhookVerificationError(`body does not match its signed ${header}`, {
        code: 'BODY_DIGEST_MISMATCH',
        header,
      })
    }
  }
}

/** `sha-256=:<b64>:` for `body`, as RFC 9530 writes it. */
export async function createContentDigest(body: string | Uint8Array): Promise<string> {
  return `sha-256=:${encodeBase64(await computeDigest('SHA-256', body))}:`
}

/** `SHA-256=<b64>` for `body`, as RFC 3230 writes it. */
export async function createDigest(body: string | Uint8Array): Promise<string> {
  return `SHA-256=${encodeBase64(await computeDigest('SHA-256', body))}`
}

function parseContentDigest(value: string): Array<[Algorithm, Uint8Array]> {
  const dictionary = parseDictionary(value)
  if (dictionary === undefined) throw malformed('content-digest')
  const result: Array<[Algorithm, Uint8Array]> = []
  for (const [key, member] of dictionary) {
    const algorithm = DIGEST_ALGORITHMS.get(key)
    if (algorithm === undefined) continue
    if (isInnerList(member) || !(member[0] instanceof ArrayBuffer))
      throw malformed('content-digest')
    result.push([algorithm, new Uint8Array(member[0])])
  }
  return result
}

function parseDigest(value: string): Array<[Algorithm, Uint8Array]> {
  const result: Array<[Algorithm, Uint8Array]> = []
  for (const part of value.split(',')) {
    const equals = part.indexOf('=')
    if (equals < 0) throw malformed('digest')
    const algorithm = DIGEST_ALGORITHMS.get(part.slice(0, equals).trim().toLowerCase())
    if (algorithm === undefined) continue
    const bytes = decodeBase64(part.slice(equals + 1).trim())
    if (bytes === undefined) throw malformed('digest')
    result.push([algorithm, bytes])
  }
  return result
}

function malformed(header: BodyDigestHeader): WebhookVerificationError {
  return new WebhookVerificationError(`${header} is not a valid digest header`, {
    code: 'MALFORMED_HEADER',
    header,
  })
}
