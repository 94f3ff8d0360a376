import { WebhookVerificationError } from './errors.ts'
import { digest as computeDigest, timingSafeEqual } from '#crypto'

/** Components whose value is a digest of the body, recomputed by `verifyWebhook`. */
export type BodyDigestHeader = 'content-digest' | 'digest'

export type DigestAlgorithm = 'SHA-256' | 'SHA-512'

/** The digests a header claims, in header order, each with the length its algorithm gives. */
export type ExpectedDigests = Array<[DigestAlgorithm, Uint8Array]>

// RFC 9530 keys are lowercase structured-field keys; RFC 3230 names are case-insensitive.
// A Map, not an object literal, so `constructor=` can never resolve to a prototype member.
export const DIGEST_ALGORITHMS: ReadonlyMap<string, DigestAlgorithm> = new Map([
  ['sha-256', 'SHA-256'],
  ['sha-512', 'SHA-512'],
])

export const DIGEST_BYTES: Readonly<Record<DigestAlgorithm, number>> = {
  'SHA-256': 32,
  'SHA-512': 64,
}

export function isBodyDigestHeader(name: string): name is BodyDigestHeader {
  return name === 'content-digest' || name === 'digest'
}

export type BodyHasher = (algorithm: DigestAlgorithm) => Uint8Array | Promise<Uint8Array>

/**
 * Computes each body digest at most once per verification. node:crypto answers synchronously,
 * Web Crypto with a promise (see crypto/node.ts, crypto/web.ts).
 */
export function createBodyHasher(body: string | Uint8Array): BodyHasher {
  const cache = new Map<DigestAlgorithm, Uint8Array | Promise<Uint8Array>>()
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
 * Checks the digests a `content-digest` or `digest` header claims (already parsed) against the
 * body: every one must match. Returns a promise only when a digest is computed asynchronously.
 * @throws {WebhookVerificationError} BODY_DIGEST_MISMATCH (thrown, or as a rejection of the
 *   returned promise)
 */
export function verifyBodyDigest(
  header: BodyDigestHeader,
  expected: ExpectedDigests,
  hash: BodyHasher
): Promise<void> | undefined {
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
  expected: ExpectedDigests,
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
