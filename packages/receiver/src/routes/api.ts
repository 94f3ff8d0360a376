import { Hono } from 'hono'
import { withoutCredentials } from '@up42-webhooks/common'
import { MAX_PAGE_SIZE } from '../store.ts'
import type { WebhookStore } from '../store.ts'
import { buildTimeline, TimelineCursorError } from '../timeline.ts'
import type { WebhookEvents } from '../webhook-events.ts'
import { fail, parseFilter, parseInteger } from './http.ts'
import type { AppEnv } from './http.ts'

export interface ApiRoutesDeps {
  store: WebhookStore
  events: WebhookEvents
}

/**
 * The JSON API over stored webhooks: list (cursor pages), one webhook, delete one or all,
 * stats and the timeline of a job or order.
 */
export function createApiRoutes(deps: ApiRoutesDeps): Hono<AppEnv> {
  const { store, events } = deps
  const routes = new Hono<AppEnv>()

  routes.get('/api/webhooks', async (c) => {
    const query = c.req.query()
    const cursor = parseInteger('cursor', query.cursor, 1)
    const limit = parseInteger('limit', query.limit, 1, MAX_PAGE_SIZE)
    const page = await store.list(parseFilter(query), {
      cursor: cursor === undefined ? null : String(cursor),
      ...(limit === undefined ? {} : { limit }),
    })
    return c.json(page)
  })

  routes.get('/api/webhooks/:id{[0-9]+}', async (c) => {
    const id = Number(c.req.param('id'))
    const record = await store.get(id)
    if (record === null) throw fail(404, `webhook ${id} not found`)
    // also hides credentials that an older version stored
    return c.json({ ...record, headers: withoutCredentials(record.headers) })
  })

  routes.delete('/api/webhooks/:id{[0-9]+}', async (c) => {
    const id = Number(c.req.param('id'))
    if (!(await store.delete(id))) throw fail(404, `webhook ${id} not found`)
    events.emit({ type: 'deleted', id })
    return c.json({ deleted: 1 })
  })

  routes.delete('/api/webhooks', async (c) => {
    if (c.req.query('confirm') !== 'yes') {
      throw fail(400, 'deleting every webhook needs ?confirm=yes')
    }
    const count = await store.clear()
    events.emit({ type: 'cleared', count })
    return c.json({ deleted: count })
  })

  routes.get('/api/stats', async (c) => c.json(await store.stats()))

  routes.get('/api/timeline', async (c) => {
    const key = (c.req.query('key') ?? c.req.query('jobId') ?? c.req.query('orderId'))?.trim()
    if (!key) throw fail(400, 'timeline needs ?key=<job or order id>')
    const limit = c.req.query('limit')
    if (limit !== undefined && !(/^\d{1,3}$/.test(limit) && +limit >= 1 && +limit <= MAX_PAGE_SIZE))
      throw fail(400, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`)
    try {
      return c.json(
        await buildTimeline(store, key, {
          cursor: c.req.query('cursor') ?? null,
          ...(limit === undefined ? {} : { limit: Number(limit) }),
        })
      )
    } catch (error) {
      if (error instanceof TimelineCursorError) throw fail(400, error.message)
      throw error
    }
  })

  return routes
}
