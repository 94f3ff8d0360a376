import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp } from '../app.ts'
import { createSqliteStore } from '../sqlite-store.ts'
import { input, jobEvent } from '../store-contract.ts'
import type { WebhookStore } from '../store.ts'
import { createWebhookEvents } from '../webhook-events.ts'
import type { WebhookEvent } from '../webhook-events.ts'

describe('deliveries API', () => {
  let store: WebhookStore
  const seen: WebhookEvent[] = []
  let app: ReturnType<typeof createApp>

  beforeEach(() => {
    store = createSqliteStore({ path: ':memory:' })
    const events = createWebhookEvents()
    seen.length = 0
    events.subscribe((e) => seen.push(e))
    app = createApp({
      store,
      events,
      destinations: [{ name: 'phone', kind: 'notify', display: 'ntfy+https://ntfy.sh/***' }],
      routeDeliveries: () => [{ destination: 'phone', kind: 'notify' }],
    })
  })

  afterEach(() => store.close())

  const receive = async (body = jobEvent({ status: 'FAILED' })) => {
    const res = await app.request('/receive-webhooks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(200)
    return Number(/key (\d+)/.exec(await res.text())![1])
  }

  it('writes the routed deliveries with the webhook and lists them with the masked display', async () => {
    const id = await receive()
    const res = await app.request(`/api/webhooks/${id}/deliveries`)
    expect(res.status).toBe(200)
    const { items, nextCursor } = (await res.json()) as { items: unknown[]; nextCursor: null }
    expect(nextCursor).toBeNull()
    expect(items).toMatchObject([
      {
        webhookId: id,
        destination: 'phone',
        state: 'pending',
        destinationDisplay: 'ntfy+https://ntfy.sh/***',
      },
    ])
    expect((await app.request('/api/webhooks/999/deliveries')).status).toBe(404)
    const destinations = await (await app.request('/api/destinations')).json()
    expect(destinations).toEqual({
      destinations: [{ name: 'phone', kind: 'notify', display: 'ntfy+https://ntfy.sh/***' }],
      counts: { pending: 1, delivered: 0, failed: 0 },
    })
  })

  it('filters by state with cursor pages and refuses an unknown state', async () => {
    for (let i = 0; i < 3; i++) await receive()
    const first = (await (await app.request('/api/deliveries?state=pending&limit=2')).json()) as {
      items: { id: number }[]
      nextCursor: string
    }
    expect(first.items).toHaveLength(2)
    const second = (await (
      await app.request(`/api/deliveries?state=pending&limit=2&cursor=${first.nextCursor}`)
    ).json()) as { items: { id: number }[]; nextCursor: string | null }
    expect(second).toMatchObject({ nextCursor: null })
    expect(second.items).toHaveLength(1)
    expect((await (await app.request('/api/deliveries?state=failed')).json()).items).toEqual([])
    const bad = await app.request('/api/deliveries?state=lost')
    expect(bad.status).toBe(400)
    expect(await bad.text()).toMatch(/pending, delivered, failed/)
  })

  it('retries a delivery by hand, announcing it; 404 for an unknown one; cross-site POSTs refused', async () => {
    const id = await receive()
    const [delivery] = (await store.listDeliveries({ webhookId: id })).items
    const res = await app.request(`/api/deliveries/${delivery!.id}/retry`, { method: 'POST' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ id: delivery!.id, state: 'pending' })
    expect(seen.filter((e) => e.type === 'delivery-state')).toHaveLength(1)
    expect((await app.request('/api/deliveries/999/retry', { method: 'POST' })).status).toBe(404)
    const crossSite = await app.request(`/api/deliveries/${delivery!.id}/retry`, {
      method: 'POST',
      headers: { 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
    })
    expect(crossSite.status).toBe(403)
    const plain = await app.request(`/api/deliveries/${delivery!.id}/retry`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    })
    expect(plain.status).toBe(415)
    expect(seen.filter((e) => e.type === 'delivery-state')).toHaveLength(1)
  })

  it('creates no deliveries for a duplicate', async () => {
    const body = jobEvent({ messageId: 'same' })
    await receive(body)
    await receive(body)
    expect(await store.deliveryCounts()).toEqual({ pending: 1, delivered: 0, failed: 0 })
  })
})
