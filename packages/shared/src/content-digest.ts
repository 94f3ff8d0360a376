import { decodeBase64, encodeBase64 } from './base64.ts'
import { WebhookVerificationError } from './errors.ts'
import { timingSafeEqual } from './hmac.ts'
import { sha256 } from './sha256.ts'
import { parseDictionary } from './structured-fields.ts'

/** Components whose value is a digest of the body, recomputed by `verifyWebhook`. */
export type BodyDigestHeader = 'content-digest' | 'digest'

const encoder = new TextEncoder()

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
 * Computes each body digest at most once per verification. SHA-256, the common case, is
 * synchronous (see sha256.ts); SHA-512 is rare enough to take Web Crypto's async path.
 */
export function createBodyHasher(body: string | Uint8Array): BodyHasher {
  const cache = new Map<Algorithm, Uint8Array | Promise<Uint8Array>>()
  return (algorithm) => {
    let digest = cache.get(algorithm)
    if (digest === undefined) {
      digest =
        algorithm === 'SHA-256'
          ? sha256(body)
          : globalThis.crypto.subtle
              .digest(algorithm, toHashableBytes(body))
              .then((buffer) => new Uint8Array(buffer))
      cache.set(algorithm, digest)
    }
    return digest
  }
}

/**
 * Checks a `content-digest` (RFC 9530, `sha-256=:<b64>:, sha-512=:<b64>:`) or `digest`
 * (RFC 3230, `SHA-256=<b64>`) header against the body. Every supported algorithm present must
 * match; unsupported ones are ignored, but at least one supported one is required.
 * Returns a promise only when a digest needs Web Crypto.
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
  // Only SHA-512 (Web Crypto) is async; the common SHA-256-only case skips the microtasks.
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
export function createContentDigest(body: string | Uint8Array): string {
  return `sha-256=:${encodeBase64(sha256(body))}:`
}

/** `SHA-256=<b64>` for `body`, as RFC 3230 writes it. */
export function createDigest(body: string | Uint8Array): string {
  return `SHA-256=${encodeBase64(sha256(body))}`
}

function parseContentDigest(value: string): Array<[Algorithm, Uint8Array]> {
  const dictionary = parseDictionary(value)
  if (dictionary === undefined) throw malformed('content-digest')
  const result: Array<[Algorithm, Uint8Array]> = []
  for (const [key, member] of dictionary) {
    const algorithm = DIGEST_ALGORITHMS.get(key)
    if (algorithm === undefined) continue
    if (member.kind !== 'item' || member.value.type !== 'bytes') throw malformed('content-digest')
    result.push([algorithm, member.value.value])
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

/** Web Crypto refuses views of a SharedArrayBuffer; such a body is copied once. */
function toHashableBytes(body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return encoder.encode(body)
  return body.buffer instanceof ArrayBuffer
    ? (body as Uint8Array<ArrayBuffer>)
    : new Uint8Array(body)
}

function malformed(header: BodyDigestHeader): WebhookVerificationError {
  return new WebhookVerificationError(`${header} is not a valid digest header`, {
    code: 'MALFORMED_HEADER',
    header,
  })
}
