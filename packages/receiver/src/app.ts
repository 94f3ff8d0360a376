import { Hono } from 'hono'
import type { Context } from 'hono'
import { basicAuth } from 'hono/basic-auth'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { HttpBindings } from '@hono/node-server'
import { allowedHosts } from './allowed-hosts.ts'
import { withoutCredentials } from './credential-headers.ts'
import { crossSiteGuard, requireJsonBody } from './cross-site.ts'
import { InvalidBodyError, StoreError } from './errors.ts'
import { createInspectorRoutes } from './inspector/routes.ts'
import { intakeRequest, SignatureRejectedError } from './intake.ts'
import type { SignaturePolicy } from './intake.ts'
import { pulledBody } from './pulled-body.ts'
import { filterFromQuery, QueryError } from './query-filter.ts'
import type { ReplaySettings } from './replay.ts'
import { requestHeader as header } from './request-header.ts'
import { MAX_PAGE_SIZE } from './store.ts'
import type { IterateOptions, WebhookFilter, WebhookStore } from './store.ts'
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

// `/ping` anywhere in the path, any case, as the original's `location ~* /ping`; `/shopping` is no ping
const PING = /\/ping/i
const JSON_TYPE = 'application/json'
const STATUS_MESSAGES: Record<number, string> = {
  400: 'bad request',
  401: 'unauthorized',
  404: 'not found',
  405: 'method not allowed',
  413: 'payload too large',
}

/** The original's error body shape, spacing included: `{"code": 405, "msg": "method not allowed"}`. */
const errorBody = (code: number, msg: string): string =>
  `{"code": ${code}, "msg": ${JSON.stringify(msg)}}`

const fail = (status: ContentfulStatusCode, message: string): HTTPException =>
  new HTTPException(status, { message })

function methodNotAllowed(c: Context, allow: string): Response {
  return c.body(errorBody(405, STATUS_MESSAGES[405]!), 405, {
    'content-type': JSON_TYPE,
    allow,
  })
}

function parseInteger(
  name: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER
): number | undefined {
  if (value === undefined) return undefined
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!(n >= min && n <= max)) throw fail(400, `${name} must be an integer from ${min} to ${max}`)
  return n
}

function parseFilter(query: Record<string, string>): WebhookFilter {
  try {
    return filterFromQuery(query)
  } catch (error) {
    if (error instanceof QueryError) throw fail(400, error.message)
    throw error
  }
}

type AppContext = Context<{ Bindings: Partial<HttpBindings> }>

/**
 * Every request header, lower-case, repeated ones joined with ", " as `Headers` does. Read from
 * Node's rawHeaders when there is a socket: building a WHATWG `Headers` per request showed up
 * in the benchmark's CPU profile.
 */
function requestHeaders(c: AppContext): Record<string, string> {
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

function remoteAddress(c: AppContext): string | null {
  // absent under app.request() in tests, where there is no socket
  return c.env?.incoming?.socket.remoteAddress ?? null
}

/**
 * The receiver's HTTP app: the original OpenResty routes (`/ping`, `/receive-webhooks`,
 * `/dump-webhooks`, `/favicon.ico`) with their bugs fixed, the JSON API under `/api`, and the
 * inspector at `/`. Pure: no server, no environment, no timers.
 *
 * @example
 * const app = createApp({ store: createSqliteStore({ path: ':memory:' }) })
 * const res = await app.request('/ping') // 200 PONG
 */
export function createApp(options: AppOptions): Hono<{ Bindings: Partial<HttpBindings> }> {
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

  const signaturePolicy: SignaturePolicy = {
    secret,
    requireSignature,
    requireBodyDigest,
    maxAgeSeconds: signatureMaxAgeSeconds,
    now,
  }
  const app = new Hono<{ Bindings: Partial<HttpBindings> }>()

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

  app.use(async (c, next) => {
    if (!PING.test(c.req.path)) return next()
    // explicit length so HEAD also announces it, as nginx did
    return c.body('PONG', 200, { 'content-type': 'text/plain', 'content-length': '4' })
  })

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

  app.all('/favicon.ico', (c) => c.body(null, 204))

  if (auth !== null) {
    app.use(basicAuth({ ...auth, realm: 'up42-webhooks receiver' }))
  }
  app.use('/api/*', requireJsonBody())

  const tooLarge = (): never => {
    throw fail(413, `body larger than ${maxBodyBytes} bytes`)
  }
  const limitStreamedBody = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge })

  app.post(
    '/receive-webhooks',
    (c, next) => {
      // bodyLimit only for bodies without a Content-Length: before reading that header it touches
      // c.req.raw.body, which makes @hono/node-server wrap the socket in a web ReadableStream and
      // costs ~10x throughput. Node's parser guarantees the body is exactly Content-Length bytes.
      const length = header(c, 'content-length')
      if (length === undefined || header(c, 'transfer-encoding') !== undefined) {
        return limitStreamedBody(c, next)
      }
      if (Number(length) > maxBodyBytes) tooLarge()
      return next()
    },
    async (c) => {
      const body = new Uint8Array(await c.req.arrayBuffer())
      const input = await intakeRequest(
        { body, headers: requestHeaders(c), remoteAddress: remoteAddress(c) },
        signaturePolicy
      )
      const result = await store.insert(input)
      events.emit({ type: result.duplicate ? 'duplicate' : 'stored', webhook: result.webhook })
      const msg = result.duplicate
        ? `duplicate of key ${result.id}`
        : `value with key ${result.id} stored`
      return c.body(`{"msg": "${msg}"}\n`, 200, { 'content-type': JSON_TYPE })
    }
  )
  app.all('/receive-webhooks', (c) => methodNotAllowed(c, 'POST'))

  app.get('/dump-webhooks', (c) => {
    const query = c.req.query()
    const iterateOptions: IterateOptions = parseFilter(query)
    const since = parseInteger('since', query.since, 0)
    const limit = parseInteger('limit', query.limit, 0)
    if (since !== undefined) iterateOptions.since = since
    if (limit !== undefined) iterateOptions.limit = limit

    const chunks = store.iterateCompact(iterateOptions)[Symbol.asyncIterator]()
    let count = 0
    let counted = false
    const body = pulledBody(
      c,
      {
        async next() {
          if (counted) return null
          const next = await chunks.next()
          if (next.done) {
            counted = true
            return Buffer.from(`{"number_webhooks_received": ${count}}\n`)
          }
          count += next.value.length
          return Buffer.from(`${next.value.join('\n')}\n`)
        },
        async close() {
          await chunks.return?.()
        },
      },
      // the 200 is already sent: the connection is aborted so the client sees a failed dump
      onError
    )
    // NDJSON, not one JSON document (the original said application/json, bug B10)
    return c.body(body, 200, { 'content-type': 'application/x-ndjson' })
  })
  app.all('/dump-webhooks', (c) => methodNotAllowed(c, 'GET, HEAD'))

  app.get('/api/webhooks', async (c) => {
    const query = c.req.query()
    const cursor = parseInteger('cursor', query.cursor, 1)
    const limit = parseInteger('limit', query.limit, 1, MAX_PAGE_SIZE)
    const page = await store.list(parseFilter(query), {
      cursor: cursor === undefined ? null : String(cursor),
      ...(limit === undefined ? {} : { limit }),
    })
    return c.json(page)
  })

  app.get('/api/webhooks/:id{[0-9]+}', async (c) => {
    const id = Number(c.req.param('id'))
    const record = await store.get(id)
    if (record === null) throw fail(404, `webhook ${id} not found`)
    // also hides credentials that an older version stored
    return c.json({ ...record, headers: withoutCredentials(record.headers) })
  })

  app.delete('/api/webhooks/:id{[0-9]+}', async (c) => {
    const id = Number(c.req.param('id'))
    if (!(await store.delete(id))) throw fail(404, `webhook ${id} not found`)
    events.emit({ type: 'deleted', id })
    return c.json({ deleted: 1 })
  })

  app.delete('/api/webhooks', async (c) => {
    if (c.req.query('confirm') !== 'yes') {
      throw fail(400, 'deleting every webhook needs ?confirm=yes')
    }
    const count = await store.clear()
    events.emit({ type: 'cleared', count })
    return c.json({ deleted: count })
  })

  app.get('/api/stats', async (c) => c.json(await store.stats()))

  app.route(
    '/',
    createInspectorRoutes({
      store,
      events,
      secret,
      replayUrl,
      onError,
      maxBodyBytes,
      ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
      ...(replay === undefined ? {} : { replay }),
      ...(assetsDir === undefined ? {} : { assetsDir }),
    })
  )

  return app
}
