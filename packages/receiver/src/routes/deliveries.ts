import { Hono } from 'hono'
import { DELIVERY_STATES, MAX_PAGE_SIZE } from '../store.ts'
import type {
  Delivery,
  DeliveryFilter,
  DeliveryKind,
  DeliveryState,
  WebhookStore,
} from '../store.ts'
import type { WebhookEvents } from '../webhook-events.ts'
import { fail, parseInteger } from './http.ts'
import type { AppEnv } from './http.ts'

/** A configured destination as the API shows it: never its URL, only its masked `display`. */
export interface DestinationInfo {
  name: string
  kind: DeliveryKind
  display: string
}

export interface DeliveryRoutesDeps {
  store: WebhookStore
  events: WebhookEvents
  destinations: readonly DestinationInfo[]
}

/** A delivery as the API answers it: with its destination's `display` (null if unconfigured now). */
export type DeliveryView = Delivery & { destinationDisplay: string | null }

/**
 * The outbox over HTTP: `GET /api/webhooks/:id/deliveries`, `GET /api/deliveries?state=`
 * (cursor pages), `POST /api/deliveries/:id/retry` and `GET /api/destinations` (the configured
 * ones, with counts by state for the inspector's badge).
 */
export function createDeliveryRoutes(deps: DeliveryRoutesDeps): Hono<AppEnv> {
  const { store, events } = deps
  const displays = new Map(deps.destinations.map((d) => [d.name, d.display]))
  const view = (delivery: Delivery): DeliveryView => ({
    ...delivery,
    destinationDisplay: displays.get(delivery.destination) ?? null,
  })
  const routes = new Hono<AppEnv>()

  const page = async (filter: DeliveryFilter, query: Record<string, string>) => {
    const cursor = parseInteger('cursor', query.cursor, 1)
    const limit = parseInteger('limit', query.limit, 1, MAX_PAGE_SIZE)
    const result = await store.listDeliveries(filter, {
      cursor: cursor === undefined ? null : String(cursor),
      ...(limit === undefined ? {} : { limit }),
    })
    return { items: result.items.map(view), nextCursor: result.nextCursor }
  }

  routes.get('/api/webhooks/:id{[0-9]+}/deliveries', async (c) => {
    const id = Number(c.req.param('id'))
    if ((await store.get(id)) === null) throw fail(404, `webhook ${id} not found`)
    return c.json(await page({ webhookId: id }, c.req.query()))
  })

  routes.get('/api/deliveries', async (c) => {
    const query = c.req.query()
    const filter: DeliveryFilter = {}
    if (query.state !== undefined) {
      if (!(DELIVERY_STATES as readonly string[]).includes(query.state)) {
        throw fail(400, `state must be one of ${DELIVERY_STATES.join(', ')}`)
      }
      filter.state = query.state as DeliveryState
    }
    if (query.destination !== undefined) filter.destination = query.destination
    return c.json(await page(filter, query))
  })

  routes.post('/api/deliveries/:id{[0-9]+}/retry', async (c) => {
    const id = Number(c.req.param('id'))
    const delivery = await store.retryDelivery(id)
    if (delivery === null) throw fail(404, `delivery ${id} not found`)
    // the dispatcher listens too: a delivery due now is sent at once
    events.emit({ type: 'delivery-state', delivery })
    return c.json(view(delivery))
  })

  routes.get('/api/destinations', async (c) =>
    c.json({ destinations: deps.destinations, counts: await store.deliveryCounts() })
  )

  return routes
}
