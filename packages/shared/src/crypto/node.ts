// The node:crypto adapter, chosen by the `node` condition of `#crypto` in package.json (Node,
// and bundles built for it such as the Pipedream steps). ./web.ts exports the same functions on
// Web Crypto; test/adapters.test.ts keeps the two interchangeable.
import { Buffer } from 'node:buffer'
import { createHmac, hash, timingSafeEqual as nodeTimingSafeEqual } from 'node:crypto'
import { isBase64 } from './base64-syntax.ts'

const NODE_ALGORITHMS = { 'SHA-256': 'sha256', 'SHA-512': 'sha512' } as const

/** HMAC-SHA256 keyed with the UTF-8 bytes of `secret`, over the UTF-8 bytes of `message`. */
export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  return view(createHmac('sha256', secret).update(message).digest())
}

/** Whether `mac` is the HMAC-SHA256 of `message`, compared in constant time. */
export async function verifyHmacSha256(
  secret: string,
  message: string,
  mac: Uint8Array
): Promise<boolean> {
  return timingSafeEqual(createHmac('sha256', secret).update(message).digest(), mac)
}

/** The digest of `data` (a string is hashed as UTF-8); synchronous here, a promise on the web. */
export function digest(
  algorithm: 'SHA-256' | 'SHA-512',
  data: string | Uint8Array
): Uint8Array | Promise<Uint8Array> {
  // crypto.hash (Node >= 20.12) is one call without a Hash object: for a webhook-sized body
  // about three times faster than createHash().update().digest().
  return view(hash(NODE_ALGORITHMS[algorithm], data, 'buffer'))
}

/** Equal bytes, in time that depends only on the lengths; different lengths are just unequal. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // node:crypto throws on different lengths; a forged signature of the wrong size is no match.
  return a.length === b.length && nodeTimingSafeEqual(a, b)
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/** Standard base64, padding optional; undefined for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  // A copy, not Buffer's pooled slice, whose .buffer is shared with unrelated allocations.
  return isBase64(text) ? new Uint8Array(Buffer.from(text, 'base64')) : undefined
}

/** A plain Uint8Array over a Buffer, so both adapters return the same type. */
function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}
