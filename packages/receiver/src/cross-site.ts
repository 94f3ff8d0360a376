import type { MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { parseHostHeader, requestHost } from './allowed-hosts.ts'
import { requestHeader } from './request-header.ts'
import type { NodeContext } from './request-header.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
// `none`: the user did it (typed URL, bookmark); only a browser sends the header at all
const OWN_SITE = new Set(['same-origin', 'none'])
/** What the JSON API reads. Neither is one a form or a no-preflight `fetch` can send. */
const JSON_TYPE = /^application\/(?:json|x-ndjson)[\t ]*(?:;|$)/i

/**
 * Whether `origin` is this receiver, judged by host and port against the request's Host. The
 * scheme is not compared: Host carries none, and behind an https tunnel the page's origin is
 * `https://abc.ngrok.app` while the request reaches us over http. A page on http:// of the same
 * host is no other site's page, and browsers send `Sec-Fetch-Site` for the rest.
 */
function isOwnOrigin(origin: string, host: string): boolean {
  // "null" (sandboxed frames, file: pages, some redirects) and garbage parse as no URL or no host
  if (!URL.canParse(origin)) return false
  const url = new URL(origin)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
  const own = parseHostHeader(host)
  const their = parseHostHeader(url.host)
  if (own === null || their === null || own.hostname !== their.hostname) return false
  // URL drops the scheme's default port; a Host without a port means that default too
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return own.port === null ? url.port === '' : own.port === port
}

/**
 * Refuses (403) a state-changing request that a browser makes for another site: an HTML form or a
 * `text/plain` / no-cors `fetch` needs no preflight, so without this any page could store,
 * import, replay and delete webhooks on a receiver running on this machine. Every method but
 * GET, HEAD and OPTIONS is refused when `Sec-Fetch-Site` is present and not `same-origin`/`none`,
 * or when `Origin` is present and not this receiver's. curl, UP42, Pipedream and the relay send
 * neither header and are unaffected. This is Go's `http.CrossOriginProtection` design, with both
 * checks applied rather than either one.
 *
 * Not `hono/csrf`: it checks only form-like content types, lets a request through when either
 * header is fine, and refuses a form POST that has neither, which is what `curl -d` sends to
 * `/receive-webhooks` (and the original accepted any body).
 */
export function crossSiteGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next()
    const site = requestHeader(c, 'sec-fetch-site')
    if (site !== undefined && !OWN_SITE.has(site)) {
      throw new HTTPException(403, {
        message: `cross-site request refused (sec-fetch-site: ${site.slice(0, 40)})`,
      })
    }
    const origin = requestHeader(c, 'origin')
    if (origin !== undefined && !isOwnOrigin(origin, requestHost(c))) {
      throw new HTTPException(403, {
        message: 'cross-site request refused (origin is not this receiver)',
      })
    }
    return next()
  }
}

function hasBody(c: NodeContext): boolean {
  const incoming = c.env?.incoming
  if (incoming === undefined) return c.req.raw.body !== null
  const length = incoming.headers['content-length']
  return (
    incoming.headers['transfer-encoding'] !== undefined ||
    (length !== undefined && Number(length) !== 0)
  )
}

/**
 * Refuses (415, as Fastify and RFC 9110 do) a write whose body is not declared JSON: a second
 * wall behind `crossSiteGuard`, since such a content type makes a browser ask first (a CORS
 * preflight, which nothing here answers). Writes without a body (DELETE, a bare replay) pass.
 */
export function requireJsonBody(): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || !hasBody(c)) return next()
    if (!JSON_TYPE.test(requestHeader(c, 'content-type') ?? '')) {
      throw new HTTPException(415, {
        message: 'content-type must be application/json (application/x-ndjson for an import file)',
      })
    }
    return next()
  }
}
