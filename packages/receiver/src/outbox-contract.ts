/**
 * The `OutboxStore` contract as one test suite, written once: every store implementation runs
 * it (`describeOutboxContract('createSqliteStore (file)', …)`), through the interface only, so a
 * PostgreSQL store runs it unchanged. It drives the outbox as the dispatcher does: deliveries
 * written with their webhook, claimed under a lease, completed, retried by hand.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { input, jobEvent } from './store-contract.ts'
import type { StoreUnderTest } from './store-contract.ts'
import type { DeliveryInput, WebhookStore } from './store.ts'

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0)
const LEASE = 30_000

const forward: DeliveryInput = { destination: 'app', kind: 'forward' }
const notify: DeliveryInput = { destination: 'ntfy', kind: 'notify' }

/** Registers the outbox contract's tests for one store implementation. */
export function describeOutboxContract(name: string, subject: StoreUnderTest): void {
  describe(`OutboxStore contract: ${name}`, () => {
    let store: WebhookStore

    beforeEach(async () => {
      store = await subject.open()
    })

    afterEach(async () => {
      await store.close()
      await subject.cleanup?.()
    })

    /** Stores a webhook received at `receivedAt` with the given deliveries; returns its id. */
    const stored = async (
      deliveries: readonly DeliveryInput[],
      { receivedAt = T0, messageId }: { receivedAt?: number; messageId?: string } = {}
    ) => {
      const record = input(jobEvent(messageId === undefined ? {} : { messageId }), { receivedAt })
      const result = await store.insert({ ...record, deliveries })
      return result.id
    }
    const claim = (
      owner: string,
      now = T0,
      extra: { limit?: number; destinations?: string[] } = {}
    ) => store.claimDeliveries({ owner, leaseMs: LEASE, limit: extra.limit ?? 10, now, ...extra })
    const ok = (owner: string, at = T0 + 1000) =>
      ({
        owner,
        at,
        status: 200,
        error: null,
        responseExcerpt: 'ok',
        latencyMs: 3,
        outcome: 'delivered',
      }) as const

    it('writes the deliveries with their webhook, pending and due at once, and a duplicate writes none', async () => {
      const id = await stored([forward, notify], { messageId: 'dup-1' })
      const again = await store.insert({
        ...input(jobEvent({ messageId: 'dup-1' }), { receivedAt: T0 + 5 }),
        deliveries: [forward, notify],
      })
      expect(again).toMatchObject({ id, duplicate: true })
      const page = await store.listDeliveries({ webhookId: id })
      expect(page.nextCursor).toBeNull()
      expect(page.items.map((d) => [d.destination, d.kind, d.state]).sort()).toEqual([
        ['app', 'forward', 'pending'],
        ['ntfy', 'notify', 'pending'],
      ])
      const delivery = page.items.find((d) => d.destination === 'app')!
      expect(delivery).toEqual({
        id: delivery.id,
        webhookId: id,
        destination: 'app',
        kind: 'forward',
        state: 'pending',
        attempts: 0,
        createdAt: new Date(T0).toISOString(),
        nextAttemptAt: new Date(T0).toISOString(),
        lastAttemptAt: null,
        lastStatus: null,
        lastError: null,
        lastResponseExcerpt: null,
        deliveredAt: null,
      })
      expect(await store.getDelivery(delivery.id)).toEqual(delivery)
      expect(await store.getDelivery(delivery.id + 1000)).toBeNull()
      expect(await store.deliveryCounts()).toEqual({ pending: 2, delivered: 0, failed: 0 })
      // a webhook without deliveries has none
      const plain = await stored([])
      expect((await store.listDeliveries({ webhookId: plain })).items).toEqual([])
    })

    it('claims due deliveries oldest first, up to the limit, for the given destinations only', async () => {
      const first = await stored([forward, notify], { receivedAt: T0 })
      const second = await stored([forward], { receivedAt: T0 + 10 })
      await stored([{ ...notify, notBefore: T0 + 10_000 }], { receivedAt: T0 + 20 })

      const apps = await claim('a', T0 + 100, { destinations: ['app'], limit: 1 })
      expect(apps.map((d) => [d.webhookId, d.destination])).toEqual([[first, 'app']])
      const rest = await claim('a', T0 + 100)
      expect(rest.map((d) => [d.webhookId, d.destination])).toEqual([
        [first, 'ntfy'],
        [second, 'app'],
      ])
      // the digest-window delivery is not due yet (the leases above hold past it); an empty
      // destination list claims nothing
      expect(await claim('b', T0 + 100)).toEqual([])
      expect(await claim('b', T0 + 10_000, { destinations: [] })).toEqual([])
      const later = await claim('b', T0 + 10_000)
      expect(later.map((d) => d.destination)).toEqual(['ntfy'])
    })

    it("never hands one delivery to two owners: another owner's lease holds until it expires", async () => {
      for (let i = 0; i < 6; i++) await stored([forward])
      const [a, b] = await Promise.all([claim('a', T0, { limit: 4 }), claim('b', T0, { limit: 4 })])
      const ids = [...a, ...b].map((d) => d.id)
      expect(ids).toHaveLength(6)
      expect(new Set(ids).size).toBe(6)
      expect(await claim('c', T0 + LEASE - 1)).toEqual([])
      // the owners died: once their leases expire the deliveries are due again
      const taken = await claim('c', T0 + LEASE)
      expect(taken.map((d) => d.id).sort()).toEqual([...ids].sort())
      // an attempt finished by an owner whose lease was taken over is dropped
      expect(await store.completeDeliveryAttempt(taken[0]!.id, ok('a'))).toBeNull()
      expect(await store.getDelivery(taken[0]!.id)).toMatchObject({ state: 'pending', attempts: 0 })
      expect(await store.completeDeliveryAttempt(taken[0]!.id, ok('c'))).toMatchObject({
        state: 'delivered',
      })
    })

    it('records a delivered attempt with its answer; a delivered delivery is never claimed again', async () => {
      await stored([forward])
      const [delivery] = await claim('a')
      const done = await store.completeDeliveryAttempt(delivery!.id, ok('a', T0 + 1500))
      expect(done).toEqual({
        ...delivery,
        state: 'delivered',
        attempts: 1,
        nextAttemptAt: null,
        lastAttemptAt: new Date(T0 + 1500).toISOString(),
        lastStatus: 200,
        lastError: null,
        lastResponseExcerpt: 'ok',
        deliveredAt: new Date(T0 + 1500).toISOString(),
      })
      expect(await claim('a', T0 + LEASE * 10)).toEqual([])
      // completing again (a stale duplicate result) writes nothing
      expect(await store.completeDeliveryAttempt(delivery!.id, ok('a'))).toBeNull()
      expect(await store.deliveryCounts()).toEqual({ pending: 0, delivered: 1, failed: 0 })
    })

    it('makes a retried attempt due at nextAttemptAt, counting attempts and keeping the last answer', async () => {
      await stored([forward])
      const [delivery] = await claim('a')
      const retried = await store.completeDeliveryAttempt(delivery!.id, {
        owner: 'a',
        at: T0 + 100,
        status: 503,
        error: null,
        responseExcerpt: 'busy',
        latencyMs: 2,
        outcome: 'retry',
        nextAttemptAt: T0 + 5000,
      })
      expect(retried).toMatchObject({
        state: 'pending',
        attempts: 1,
        lastStatus: 503,
        lastResponseExcerpt: 'busy',
        nextAttemptAt: new Date(T0 + 5000).toISOString(),
        deliveredAt: null,
      })
      // the lease is released: due again at nextAttemptAt, for any owner
      expect(await claim('b', T0 + 4999)).toEqual([])
      const [again] = await claim('b', T0 + 5000)
      expect(again!.id).toBe(delivery!.id)
      const second = await store.completeDeliveryAttempt(again!.id, {
        owner: 'b',
        at: T0 + 5100,
        status: null,
        error: 'connect ECONNREFUSED 127.0.0.1:9',
        responseExcerpt: null,
        latencyMs: 1,
        outcome: 'retry',
        nextAttemptAt: T0 + 9000,
      })
      expect(second).toMatchObject({
        attempts: 2,
        lastStatus: null,
        lastError: 'connect ECONNREFUSED 127.0.0.1:9',
      })
    })

    it('keeps a failed delivery, and a retry by hand makes it pending and due at once', async () => {
      await stored([forward, notify])
      const [delivery] = await claim('a', T0, { destinations: ['app'] })
      const failed = await store.completeDeliveryAttempt(delivery!.id, {
        owner: 'a',
        at: T0 + 10,
        status: 404,
        error: null,
        responseExcerpt: 'no such route',
        latencyMs: 1,
        outcome: 'failed',
      })
      expect(failed).toMatchObject({
        state: 'failed',
        attempts: 1,
        nextAttemptAt: null,
        lastStatus: 404,
      })
      expect(await claim('a', T0 + LEASE * 10, { destinations: ['app'] })).toEqual([])
      expect((await store.listDeliveries({ state: 'failed' })).items.map((d) => d.id)).toEqual([
        delivery!.id,
      ])
      expect(await store.deliveryCounts()).toEqual({ pending: 1, delivered: 0, failed: 1 })

      const retried = await store.retryDelivery(delivery!.id, T0 + 50_000)
      expect(retried).toMatchObject({
        state: 'pending',
        attempts: 1,
        lastStatus: 404,
        nextAttemptAt: new Date(T0 + 50_000).toISOString(),
      })
      const [again] = await claim('b', T0 + 50_000, { destinations: ['app'] })
      expect(again!.id).toBe(delivery!.id)
      expect(await store.retryDelivery(delivery!.id + 1000)).toBeNull()
    })

    it('does not double an attempt in flight when a pending delivery is retried by hand', async () => {
      await stored([forward])
      const [delivery] = await claim('a')
      await store.retryDelivery(delivery!.id, T0 + 1)
      expect(await claim('b', T0 + 2)).toEqual([])
      expect(await store.completeDeliveryAttempt(delivery!.id, ok('a'))).toMatchObject({
        state: 'delivered',
      })
    })

    it('lists deliveries newest first with a cursor, by webhook, state and destination', async () => {
      const ids: number[] = []
      for (let i = 0; i < 3; i++) ids.push(await stored([forward, notify]))
      const all: number[] = []
      let cursor: string | null = null
      do {
        const page = await store.listDeliveries({}, { cursor, limit: 4 })
        expect(page.items.length).toBeLessThanOrEqual(4)
        all.push(...page.items.map((d) => d.id))
        cursor = page.nextCursor
      } while (cursor !== null)
      expect(all).toHaveLength(6)
      expect([...all].sort((a, b) => b - a)).toEqual(all)
      const ntfy = await store.listDeliveries({ destination: 'ntfy' })
      expect(ntfy.items.map((d) => d.webhookId)).toEqual([...ids].reverse())
      const one = await store.listDeliveries({ webhookId: ids[1]!, destination: 'app' })
      expect(one.items).toHaveLength(1)
      expect((await store.listDeliveries({ state: 'delivered' })).items).toEqual([])
    })

    it('drops the deliveries with their webhook, on delete and on clear', async () => {
      const a = await stored([forward, notify])
      const b = await stored([forward])
      const [first] = (await store.listDeliveries({ webhookId: a })).items
      expect(await store.delete(a)).toBe(true)
      expect((await store.listDeliveries({ webhookId: a })).items).toEqual([])
      expect(await store.getDelivery(first!.id)).toBeNull()
      expect(await store.retryDelivery(first!.id)).toBeNull()
      expect((await claim('a')).map((d) => d.webhookId)).toEqual([b])
      await store.clear()
      expect(await store.deliveryCounts()).toEqual({ pending: 0, delivered: 0, failed: 0 })
    })

    it('keeps pending deliveries across a reopen, due for a new owner once the old lease expires', async () => {
      if (subject.reopen === undefined) return
      await stored([forward])
      const [delivery] = await claim('before-crash')
      await store.close()
      store = await subject.reopen()
      expect(await claim('after', T0 + 1)).toEqual([])
      const [again] = await claim('after', T0 + LEASE)
      expect(again!.id).toBe(delivery!.id)
    })
  })
}
