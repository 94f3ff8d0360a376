import { isHopByHopHeader, withoutCredentials } from '@up42-webhooks/common'

/**
 * The stored headers a replay sends: everything but hop-by-hop headers (fetch sets its own
 * `host` and `content-length`, and refuses some of the others) and credential headers (a
 * credential the signature covers is kept, as everywhere). The inspector page gets the same
 * hop-by-hop list from the server (`inspector/page.ts`) for its "Copy as curl".
 */
export function replayableHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(withoutCredentials(headers))
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !isHopByHopHeader(name))
  )
}
