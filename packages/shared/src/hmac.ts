import { createHmacSha256Key, hmacSha256 as hmacWithKey, type HmacSha256Key } from './sha256.ts'

// Deriving a key costs two hash blocks, as much as a short HMAC, and a process sees one or two
// secrets. The bound keeps a caller that passes ever-new secrets from growing memory forever.
const MAX_CACHED_KEYS = 64
const keys = new Map<string, HmacSha256Key>()

function keyFor(secret: string): HmacSha256Key {
  let key = keys.get(secret)
  if (key === undefined) {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
    key = createHmacSha256Key(secret)
    keys.set(secret, key)
  }
  return key
}

/** HMAC-SHA256 keyed with the UTF-8 bytes of `secret`; a string message is hashed as UTF-8. */
export function hmacSha256(secret: string, message: string | Uint8Array): Uint8Array {
  return hmacWithKey(keyFor(secret), message)
}

/**
 * Compares two byte strings in time that depends only on their lengths, so a forger learns
 * nothing from how fast a guess is rejected. Different lengths are simply unequal.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let difference = 0
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!
  return difference === 0
}
