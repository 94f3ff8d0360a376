// Standard base64 (RFC 4648 §4): padding optional but, when present, completing the last
// quantum. Both adapters check this before decoding, because the platform decoders are lenient
// in different ways (Buffer skips any character it does not know, atob and fromBase64 skip
// whitespace), and a verifier should accept exactly one spelling on every runtime.
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/

export function isBase64(text: string): boolean {
  return STRICT_BASE64.test(text)
}
