import { Hono } from 'hono'
import { filterFromQuery, resumeId } from '../query-filter.ts'
import type { WebhookStore } from '../store.ts'
import { streamWebhooks } from '../stream.ts'
import type { WebhookEvents } from '../webhook-events.ts'
import { query } from './http.ts'
import type { AppEnv } from './http.ts'

export interface StreamRoutesDeps {
  store: WebhookStore
  events: WebhookEvents
  /** SSE heartbeat interval; default 15 s. */
  heartbeatMs?: number
}

/** `GET /api/stream`: live events as SSE, resuming after `Last-Event-ID` or `?since=`. */
export function createStreamRoutes(deps: StreamRoutesDeps): Hono<AppEnv> {
  const { store, events } = deps
  const routes = new Hono<AppEnv>()
  routes.get('/api/stream', (c) => {
    const filter = query(() => filterFromQuery(c.req.query()))
    const since = query(() => resumeId(c.req.header('last-event-id') ?? c.req.query('since')))
    return streamWebhooks(c, {
      store,
      events,
      filter,
      since,
      ...(deps.heartbeatMs === undefined ? {} : { heartbeatMs: deps.heartbeatMs }),
    })
  })
  return routes
}
