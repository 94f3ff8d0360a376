const encoder = new TextEncoder()

// Importing a key costs about as much as one HMAC, and a process sees one or two secrets.
// The bound keeps a caller that passes ever-new secrets from growing memory without limit.
const MAX_CACHED_KEYS = 64
const keys = new Map<string, Promise<CryptoKey>>()

function importKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret)
  if (key === undefined) {
    if (keys.size >= MAX_CACHED_KEYS) keys.delete(keys.keys().next().value!)
    key = globalThis.crypto.subtle.importKey(
      'raw',
      encoder.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign']
    )
    keys.set(secret, key)
  }
  return key
}

/** HMAC-SHA256 keyed with the UTF-8 bytes of `secret`. */
export async function hmacSha256(
  secret: string,
  message: Uint8Array<ArrayBuffer>
): Promise<Uint8Array> {
  const key = await importKey(secret)
  return new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', key, message))
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
