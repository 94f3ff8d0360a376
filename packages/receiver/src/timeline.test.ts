import { describe, expect, it } from 'vitest'
import { jobEvent } from '../test/inspector-helpers.ts'
import { createApp } from './app.ts'
import type { WebhookStore } from './store.ts'
import { useMemoryStore } from '../test/memory-store.ts'

describe('GET /api/timeline', () => {
  let store: WebhookStore
  let app: ReturnType<typeof createApp>
  useMemoryStore((opened) => {
    store = opened
    app = createApp({ store })
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

  it('Should page with limit and cursor, flagging each page as the whole timeline', async () => {
    const at = (minute: number) => `2024-03-01T10:${String(minute).padStart(2, '0')}:00Z`
    const statuses = ['PENDING', 'RUNNING', 'SUCCEEDED', 'RUNNING', 'FAILED', 'RUNNING']
    const minutes = [0, 5, 6, 3, 7, 8]
    for (const [i, status] of statuses.entries()) {
      await post(jobEvent({ messageId: `p-${i}`, jobId: 'P', status, timestamp: at(minutes[i]!) }))
      await post(jobEvent({ messageId: `q-${i}`, jobId: 'other', status }))
    }
    const whole = await (await app.request('/api/timeline?key=P')).json()
    expect(whole.nextCursor).toBeNull()
    expect(whole.entries).toHaveLength(6)

    const entries = []
    const cursors = []
    let cursor: string | null = null
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`
      const res = await app.request(`/api/timeline?key=P&limit=2${query}`)
      expect(res.status).toBe(200)
      const page = await res.json()
      expect(page.entries.length).toBeLessThanOrEqual(2)
      expect(page.truncated).toBe(page.nextCursor !== null)
      entries.push(...page.entries)
      cursor = page.nextCursor
      cursors.push(cursor)
    } while (typeof cursor === 'string' && cursors.length < 10)
    expect(cursors).toHaveLength(3)
    expect(entries).toEqual(whole.entries)
    expect(entries.map((e) => e.flags)).toEqual([
      [],
      [],
      [],
      ['after-terminal', 'timestamp-earlier'],
      ['after-terminal'],
      ['after-terminal'],
    ])
  })

  it('Should read summaries only: no body in the answer, none read from the store', async () => {
    const pad = 'x'.repeat(256 * 1024)
    for (let i = 0; i < 3; i++) {
      await post(
        JSON.stringify({ ...JSON.parse(jobEvent({ messageId: `big-${i}`, jobId: 'B' })), pad })
      )
    }
    const read: string[] = []
    const watched: WebhookStore = {
      ...store,
      get: (id) => (read.push('get'), store.get(id)),
      iterate: (options) => (read.push('iterate'), store.iterate(options)),
      iterateCompact: (options) => (read.push('iterateCompact'), store.iterateCompact(options)),
    }
    const res = await createApp({ store: watched }).request('/api/timeline?key=B')
    const text = await res.text()
    expect(res.status).toBe(200)
    expect(text.length).toBeLessThan(2000)
    expect(JSON.parse(text).entries.map((e: object) => Object.keys(e).sort())).toEqual(
      Array(3).fill([
        'deliveryCount',
        'event',
        'flags',
        'id',
        'liveMode',
        'receivedAt',
        'status',
        'terminal',
        'timestamp',
      ])
    )
    expect(read).toEqual([])
  })

  it.each([
    ['limit=0', /limit must be an integer from 1 to 500/],
    ['limit=501', /limit must be an integer from 1 to 500/],
    ['limit=ten', /limit must be an integer/],
    ['cursor=12', /cursor must be the nextCursor of a previous page/],
    ['cursor=1.2.', /cursor must be the nextCursor/],
  ])('Should answer 400 to %s', async (query, message) => {
    const res = await app.request(`/api/timeline?key=J&${query}`)
    expect(res.status).toBe(400)
    expect((await res.json()).msg).toMatch(message)
  })

  it('Should answer 400 without a key', async () => {
    const res = await app.request('/api/timeline')
    expect(res.status).toBe(400)
    expect((await res.json()).msg).toMatch(/key/)
  })
})
