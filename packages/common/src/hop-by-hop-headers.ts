/**
 * Headers that describe one connection or one message's framing, never the delivery, so they
 * are not copied when a request is sent on (RFC 9110 §7.6.1 and §7.8 for the hop-by-hop ones;
 * `host`, `content-length` and `expect` are recomputed by the client that sends the copy).
 * Lower-case.
 */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'expect',
]

const SET: ReadonlySet<string> = new Set(HOP_BY_HOP_HEADERS)

/** True for a header a forwarded or replayed request must not carry over (any case). */
export function isHopByHopHeader(name: string): boolean {
  return SET.has(name.toLowerCase())
}
