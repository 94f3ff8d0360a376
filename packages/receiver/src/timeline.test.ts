import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { jobEvent } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookStore } from './store.ts'

describe('GET /api/timeline', () => {
  let store: WebhookStore
  let app: ReturnType<typeof createApp>
  beforeEach(() => {
    store = createSqliteStore({ path: ':memory:' })
    app = createApp({ store })
  })
  afterEach(async () => {
    await store.close()
  })

  const post = (body: string) =>
    app.request('/receive-webhooks', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })

  it('Should list one job in arrival order, marking terminal statuses and out-of-order arrivals', async () => {
    const at = (minute: number) => `2024-03-01T10:${String(minute).padStart(2, '0')}:00Z`
    await post(jobEvent({ messageId: '1', jobId: 'J', status: 'PENDING', timestamp: at(0) }))
    await post(jobEvent({ messageId: '2', jobId: 'other', status: 'RUNNING', timestamp: at(1) }))
    await post(jobEvent({ messageId: '3', jobId: 'J', status: 'SUCCEEDED', timestamp: at(5) }))
    await post(jobEvent({ messageId: '4', jobId: 'J', status: 'RUNNING', timestamp: at(3) }))
    const order = JSON.stringify({
      event: 'order.status',
      liveMode: true,
      messageId: '5',
      timestamp: at(6),
      body: { orderId: 'J', status: 'FULFILLED' },
    })
    await post(order)

    const res = await app.request('/api/timeline?key=J')
    expect(res.status).toBe(200)
    const timeline = await res.json()
    expect(timeline.truncated).toBe(false)
    expect(
      timeline.entries.map(
        (e: { id: number; status: string; terminal: boolean; flags: string[] }) => [
          e.id,
          e.status,
          e.terminal,
          e.flags,
        ]
      )
    ).toEqual([
      [1, 'PENDING', false, []],
      [3, 'SUCCEEDED', true, []],
      [4, 'RUNNING', false, ['after-terminal', 'timestamp-earlier']],
      [5, 'FULFILLED', true, ['after-terminal']],
    ])
    expect(timeline.entries[0].timestamp).toBe(at(0))
  })

  it('Should flag an envelope timestamp earlier than one that arrived before it', async () => {
    await post(
      jobEvent({
        messageId: 'a',
        jobId: 'K',
        status: 'RUNNING',
        timestamp: '2024-03-01T10:05:00.5Z',
      })
    )
    await post(
      jobEvent({
        messageId: 'b',
        jobId: 'K',
        status: 'PENDING',
        timestamp: '2024-03-01T10:05:00.25Z',
      })
    )
    const { entries } = await (await app.request('/api/timeline?jobId=K')).json()
    expect(entries.map((e: { flags: string[] }) => e.flags)).toEqual([[], ['timestamp-earlier']])
  })

  it('Should answer 400 without a key', async () => {
    const res = await app.request('/api/timeline')
    expect(res.status).toBe(400)
    expect((await res.json()).msg).toMatch(/key/)
  })
})
