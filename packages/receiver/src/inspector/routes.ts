import { Hono } from 'hono'
import type { WebhookStore } from '../store.ts'
import type { WebhookEvents } from '../webhook-events.ts'

/** What the inspector gets from `createApp`. */
export interface InspectorDeps {
  store: WebhookStore
  events: WebhookEvents
  /** UP42_WEBHOOK_SECRET, to re-sign replays. */
  secret?: string | string[] | null
  /** REPLAY_URL: where replays are sent. */
  replayUrl?: string | null
  fetch?: typeof fetch
}

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>up42-webhooks receiver</title></head>
<body>
<h1>up42-webhooks receiver</h1>
<ul>
<li><a href="/dump-webhooks">/dump-webhooks</a>: every stored webhook, one JSON per line</li>
<li><a href="/api/webhooks">/api/webhooks</a>: newest first, JSON</li>
<li><a href="/api/stats">/api/stats</a>: counts by event and status</li>
</ul>
</body>
</html>
`

/** Routes of the web inspector, mounted at `/` by `createApp` (behind its basic auth). */
export function createInspectorRoutes(_deps: InspectorDeps): Hono {
  const routes = new Hono()
  routes.get('/', (c) => c.html(PAGE))
  return routes
}
