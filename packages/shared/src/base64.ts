// Hand-written rather than Buffer (Node only) or atob/btoa (string round trips and a regex
// per call): these run several times per verification.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const VALUES = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) VALUES[ALPHABET.charCodeAt(i)] = i

/** Standard base64 with padding. */
export function encodeBase64(bytes: Uint8Array): string {
  let text = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    text +=
      ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    text += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    text += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '='
  }
  return text
}

/**
 * Decodes standard base64. Padding is optional but, when present, must complete the last
 * quantum; anything else (other characters, a dangling sixth bit group) gives undefined.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let end = text.length
  if (end % 4 === 0 && text.charCodeAt(end - 1) === 61)
    end -= text.charCodeAt(end - 2) === 61 ? 2 : 1
  if (end % 4 === 1) return undefined
  const bytes = new Uint8Array((end * 3) >> 2)
  let buffer = 0
  let bits = 0
  let j = 0
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i)
    // Checked before the load: out-of-range keys send typed-array reads down a slow path.
    const value = code < 128 ? VALUES[code]! : -1
    if (value < 0) return undefined
    buffer = ((buffer << 6) | value) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes[j++] = buffer >> bits
    }
  }
  return bytes
}
