import { startRecordingServer } from '@up42-webhooks/test-support'
import type { RecordingServer } from '@up42-webhooks/test-support'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { routeDeliveries } from './delivery-routing.ts'
import { createDispatcher, intakeSaturated } from './dispatcher.ts'
import type { Dispatcher, DispatchTarget } from './dispatcher.ts'
import { forwardWebhook, parseForwardTarget } from './forward-sender.ts'
import { createSqliteStore } from './sqlite-store.ts'
import { input, jobEvent } from './store-contract.ts'
import type { Delivery, WebhookStore } from './store.ts'
import { createWebhookEvents } from './webhook-events.ts'
import type { WebhookEvents } from './webhook-events.ts'

describe('createDispatcher', () => {
  let store: WebhookStore
  let events: WebhookEvents
  let app: RecordingServer
  let dispatcher: Dispatcher | null
  const states: Delivery[] = []

  beforeEach(async () => {
    store = createSqliteStore({ path: ':memory:' })
    events = createWebhookEvents()
    events.subscribe((e) => {
      if (e.type === 'delivery-state') states.push(e.delivery)
    })
    app = await startRecordingServer({ fallback: { status: 200, body: 'thanks' } })
    dispatcher = null
    states.length = 0
  })

  afterEach(async () => {
    await dispatcher?.stop()
    await store.close()
    await app.close()
  })

  const forwardTo = (server: RecordingServer, name = 'app'): DispatchTarget => {
    const target = parseForwardTarget(`${server.url}/hook`)
    return {
      name,
      kind: 'forward',
      send: ([record], { idempotencyKey, signal }) =>
        forwardWebhook(record!, target, { mode: 'raw', idempotencyKey, signal, timeoutMs: 2000 }),
    }
  }

  /** Stores a webhook as the intake would, with the deliveries routing gives it, and announces it. */
  const receive = async (body: string, targets: readonly DispatchTarget[], extra = {}) => {
    const record = input(body, {
      headers: { 'content-type': 'application/json', 'x-up42': 'yes' },
      ...extra,
    })
    const routed = targets.map((t) => ({
      name: t.name,
      kind: t.kind,
      filter: {},
      digestWindowMs: t.digestWindowMs ?? 0,
    }))
    const result = await store.insert({
      ...record,
      deliveries: routeDeliveries(record.fields, record.receivedAt, routed),
    })
    events.emit({ type: result.duplicate ? 'duplicate' : 'stored', webhook: result.webhook })
    return result
  }

  /** Resolves with the delivery once an event shows it in `state`. */
  const settled = (state: Delivery['state'], count = 1) =>
    new Promise<Delivery[]>((resolve) => {
      const check = () => {
        const hits = states.filter((d) => d.state === state)
        if (hits.length >= count) resolve(hits)
        else setTimeout(check, 5)
      }
      check()
    })

  it('forwards the raw body with the original headers and an Idempotency-Key, waking on the commit', async () => {
    const target = forwardTo(app)
    dispatcher = createDispatcher({ store, events, destinations: [target], pollMs: 60_000 })
    dispatcher.start()
    const body = jobEvent({ messageId: 'm-1', status: 'FAILED' }).replace('{', '{ ')
    const { id } = await receive(body, [target])
    const [request] = await app.received(1)
    expect(request!.body.toString()).toBe(body)
    expect(request!.headers['idempotency-key']).toBe('m-1:app')
    expect(request!.headers['x-up42']).toBe('yes')
    const [delivered] = await settled('delivered')
    expect(delivered).toMatchObject({
      webhookId: id,
      attempts: 1,
      lastStatus: 200,
      lastResponseExcerpt: 'thanks',
    })
  })

  it('delivers on the third attempt after two 503s, and a duplicate sends nothing new', async () => {
    app.script({ status: 503, body: 'down' }, { status: 503, body: 'down' })
    const target = forwardTo(app)
    dispatcher = createDispatcher({
      store,
      events,
      destinations: [target],
      retrySchedule: [50],
      pollMs: 60_000,
    })
    dispatcher.start()
    await receive(jobEvent({ messageId: 'm-2' }), [target])
    const [delivered] = await settled('delivered')
    expect(delivered).toMatchObject({ attempts: 3, lastStatus: 200 })
    expect(states.filter((d) => d.state === 'pending').map((d) => d.lastStatus)).toEqual([503, 503])
    const again = await receive(jobEvent({ messageId: 'm-2' }), [target])
    expect(again.duplicate).toBe(true)
    expect((await store.listDeliveries({})).items).toHaveLength(1)
    expect(app.requests).toHaveLength(3)
  })

  it('waits at least as long as Retry-After says, and records when it will try again', async () => {
    app.script({ status: 429, headers: { 'retry-after': '3' } })
    const target = forwardTo(app)
    dispatcher = createDispatcher({
      store,
      events,
      destinations: [target],
      retrySchedule: [50],
      pollMs: 60_000,
    })
    dispatcher.start()
    await receive(jobEvent(), [target])
    const [pending] = await new Promise<Delivery[]>((resolve) => {
      const check = () => (states.length > 0 ? resolve(states) : setTimeout(check, 5))
      check()
    })
    expect(pending).toMatchObject({ state: 'pending', lastStatus: 429 })
    const wait = Date.parse(pending!.nextAttemptAt!) - Date.parse(pending!.lastAttemptAt!)
    expect(wait).toBeGreaterThanOrEqual(3000)
  })

  it('fails a 4xx at once with the answer recorded, and a retry by hand sends it again', async () => {
    app.script({ status: 400, body: 'bad signature' })
    const target = forwardTo(app)
    dispatcher = createDispatcher({ store, events, destinations: [target], pollMs: 60_000 })
    dispatcher.start()
    await receive(jobEvent(), [target])
    const [failed] = await settled('failed')
    expect(failed).toMatchObject({
      attempts: 1,
      lastStatus: 400,
      lastResponseExcerpt: 'bad signature',
    })
    const retried = await store.retryDelivery(failed!.id)
    events.emit({ type: 'delivery-state', delivery: retried! })
    const [delivered] = await settled('delivered')
    expect(delivered).toMatchObject({ id: failed!.id, attempts: 2, lastStatus: 200 })
  })

  it('gives up once the next try would pass the maximum age: failed, kept, with the last answer', async () => {
    app.script(...Array.from({ length: 50 }, () => ({ status: 502, body: 'bad gateway' })))
    const target = forwardTo(app)
    dispatcher = createDispatcher({
      store,
      events,
      destinations: [target],
      retrySchedule: [20],
      retryMaxAgeMs: 200,
      pollMs: 60_000,
    })
    dispatcher.start()
    await receive(jobEvent(), [target])
    const [failed] = await settled('failed')
    expect(failed!.attempts).toBeGreaterThan(1)
    expect(failed).toMatchObject({ lastStatus: 502, lastResponseExcerpt: 'bad gateway' })
    expect(failed!.lastError).toMatch(
      /^gave up after \d+ attempts \(retry max age reached\): HTTP 502 Bad Gateway$/
    )
    expect(await store.deliveryCounts()).toEqual({ pending: 0, delivered: 0, failed: 1 })
  })

  it('retries a connection error, recording the error and no status', async () => {
    const down = await startRecordingServer()
    const url = down.url
    await down.close()
    const target: DispatchTarget = {
      name: 'app',
      kind: 'forward',
      send: ([record], ctx) =>
        forwardWebhook(record!, parseForwardTarget(`${url}/x`), {
          mode: 'raw',
          ...ctx,
          timeoutMs: 2000,
        }),
    }
    dispatcher = createDispatcher({
      store,
      events,
      destinations: [target],
      retrySchedule: [30],
      pollMs: 60_000,
    })
    dispatcher.start()
    await receive(jobEvent(), [target])
    const [pending] = await new Promise<Delivery[]>((resolve) => {
      const check = () => (states.length > 0 ? resolve(states) : setTimeout(check, 5))
      check()
    })
    expect(pending).toMatchObject({ state: 'pending', lastStatus: null })
    expect(pending!.lastError).toMatch(/ECONNREFUSED/)
  })

  it('merges a burst into one digest message when the destination has a digest window', async () => {
    const batches: number[] = []
    const digest: DispatchTarget = {
      name: 'phone',
      kind: 'notify',
      digestWindowMs: 150,
      send: async (records) => {
        batches.push(records.length)
        return {
          outcome: 'delivered',
          status: 200,
          error: null,
          responseExcerpt: null,
          retryAfterMs: null,
          latencyMs: 1,
        }
      },
    }
    dispatcher = createDispatcher({ store, events, destinations: [digest], pollMs: 60_000 })
    dispatcher.start()
    for (let i = 0; i < 5; i++) await receive(jobEvent({ status: 'FAILED' }), [digest])
    await settled('delivered', 5)
    expect(batches).toEqual([5])
  })

  /** A destination whose attempts wait until released; counts the most in flight at once. */
  function heldDestination(concurrency: number) {
    const held = { running: 0, most: 0, release: [] as (() => void)[] }
    const target: DispatchTarget = {
      name: 'slow',
      kind: 'forward',
      concurrency,
      send: async () => {
        held.running++
        held.most = Math.max(held.most, held.running)
        await new Promise<void>((resolve) => held.release.push(resolve))
        held.running--
        return {
          outcome: 'delivered',
          status: 200,
          error: null,
          responseExcerpt: null,
          retryAfterMs: null,
          latencyMs: 1,
        }
      },
    }
    /** Releases the held attempts every 10 ms until `count` deliveries are delivered. */
    const releaseUntil = async (count: number) => {
      while (states.filter((d) => d.state === 'delivered').length < count) {
        held.release.splice(0).forEach((release) => release())
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    return { held, target, releaseUntil }
  }

  it('bounds the attempts in flight per destination', async () => {
    const { held, target, releaseUntil } = heldDestination(2)
    dispatcher = createDispatcher({ store, events, destinations: [target], pollMs: 60_000 })
    dispatcher.start()
    for (let i = 0; i < 6; i++) await receive(jobEvent(), [target])
    await releaseUntil(6)
    expect(held.most).toBe(2)
  })

  it('has one attempt in flight per destination while intake keeps the process busy', async () => {
    const { held, target, releaseUntil } = heldDestination(4)
    let saturated = true
    dispatcher = createDispatcher({
      store,
      events,
      destinations: [target],
      pollMs: 60_000,
      busy: () => saturated,
    })
    dispatcher.start()
    for (let i = 0; i < 8; i++) await receive(jobEvent(), [target])
    await releaseUntil(3)
    expect(held.most).toBe(1)
    // the load eased: the destination's own concurrency again
    saturated = false
    await releaseUntil(8)
    expect(held.most).toBe(4)
  })
})

describe('intakeSaturated', () => {
  const block = (ms: number) => {
    const until = performance.now() + ms
    while (performance.now() < until); // a busy event loop
  }

  it('is true after a busy window with webhooks coming in, false after an idle one', async () => {
    let stored = 0
    const busy = intakeSaturated(() => stored, { utilization: 0.5, perSecond: 100, windowMs: 50 })
    stored += 50
    block(80)
    expect(busy()).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 120)) // idle
    stored += 50
    expect(busy()).toBe(false)
  })

  it('is false when the loop is busy but no webhooks come in (the dispatcher catching up)', () => {
    const busy = intakeSaturated(() => 0, { utilization: 0.5, perSecond: 100, windowMs: 50 })
    block(80)
    expect(busy()).toBe(false)
  })
})
