/**
 * The `authorization` value for HTTP basic auth: `Basic ` + base64 of the UTF-8 bytes of
 * `user:password` (RFC 7617 §2.1, the `charset="UTF-8"` the receiver's Hono middleware decodes).
 * `btoa` alone would throw on `€` and send Latin-1 for `ä`, which the receiver reads as another
 * password. A user name must not contain `:` (RFC 7617); that is rejected here.
 */
export function encodeBasicAuth(username: string, password: string): string {
  if (username.includes(':')) throw new TypeError('a basic-auth user name cannot contain ":"')
  return `Basic ${bytesToBase64(new TextEncoder().encode(`${username}:${password}`))}`
}

/**
 * The user name and password from an `authorization: Basic …` value; `undefined` when it is
 * not basic auth, not base64, not UTF-8 or has no `:`.
 */
export function decodeBasicAuth(
  header: string | null | undefined
): { username: string; password: string } | undefined {
  const match = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '')
  if (!match) return undefined
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(base64ToBytes(match[1]!))
  } catch {
    return undefined
  }
  const colon = text.indexOf(':')
  if (colon === -1) return undefined
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

// btoa/atob are the platform's base64 (every runtime has them); they work on "binary strings",
// one char per byte, so bytes go through String.fromCharCode and back.
function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

function base64ToBytes(base64: string): Uint8Array {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
