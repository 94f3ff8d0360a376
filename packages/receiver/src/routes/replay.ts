import { Hono } from 'hono'
import type { Context } from 'hono'
import { DEFAULT_REPLAY_CONCURRENCY, REPLAY_MODE, ReplayError, replayWebhook } from '../replay.ts'
import type { ReplaySettings } from '../replay.ts'
import type { WebhookStore } from '../store.ts'
import { fail } from './http.ts'
import type { AppEnv } from './http.ts'

export interface ReplayRoutesDeps {
  store: WebhookStore
  /** UP42_WEBHOOK_SECRET, to re-sign replays. */
  secret?: string | string[] | null
  /** REPLAY_URL: where replays are sent. */
  replayUrl?: string | null
  fetch?: typeof fetch
  /** Replay timeout; default 10 s. */
  replayTimeoutMs?: number
  /** In-flight limit, shutdown signal and resolver for replays. */
  replay?: ReplaySettings
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text()
  if (text.trim() === '') return {}
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>
    }
  } catch {
    // answered below
  }
  throw fail(400, 'body must be a JSON object like {"url": "http://…", "mode": "resign"}')
}

/** Replays of a stored webhook (`POST /api/webhooks/:id/replay`) and their record. */
export function createReplayRoutes(deps: ReplayRoutesDeps): Hono<AppEnv> {
  const { store, secret = null, replayUrl = null } = deps
  const { concurrency = DEFAULT_REPLAY_CONCURRENCY, signal: shutdown, resolve } = deps.replay ?? {}
  let replaysInFlight = 0
  const routes = new Hono<AppEnv>()

  const replay = async (c: Context<AppEnv>) => {
    const id = Number(c.req.param('id'))
    const body = await jsonBody(c)
    const record = await store.get(id)
    if (record === null) throw fail(404, `webhook ${id} not found`)
    // the socket the request came in on is the receiver's own listening port and address
    const socket = c.env?.incoming?.socket
    let attemptInput
    try {
      attemptInput = await replayWebhook(record, {
        url: typeof body['url'] === 'string' ? body['url'] : null,
        defaultUrl: replayUrl,
        mode: typeof body['mode'] === 'string' ? body['mode'] : REPLAY_MODE.raw,
        secret,
        self: socket?.localPort ? { port: socket.localPort, address: socket.localAddress } : null,
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
        ...(deps.replayTimeoutMs === undefined ? {} : { timeoutMs: deps.replayTimeoutMs }),
        ...(shutdown === undefined ? {} : { signal: shutdown }),
        ...(resolve === undefined ? {} : { resolve }),
      })
    } catch (error) {
      if (error instanceof ReplayError) throw fail(400, error.message)
      throw error
    }
    const attempt = await store.addReplayAttempt(id, attemptInput)
    if (attempt === null) throw fail(404, `webhook ${id} was deleted meanwhile`)
    const delivered = attempt.status !== null && attempt.status >= 200 && attempt.status < 300
    // 502: the replay was made and recorded, but the target did not accept it.
    return c.json({ attempt }, delivered ? 200 : 502)
  }

  routes.post('/api/webhooks/:id{[0-9]+}/replay', async (c) => {
    // A bound, not a queue: a replay that reaches this receiver again (through a tunnel or a
    // second receiver) fails fast once the chain is `concurrency` deep instead of piling up.
    if (shutdown?.aborted || replaysInFlight >= concurrency) {
      const msg = shutdown?.aborted
        ? 'the receiver is shutting down'
        : `${concurrency} replays are already in flight; retry`
      return c.json({ code: 503, msg }, 503, { 'retry-after': '1' })
    }
    replaysInFlight++
    try {
      return await replay(c)
    } finally {
      replaysInFlight--
    }
  })

  routes.get('/api/webhooks/:id{[0-9]+}/replays', async (c) => {
    const id = Number(c.req.param('id'))
    if ((await store.get(id)) === null) throw fail(404, `webhook ${id} not found`)
    return c.json({ items: await store.listReplayAttempts(id) })
  })

  return routes
}
