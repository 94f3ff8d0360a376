import { describe, expect, it } from 'vitest'
import { jobEvent, readSse } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import type { WebhookStore } from './store.ts'
import { createWebhookEvents } from './webhook-events.ts'
import type { WebhookEvents } from './webhook-events.ts'
import { useMemoryStore } from '../test/memory-store.ts'

describe('GET /api/stream', () => {
  let store: WebhookStore
  let events: WebhookEvents
  let app: ReturnType<typeof createApp>

  useMemoryStore((opened) => {
    store = opened
    events = createWebhookEvents()
    app = createApp({ store, events })
  })

  const post = (body: string) =>
    app.request('/receive-webhooks', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })

  it('Should announce the current position, then push webhooks as they are stored', async () => {
    await post(jobEvent({ messageId: 'm-0' }))
    const res = await app.request('/api/stream')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    const reading = readSse(res, (messages) => messages.length >= 3)
    await post(jobEvent({ messageId: 'm-1', status: 'PENDING' }))
    await post(jobEvent({ messageId: 'm-2', status: 'SUCCEEDED' }))
    const messages = await reading

    expect(messages[0]).toMatchObject({ event: 'ready', id: '1' })
    expect(messages.slice(1).map((m) => [m.event, m.id, JSON.parse(m.data).status])).toEqual([
      ['webhook', '2', 'PENDING'],
      ['webhook', '3', 'SUCCEEDED'],
    ])
    expect(JSON.parse(messages[1]!.data)).toMatchObject({
      id: 2,
      messageId: 'm-1',
      event: 'job.status',
      jobId: 'job-1',
      deliveryCount: 1,
    })
  })

  it('Should replay everything after Last-Event-ID before going live, in id order and without repeats', async () => {
    for (let i = 1; i <= 4; i++) await post(jobEvent({ messageId: `m-${i}` }))
    const res = await app.request('/api/stream', { headers: { 'last-event-id': '2' } })
    const reading = readSse(res, (messages) => messages.some((m) => m.id === '5'))
    await post(jobEvent({ messageId: 'm-5' }))
    const messages = await reading
    expect(messages.map((m) => `${m.event}:${m.id}`)).toEqual([
      'webhook:3',
      'webhook:4',
      'ready:4',
      'webhook:5',
    ])
  })

  it('Should resume from ?since= for clients without EventSource', async () => {
    for (let i = 1; i <= 3; i++) await post(jobEvent({ messageId: `m-${i}` }))
    const res = await app.request('/api/stream?since=1')
    const messages = await readSse(res, (m) => m.some((x) => x.event === 'ready'))
    expect(messages.map((m) => m.id)).toEqual(['2', '3', '3'])
  })

  it('Should apply the list filters to resumed and live webhooks alike', async () => {
    await post(jobEvent({ messageId: 'a', status: 'FAILED' }))
    await post(jobEvent({ messageId: 'b', status: 'RUNNING' }))
    const res = await app.request('/api/stream?status=FAILED&since=0')
    const reading = readSse(res, (m) => m.filter((x) => x.event === 'webhook').length >= 2)
    await post(jobEvent({ messageId: 'c', status: 'RUNNING' }))
    await post(jobEvent({ messageId: 'd', status: 'FAILED' }))
    const messages = (await reading).filter((m) => m.event === 'webhook')
    expect(messages.map((m) => JSON.parse(m.data).messageId)).toEqual(['a', 'd'])
  })

  it('Should match status exactly, as the store does, for resumed and live webhooks', async () => {
    await post(jobEvent({ messageId: 'a', status: 'FAILED' }))
    const res = await app.request('/api/stream?status=failed&since=0')
    const reading = readSse(res, (m) => m.some((x) => x.event === 'deleted'))
    await post(jobEvent({ messageId: 'b', status: 'FAILED' }))
    // deletions are not filtered: once this one arrives, webhook 2 would have been sent before it
    await app.request('/api/webhooks/1', { method: 'DELETE' })
    const messages = await reading
    expect(messages.map((m) => m.event)).toEqual(['ready', 'deleted'])
  })

  it('Should report a duplicate as a delivery event without moving the resume id', async () => {
    const body = jobEvent({ messageId: 'same' })
    await post(body)
    const res = await app.request('/api/stream')
    const reading = readSse(res, (m) => m.some((x) => x.event === 'delivery'))
    await post(body)
    const messages = await reading
    const delivery = messages.find((m) => m.event === 'delivery')!
    expect(delivery.id).toBeNull()
    expect(JSON.parse(delivery.data)).toMatchObject({ id: 1, deliveryCount: 2 })
  })

  it('Should unsubscribe from live events when the client goes away', async () => {
    expect(events.listenerCount).toBe(0)
    const res = await app.request('/api/stream')
    let whileOpen = -1
    await readSse(res, (m) => {
      whileOpen = events.listenerCount
      return m.length >= 1
    }) // cancels the body afterwards
    expect(whileOpen).toBe(1)
    await expect.poll(() => events.listenerCount).toBe(0)
  })

  it('Should send heartbeat comments on an idle stream', async () => {
    const { createStreamRoutes } = await import('./routes/stream.ts')
    const routes = createStreamRoutes({ store, events, heartbeatMs: 20 })
    const res = await routes.request('/api/stream')
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes(': ping')) {
      const chunk = await reader.read()
      if (chunk.done) break
      text += new TextDecoder().decode(chunk.value)
    }
    await reader.cancel()
    expect(text).toContain(': ping\n\n')
  })

  it('Should answer 400 for a resume id that is not a webhook id', async () => {
    const res = await app.request('/api/stream', { headers: { 'last-event-id': 'abc' } })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 400, msg: expect.stringContaining('resume id') })
  })
})
