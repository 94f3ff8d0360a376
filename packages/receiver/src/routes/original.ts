import { Hono } from 'hono'
import type { MiddlewareHandler } from 'hono'
import type { SignaturePolicy } from '../intake.ts'
import { intakeRequest } from '../intake.ts'
import { pulledBody } from '../pulled-body.ts'
import type { DeliveryInput, IterateOptions, WebhookInput, WebhookStore } from '../store.ts'
import type { WebhookEvents } from '../webhook-events.ts'
import { JSON_TYPE, methodNotAllowed, parseFilter, parseInteger } from './http.ts'
import type { AppEnv } from './http.ts'
import type { NodeContext } from '../request-header.ts'

// `/ping` anywhere in the path, any case, as the original's `location ~* /ping`; `/shopping` is no ping
const PING = /\/ping/i

/**
 * The original's `location ~* /ping`: PONG for any method on any path containing `/ping`, before
 * every guard (the forwarder pings through the tunnel without credentials).
 */
export function answerPing(): MiddlewareHandler {
  return async function answerPing(c, next) {
    if (!PING.test(c.req.path)) return next()
    // explicit length so HEAD also announces it, as nginx did
    return c.body('PONG', 200, { 'content-type': 'text/plain', 'content-length': '4' })
  }
}

export interface OriginalRoutesDeps {
  store: WebhookStore
  events: WebhookEvents
  policy: SignaturePolicy
  /** Where an error in the middle of a streamed dump is reported. */
  onError: (error: unknown) => void
  /** Every request header, lower-case (see `createApp`). */
  requestHeaders: (c: NodeContext) => Record<string, string>
  /** The outbox rows a new webhook needs, stored in its transaction; none by default. */
  routeDeliveries?: (input: WebhookInput) => DeliveryInput[]
}

function remoteAddress(c: NodeContext): string | null {
  // absent under app.request() in tests, where there is no socket
  return c.env?.incoming?.socket.remoteAddress ?? null
}

/**
 * The original OpenResty receiver's routes, with their bugs fixed: `POST /receive-webhooks`
 * (intake, then the store) and `GET /dump-webhooks` (every stored body as one line, then the
 * count), and `/favicon.ico`. `createApp` mounts them behind its guards and body limit.
 */
export function createOriginalRoutes(deps: OriginalRoutesDeps): Hono<AppEnv> {
  const { store, events, policy, onError, requestHeaders } = deps
  const routes = new Hono<AppEnv>()

  routes.all('/favicon.ico', (c) => c.body(null, 204))

  routes.post('/receive-webhooks', async (c) => {
    const body = new Uint8Array(await c.req.arrayBuffer())
    const input = await intakeRequest(
      { body, headers: requestHeaders(c), remoteAddress: remoteAddress(c) },
      policy
    )
    if (deps.routeDeliveries !== undefined) input.deliveries = deps.routeDeliveries(input)
    const result = await store.insert(input)
    // the summary is built only for a listener (the inspector's stream)
    if (events.listenerCount > 0) {
      events.emit({ type: result.duplicate ? 'duplicate' : 'stored', webhook: result.webhook })
    }
    const msg = result.duplicate
      ? `duplicate of key ${result.id}`
      : `value with key ${result.id} stored`
    return c.body(`{"msg": "${msg}"}\n`, 200, { 'content-type': JSON_TYPE })
  })
  routes.all('/receive-webhooks', (c) => methodNotAllowed(c, 'POST'))

  routes.get('/dump-webhooks', (c) => {
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
  routes.all('/dump-webhooks', (c) => methodNotAllowed(c, 'GET, HEAD'))

  return routes
}
