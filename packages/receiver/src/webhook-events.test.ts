import { describe, expect, it } from 'vitest'
import { createWebhookEvents } from './webhook-events.ts'
import type { WebhookEvent } from './webhook-events.ts'

describe('createWebhookEvents', () => {
  it('delivers events to every subscriber until it unsubscribes', () => {
    const events = createWebhookEvents()
    const a: WebhookEvent[] = []
    const b: WebhookEvent[] = []
    const stopA = events.subscribe((e) => a.push(e))
    events.subscribe((e) => b.push(e))
    expect(events.listenerCount).toBe(2)
    events.emit({ type: 'deleted', id: 1 })
    stopA()
    events.emit({ type: 'cleared', count: 3 })
    expect(a).toEqual([{ type: 'deleted', id: 1 }])
    expect(b).toEqual([
      { type: 'deleted', id: 1 },
      { type: 'cleared', count: 3 },
    ])
    expect(events.listenerCount).toBe(1)
  })

  it('isolates a throwing listener and reports its error', () => {
    const reported: unknown[] = []
    const events = createWebhookEvents({ onListenerError: (e) => reported.push(e) })
    const seen: WebhookEvent[] = []
    events.subscribe(() => {
      throw new Error('boom')
    })
    events.subscribe((e) => seen.push(e))
    expect(() => events.emit({ type: 'deleted', id: 2 })).not.toThrow()
    expect(seen).toHaveLength(1)
    expect(reported).toEqual([new Error('boom')])
  })

  it('counts the same function subscribed twice as two subscriptions', () => {
    const events = createWebhookEvents()
    let calls = 0
    const listener = () => calls++
    const stop = events.subscribe(listener)
    events.subscribe(listener)
    events.emit({ type: 'deleted', id: 3 })
    stop()
    events.emit({ type: 'deleted', id: 4 })
    expect(calls).toBe(3)
  })
})
