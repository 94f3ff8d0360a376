import { Hono } from 'hono'
import { basicAuth } from 'hono/basic-auth'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { allowedHosts } from './allowed-hosts.ts'
import { crossSiteGuard, requireJsonBody } from './cross-site.ts'
import { InvalidBodyError, StoreError } from './errors.ts'
import { createInspectorRoutes } from './inspector/routes.ts'
import { SignatureRejectedError } from './intake.ts'
import type { SignaturePolicy } from './intake.ts'
import type { ReplaySettings } from './replay.ts'
import { requestHeader as header } from './request-header.ts'
import type { NodeContext } from './request-header.ts'
import { createApiRoutes } from './routes/api.ts'
import { errorBody, fail, JSON_TYPE, STATUS_MESSAGES } from './routes/http.ts'
import type { AppEnv } from './routes/http.ts'
import { answerPing, createOriginalRoutes } from './routes/original.ts'
import { createReplayRoutes } from './routes/replay.ts'
import { createStreamRoutes } from './routes/stream.ts'
import { createTransferRoutes } from './routes/transfer.ts'
import type { WebhookStore } from './store.ts'
import { createWebhookEvents } from './webhook-events.ts'
import type { WebhookEvents } from './webhook-events.ts'

export const DEFAULT_SERVER_HEADER = 'LeRenard2000'
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export interface AppOptions {
  store: WebhookStore
  /** Live events for the inspector; a fresh emitter by default. */
  events?: WebhookEvents
  /** Value of the `server` header on every response. Default `LeRenard2000`, as the original. */
  serverHeader?: string
  /** Larger POST bodies get 413. Default 1 MiB, nginx's `client_max_body_size`. */
  maxBodyBytes?: number
  /** Basic auth on every route but `/ping` and `/favicon.ico`. */
  auth?: { username: string; password: string } | null
  /**
   * Without `auth`, Host names served besides loopback (`localhost`, `*.localhost`, 127.0.0.0/8,
   * `[::1]`): the bind address and RECEIVER_ALLOWED_HOSTS (`.example.com` for it and its
   * subdomains). Other Hosts get 403, but on `/ping` and `POST /receive-webhooks`.
   */
  allowedHosts?: readonly string[]
  /** UP42_WEBHOOK_SECRET(s): verify forwarded `signature`/`signature-input` headers. */
  secret?: string | string[] | null
  /**
   * Answer 401 and store nothing unless the signature verifies, `verified-headers-only` included
   * (needs `secret`).
   */
  requireSignature?: boolean
  /**
   * Answer 401 and store nothing unless the signature verifies and covers the body through a
   * signed digest: `verified` only (needs `secret`; implies `requireSignature`).
   */
  requireBodyDigest?: boolean
  /**
   * Oldest signature `created` accepted, in seconds. Default one day: the forwarder enforces UP42's
   * 5-minute window when the webhook arrives, then may deliver it hours later from a Pipedream
   * re-run; replays of a stored webhook are caught by the messageId dedup, not by this window.
   */
  signatureMaxAgeSeconds?: number
  /** Passed to the inspector, which replays webhooks there. */
  replayUrl?: string | null
  /** Passed to the inspector for replays. */
  fetch?: typeof fetch
  /** Replays in flight at most (default 8), their shutdown signal and resolver. */
  replay?: ReplaySettings
  /**
   * The inspector's static files, read on the first page request. Default
   * `src/inspector/client` of this package, found from its package.json (also when bundled).
   */
  assetsDir?: string
  /** Where unexpected (5xx) errors are reported. Default `console.error`. */
  onError?: (error: unknown) => void
  /** Clock for signature time windows, in unix seconds. */
  now?: () => number
}

export const DEFAULT_SIGNATURE_MAX_AGE_SECONDS = 24 * 60 * 60

/**
 * Every request header, lower-case, repeated ones joined with ", " as `Headers` does. Read from
 * Node's rawHeaders when there is a socket, a Node-only shortcut kept for speed: building a
 * WHATWG `Headers` per request showed up in the benchmark's CPU profile, and the Web-Request
 * path (headers from `c.req.raw`, body limit from `bodyLimit`) measured 0.14–0.27× the
 * throughput of the shortcut path (README "Tests and benchmark"). `app.request()` tests take the
 * `Headers` branch; `test/server.test.ts` covers this one on a real socket.
 */
function requestHeaders(c: NodeContext): Record<string, string> {
  const headers = new Map<string, string>()
  const raw = c.env?.incoming?.rawHeaders
  if (raw === undefined) {
    c.req.raw.headers.forEach((value, name) => headers.set(name, value))
  } else {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase()
      const previous = headers.get(name)
      headers.set(name, previous === undefined ? raw[i + 1]! : `${previous}, ${raw[i + 1]!}`)
    }
  }
  // fromEntries defines own properties, so a header named __proto__ stays a plain key
  return Object.fromEntries(headers)
}

/**
 * The receiver's HTTP app: the original OpenResty routes (`/ping`, `/receive-webhooks`,
 * `/dump-webhooks`, `/favicon.ico`) with their bugs fixed, the JSON API under `/api`, the live
 * stream, replay, import/export and the inspector at `/`. Pure: no server, no environment, no
 * timers. The middleware (server header, ping, Host allowlist, cross-site guard, basic auth,
 * body limit) is applied here, in this order; each route group (`routes/*.ts`) is mounted once.
 *
 * @example
 * const app = createApp({ store: createSqliteStore({ path: ':memory:' }) })
 * const res = await app.request('/ping') // 200 PONG
 */
export function createApp(options: AppOptions): Hono<AppEnv> {
  const {
    store,
    events = createWebhookEvents(),
    serverHeader = DEFAULT_SERVER_HEADER,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    auth = null,
    allowedHosts: allowedHostEntries = [],
    secret = null,
    requireSignature = false,
    requireBodyDigest = false,
    signatureMaxAgeSeconds = DEFAULT_SIGNATURE_MAX_AGE_SECONDS,
    replayUrl = null,
    fetch: fetchImpl,
    replay,
    assetsDir,
    onError = (error: unknown) => console.error(error),
    now,
  } = options
  if ((requireSignature || requireBodyDigest) && (secret === null || secret.length === 0)) {
    throw new TypeError(
      `[@up42-webhooks/receiver] ${requireBodyDigest ? 'requireBodyDigest' : 'requireSignature'} needs a secret`
    )
  }

  const policy: SignaturePolicy = {
    secret,
    requireSignature,
    requireBodyDigest,
    maxAgeSeconds: signatureMaxAgeSeconds,
    now,
  }
  const app = new Hono<AppEnv>()

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const headers: Record<string, string> = { 'content-type': JSON_TYPE }
      // basicAuth's own response carries the WWW-Authenticate challenge
      const challenge = error.res?.headers.get('www-authenticate')
      if (challenge) headers['www-authenticate'] = challenge
      if (error.status === 413) headers.connection = 'close'
      const msg = error.message || STATUS_MESSAGES[error.status] || 'error'
      return c.body(errorBody(error.status, msg), error.status, headers)
    }
    if (error instanceof InvalidBodyError) {
      const msg = error.code === 'NOT_UTF8_JSON' ? 'body is not UTF-8 JSON' : error.message
      return c.body(errorBody(400, msg), 400, { 'content-type': JSON_TYPE })
    }
    if (error instanceof SignatureRejectedError) {
      return c.body(errorBody(401, error.message), 401, { 'content-type': JSON_TYPE })
    }
    onError(error)
    if (error instanceof StoreError && error.code === 'BUSY') {
      return c.body(errorBody(503, 'storage busy, retry'), 503, {
        'content-type': JSON_TYPE,
        'retry-after': '1',
      })
    }
    const msg = error instanceof StoreError ? 'storage failure' : 'internal error'
    return c.body(errorBody(500, msg), 500, { 'content-type': JSON_TYPE })
  })

  app.notFound((c) => c.body(errorBody(404, 'not found'), 404, { 'content-type': JSON_TYPE }))

  // after next(): also reaches error, 404 and 413 responses, replacing nothing that names Hono
  app.use(async (c, next) => {
    await next()
    c.res.headers.set('server', serverHeader)
  })

  app.use(answerPing())

  // DNS rebinding: with basic auth the rebound origin has no credentials, so any Host is fine
  if (auth === null) {
    app.use(
      allowedHosts({
        entries: allowedHostEntries,
        anyHost: (c) => c.req.method === 'POST' && c.req.path === '/receive-webhooks',
      })
    )
  }
  // before basic auth: a browser attaches credentials it has cached to another site's request too
  app.use(crossSiteGuard())
  if (auth !== null) {
    const checkAuth = basicAuth({ ...auth, realm: 'up42-webhooks receiver' })
    // the favicon is answered to anyone, as the original did (browsers ask for it unprompted)
    app.use((c, next) => (c.req.path === '/favicon.ico' ? next() : checkAuth(c, next)))
  }
  app.use('/api/*', requireJsonBody())

  const tooLarge = (): never => {
    throw fail(413, `body larger than ${maxBodyBytes} bytes`)
  }
  const limitStreamedBody = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge })
  app.on('POST', '/receive-webhooks', (c, next) => {
    // bodyLimit only for bodies without a Content-Length: before reading that header it touches
    // c.req.raw.body, which makes @hono/node-server wrap the socket in a web ReadableStream.
    // That Web-Request path measured 0.14–0.27× the throughput of this shortcut (README "Tests
    // and benchmark"). Node's parser guarantees the body is exactly Content-Length bytes;
    // test/server.test.ts covers both branches (announced and chunked oversized bodies) on a
    // real socket.
    const length = header(c, 'content-length')
    if (length === undefined || header(c, 'transfer-encoding') !== undefined) {
      return limitStreamedBody(c, next)
    }
    if (Number(length) > maxBodyBytes) tooLarge()
    return next()
  })

  app.route('/', createOriginalRoutes({ store, events, policy, onError, requestHeaders }))
  app.route('/', createApiRoutes({ store, events }))
  app.route('/', createStreamRoutes({ store, events }))
  app.route(
    '/',
    createReplayRoutes({
      store,
      secret,
      replayUrl,
      ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
      ...(replay === undefined ? {} : { replay }),
    })
  )
  app.route('/', createTransferRoutes({ store, events, maxBodyBytes, onError }))
  app.route(
    '/',
    createInspectorRoutes({ secret, replayUrl, ...(assetsDir === undefined ? {} : { assetsDir }) })
  )

  return app
}
