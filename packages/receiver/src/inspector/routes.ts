import { withoutUrlCredentials } from '@up42-webhooks/common'
import { Hono } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { loadAssets } from './assets.ts'
import type { Assets } from './assets.ts'
import { renderPage } from './page.ts'

/** What the inspector page gets from `createApp`. */
export interface InspectorDeps {
  /** UP42_WEBHOOK_SECRET: whether the page offers re-signed replays. */
  secret?: string | string[] | null
  /** REPLAY_URL: shown on the page without its user:password. */
  replayUrl?: string | null
  /** The page's static files; default `src/inspector/client` of this package. */
  assetsDir?: string
}

const IMMUTABLE = 'public, max-age=31536000, immutable'
// Webhook bodies are untrusted input shown on the page: no inline script, nothing from elsewhere.
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/**
 * The web inspector, mounted at `/` by `createApp` (behind its basic auth): the page and its
 * assets. The page talks to the JSON API, the stream, replay and import/export route groups.
 */
export function createInspectorRoutes(deps: InspectorDeps = {}): Hono {
  const { secret = null, replayUrl = null } = deps
  // read on first use, so building the app touches no file
  let loaded: Assets | undefined
  const assets = (): Assets => (loaded ??= loadAssets(deps.assetsDir))
  const canResign = [secret ?? []].flat().some((s) => s !== '')
  // REPLAY_URL as the page shows it: its user:password is used by the server, never shown
  const pageReplayUrl = replayUrl === null ? null : withoutUrlCredentials(replayUrl)
  const routes = new Hono()

  routes.get('/', async (c) => {
    c.header('cache-control', 'no-cache')
    c.header('content-security-policy', PAGE_CSP)
    c.header('x-content-type-options', 'nosniff')
    c.header('referrer-policy', 'no-referrer')
    const page = String(
      await renderPage({ assetsVersion: assets().version, replayUrl: pageReplayUrl, canResign })
    )
    // explicit, so HEAD announces it too (Hono answers HEAD with the GET response's headers only)
    return c.body(page, 200, {
      'content-type': 'text/html; charset=UTF-8',
      'content-length': String(Buffer.byteLength(page)),
    })
  })

  routes.get('/assets/:version/:name', (c) => {
    const { files, version } = assets()
    const asset = files.get(c.req.param('name'))
    if (!asset) throw new HTTPException(404, { message: 'no such asset' })
    // An old version's URL still gets today's file, but must not be cached as if it matched.
    const current = c.req.param('version') === version
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')
    const headers: Record<string, string> = {
      'content-type': asset.type,
      'cache-control': current ? IMMUTABLE : 'no-cache',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
    }
    if (gzip) headers['content-encoding'] = 'gzip'
    return c.body(Buffer.from(gzip ? asset.gzip : asset.body), 200, headers)
  })

  return routes
}
