// The Web Crypto adapter (crypto.subtle, atob/btoa): Deno, Bun, workerd, browsers and any other
// runtime without the `node` condition of `#crypto` in package.json. ./node.ts exports the same
// functions on node:crypto; test/adapters.test.ts keeps the two interchangeable.
import { isBase64 } from './base64-syntax.ts'

const encoder = new TextEncoder()

// ES2026 (V8 14, JavaScriptCore): one native call each way. Node 20 lacks them, so it takes
// the atob/btoa path below.
const toBase64 = (Uint8Array.prototype as { toBase64?: (this: Uint8Array) => string }).toBase64
const fromBase64 = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64

/** HMAC-SHA256 keyed with the UTF-8 bytes of `secret`, over the UTF-8 bytes of `message`. */
export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const key = await importHmacKey(secret, 'sign')
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)))
}

/**
 * Whether `mac` is the HMAC-SHA256 of `message`. crypto.subtle.verify rather than sign and
 * compare here: the comparison then happens inside the platform's crypto library, which
 * compares MACs in constant time (CRYPTO_memcmp in Node and workerd, ring in Deno,
 * constantTimeMemcmp in Bun's WebKit), and a MAC of the wrong length is simply false.
 */
export async function verifyHmacSha256(
  secret: string,
  message: string,
  mac: Uint8Array
): Promise<boolean> {
  const key = await importHmacKey(secret, 'verify')
  return crypto.subtle.verify('HMAC', key, ownBuffer(mac), encoder.encode(message))
}

/** The digest of `data` (a string is hashed as UTF-8); always a promise on the web. */
export function digest(
  algorithm: 'SHA-256' | 'SHA-512',
  data: string | Uint8Array
): Uint8Array | Promise<Uint8Array> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : ownBuffer(data)
  return crypto.subtle.digest(algorithm, bytes).then((buffer) => new Uint8Array(buffer))
}

/**
 * Equal bytes, in time that depends only on the lengths; different lengths are just unequal.
 * Web Crypto has no comparison of its own, so this is the usual xor-accumulate loop: no early
 * exit, so a forger learns nothing from how fast a guess is rejected.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}

export function encodeBase64(bytes: Uint8Array): string {
  if (toBase64) return toBase64.call(bytes)
  // btoa takes a "binary string", one char per byte, which makes it safe for any bytes.
  let binary = ''
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!)
  return btoa(binary)
}

/** Standard base64, padding optional; undefined for anything else. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!isBase64(text)) return undefined
  if (fromBase64) return fromBase64(text)
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function importHmacKey(secret: string, usage: 'sign' | 'verify'): Promise<CryptoKey> {
  const algorithm = { name: 'HMAC', hash: 'SHA-256' }
  return crypto.subtle.importKey('raw', encoder.encode(secret), algorithm, false, [usage])
}

/** Web Crypto refuses views of a SharedArrayBuffer; such bytes are copied once. */
function ownBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes)
}
