import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { WebhookFilter, WebhookRecord, WebhookStore, WebhookSummary } from './store.ts'
import { STREAM_EVENTS } from './webhook-events.ts'
import type { WebhookEvent, WebhookEvents } from './webhook-events.ts'

export interface StreamOptions {
  store: WebhookStore
  events: WebhookEvents
  /** Only webhooks matching this (free text `q` applies to the resumed part only). */
  filter: WebhookFilter
  /** Replay everything stored after this id first (`Last-Event-ID` / `?since=`). */
  since: number | null
  heartbeatMs?: number
}

const HEARTBEAT_MS = 15_000
/** Reconnect delay suggested to EventSource. */
const RETRY_MS = 2_000
// A client this far behind is cut off; it reconnects with Last-Event-ID and catches up from the
// store, so a slow reader costs bounded memory and loses nothing.
const MAX_QUEUED = 10_000

/**
 * Server-sent events of webhooks as they are committed.
 *
 * - `event: webhook`, `id: <webhook id>`, data = WebhookSummary: a newly stored webhook;
 * - `event: delivery`, data = WebhookSummary: a duplicate raised `deliveryCount` (no id, so it
 *   does not move the resume point);
 * - `event: deleted` data `{"id"}`, `event: cleared` data `{"count"}`;
 * - `event: delivery-state`, data = Delivery: a delivery to a
 *   destination was attempted, delivered, failed or retried by hand (no id);
 * - `event: ready`, `id: <last id>`: sent once the resumed part is done, so even a client that
 *   has seen no webhook yet resumes from the right place after a reconnect;
 * - `: ping` comments keep proxies from closing an idle connection.
 */
export function streamWebhooks(c: Context, options: StreamOptions): Response {
  const { store, events, filter, since } = options
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS
  return streamSSE(c, async (stream) => {
    const queue: WebhookEvent[] = []
    let overflowed = false
    let wake: (() => void) | null = null
    const notify = () => {
      const resolve = wake
      wake = null
      resolve?.()
    }
    // Subscribe before reading the store: a webhook committed in between is then queued rather
    // than missed, and the id check below drops the copy the store already gave us.
    const unsubscribe = events.subscribe((event) => {
      if (queue.length >= MAX_QUEUED) overflowed = true
      else queue.push(event)
      notify()
    })
    let heartbeatDue = false
    const heartbeat = setInterval(() => {
      heartbeatDue = true
      notify()
    }, heartbeatMs)
    stream.onAbort(() => {
      unsubscribe()
      clearInterval(heartbeat)
      notify()
    })
    try {
      let lastSent = 0
      if (since !== null) {
        lastSent = since
        for await (const record of store.iterate({ ...filter, since })) {
          if (stream.aborted) return
          await stream.writeSSE({
            event: STREAM_EVENTS.stored,
            id: String(record.id),
            data: JSON.stringify(summaryOf(record)),
          })
          lastSent = record.id
        }
      }
      const head =
        since === null ? ((await store.list({}, { limit: 1 })).items[0]?.id ?? 0) : lastSent
      // what the client has seen: a store that announces webhooks itself may repeat some up to head
      lastSent = head
      await stream.writeSSE({
        event: STREAM_EVENTS.ready,
        id: String(head),
        retry: RETRY_MS,
        data: JSON.stringify({ lastId: head }),
      })

      while (!stream.aborted && !overflowed) {
        const event = queue.shift()
        if (event) {
          if (event.type === 'stored' && event.webhook.id <= lastSent) continue
          const message = toMessage(event, filter)
          if (message) await stream.writeSSE(message)
        } else if (heartbeatDue) {
          heartbeatDue = false
          await stream.write(': ping\n\n')
        } else {
          await new Promise<void>((resolve) => (wake = resolve))
        }
      }
    } finally {
      unsubscribe()
      clearInterval(heartbeat)
    }
  })
}

function toMessage(event: WebhookEvent, filter: WebhookFilter) {
  switch (event.type) {
    case 'stored':
      if (!matchesFilter(event.webhook, filter)) return null
      return {
        event: STREAM_EVENTS.stored,
        id: String(event.webhook.id),
        data: JSON.stringify(event.webhook),
      }
    case 'duplicate':
      if (!matchesFilter(event.webhook, filter)) return null
      return { event: STREAM_EVENTS.duplicate, data: JSON.stringify(event.webhook) }
    case 'deleted':
      return { event: STREAM_EVENTS.deleted, data: JSON.stringify({ id: event.id }) }
    case 'cleared':
      return { event: STREAM_EVENTS.cleared, data: JSON.stringify({ count: event.count }) }
    case 'delivery-state':
      return { event: STREAM_EVENTS.deliveryState, data: JSON.stringify(event.delivery) }
  }
}

/**
 * The store's summary filters (exact matches, as its SQL has them), applied to a live webhook;
 * free text needs the body: not applied.
 */
function matchesFilter(webhook: WebhookSummary, filter: WebhookFilter): boolean {
  if (filter.event !== undefined && webhook.event !== filter.event) return false
  if (filter.status !== undefined && webhook.status !== filter.status) return false
  if (filter.liveMode !== undefined && webhook.liveMode !== filter.liveMode) return false
  if (filter.jobId !== undefined && webhook.jobId !== filter.jobId) return false
  if (filter.orderId !== undefined && webhook.orderId !== filter.orderId) return false
  if (
    filter.jobOrOrderId !== undefined &&
    webhook.jobId !== filter.jobOrOrderId &&
    webhook.orderId !== filter.jobOrOrderId
  )
    return false
  return true
}

/** A full record reduced to what lists and live events carry. */
function summaryOf(record: WebhookRecord): WebhookSummary {
  const {
    id,
    receivedAt,
    event,
    liveMode,
    status,
    messageId,
    jobId,
    orderId,
    deliveryCount,
    verdict,
    size,
  } = record
  return {
    id,
    receivedAt,
    event,
    liveMode,
    status,
    messageId,
    jobId,
    orderId,
    deliveryCount,
    verdict,
    size,
  }
}
