import { withoutCredentials } from './credential-headers.ts'

/**
 * Headers that describe one hop of one connection, not the webhook: a replay must not copy
 * them (fetch sets its own `host` and `content-length`, and refuses some of the others).
 * The inspector page gets this list from the server (`inspector/page.ts`) for its "Copy as curl".
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

/**
 * The stored headers a replay sends: everything but hop-by-hop and credential headers (a
 * credential the signature covers is kept, as everywhere).
 */
export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(withoutCredentials(headers))
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !HOP_BY_HOP_HEADERS.includes(name))
  )
}
