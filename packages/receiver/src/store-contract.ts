/**
 * The `WebhookStore` contract as one test suite, written once: every store implementation runs
 * it (`describeStoreContract('createSqliteStore (file)', …)`). It goes through the interface only,
 * so a PostgreSQL store runs it unchanged. What only one implementation promises (SQLite's group
 * commit, its locks, migrations, corruption handling) is tested beside that implementation.
 */
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from './errors.ts'
import { toWebhookInput } from './intake.ts'
import type { ArrivedWebhook } from './intake.ts'
import type { WebhookInput, WebhookStore } from './store.ts'

/** Tuning every store takes: the most rows, and the body bytes, a chunk of `iterate` reads. */
export interface StoreTuning {
  chunkSize?: number
  chunkBytes?: number
}

export interface StoreUnderTest {
  /** A new, empty store. Called again after `close` only through `reopen`. */
  open(tuning?: StoreTuning): WebhookStore | Promise<WebhookStore>
  /**
   * The same storage opened again after `close`, for a store that persists; absent for one that
   * does not (SQLite `:memory:`), whose reopen assertions are then left out.
   */
  reopen?: (tuning?: StoreTuning) => WebhookStore | Promise<WebhookStore>
  /** Frees what `open` made (temp folders, databases), after `close`. */
  cleanup?: () => void | Promise<void>
}

const bytes = (text: string) => new TextEncoder().encode(text)

let counter = 0
/** A `job.status` body with a fresh messageId unless one is given. */
export function jobEvent(
  fields: { status?: string; liveMode?: boolean; jobId?: string; messageId?: string } = {}
): string {
  counter++
  const {
    status = 'RUNNING',
    liveMode = true,
    jobId = 'job-1',
    messageId = `msg-${counter}`,
  } = fields
  return JSON.stringify({
    event: 'job.status',
    liveMode,
    messageId,
    timestamp: '2022-07-25T16:02:34Z',
    body: liveMode ? { id: jobId, status } : { jobId, status },
  })
}

function orderEvent(status: string, orderId: string, timestamp = '2022-07-25T16:32:28.994158Z') {
  counter++
  return JSON.stringify({
    event: 'order.status',
    liveMode: true,
    messageId: `order-msg-${counter}`,
    timestamp,
    body: { orderId, status },
  })
}

/** A record as the intake makes it from `body` (a JSON object) and `extra`. */
export const input = (body: string, extra: Partial<ArrivedWebhook> = {}): WebhookInput =>
  toWebhookInput({
    body: bytes(body),
    headers: { 'content-type': 'application/json' },
    verdict: 'unchecked',
    ...extra,
  })

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

/** Registers the contract's tests for one store implementation. */
export function describeStoreContract(name: string, subject: StoreUnderTest): void {
  describe(`WebhookStore contract: ${name}`, () => {
    let store: WebhookStore
    type Opener = (tuning?: StoreTuning) => WebhookStore | Promise<WebhookStore>
    const replace = async (next: Opener, tuning?: StoreTuning) => {
      await store.close()
      store = await next(tuning)
    }

    beforeEach(async () => {
      store = await subject.open()
    })

    afterEach(async () => {
      await store.close()
      await subject.cleanup?.()
    })

    it('stores the exact bytes, headers and extracted fields of a webhook', async () => {
      const result = await store.insert(
        input(EXAMPLE_EVENTS.jobLive, {
          headers: { 'content-type': 'application/json', 'x-a': '1' },
          remoteAddress: '127.0.0.1',
          receivedAt: Date.UTC(2022, 6, 25, 16, 2, 35),
          verdict: 'verified',
        })
      )
      expect(result).toMatchObject({ id: 1, duplicate: false, deliveryCount: 1 })
      const summary = {
        id: 1,
        receivedAt: '2022-07-25T16:02:35.000Z',
        event: 'job.status',
        liveMode: true,
        status: 'FAILED',
        messageId: '258270de-58f8-42da-aea6-e7a07d2667f7',
        jobId: '6dbe8956-b8c5-47b3-9f56-b1686628aa19',
        orderId: null,
        deliveryCount: 1,
        verdict: 'verified',
        size: bytes(EXAMPLE_EVENTS.jobLive).byteLength,
      }
      expect(result.webhook).toEqual(summary)
      expect(await store.get(1)).toEqual({
        ...summary,
        headers: { 'content-type': 'application/json', 'x-a': '1' },
        body: EXAMPLE_EVENTS.jobLive,
        bodyBase64: Buffer.from(EXAMPLE_EVENTS.jobLive).toString('base64'),
        remoteAddress: '127.0.0.1',
        idempotencyKey: null,
      })
      expect(await store.get(2)).toBeNull()
    })

    it('deduplicates a repeated messageId, within one group and across groups', async () => {
      const body = jobEvent({ messageId: 'same' })
      const [a, b] = await Promise.all([store.insert(input(body)), store.insert(input(body))])
      expect(a).toMatchObject({ id: 1, duplicate: false, deliveryCount: 1 })
      expect(b).toMatchObject({ id: 1, duplicate: true, deliveryCount: 2 })
      const c = await store.insert(input(body))
      expect(c).toMatchObject({ id: 1, duplicate: true, deliveryCount: 3 })
      expect(c.webhook.deliveryCount).toBe(3)
      expect((await store.get(1))?.deliveryCount).toBe(3)
      expect((await store.stats()).total).toBe(1)
    })

    it('deduplicates by Idempotency-Key only when the body has no messageId', async () => {
      const a = await store.insert(input('{"x":1}', { idempotencyKey: 'k1' }))
      const b = await store.insert(input('{"x":2}', { idempotencyKey: 'k1' }))
      const c = await store.insert(input('{"x":3}'))
      const d = await store.insert(input('{"x":3}'))
      expect([a.id, b.id, b.duplicate, c.id, d.id, d.duplicate]).toEqual([1, 1, true, 2, 3, false])
      const e = await store.insert(input(jobEvent({ messageId: 'm' }), { idempotencyKey: 'k1' }))
      expect(e).toMatchObject({ id: 4, duplicate: false })
      expect((await store.get(4))?.idempotencyKey).toBe('k1')
    })

    it('never reuses an id, even after deleting the newest webhook or clearing everything', async () => {
      await store.insert(input(jobEvent()))
      await store.insert(input(jobEvent()))
      expect(await store.delete(2)).toBe(true)
      expect(await store.delete(2)).toBe(false)
      expect(await store.get(2)).toBeNull()
      expect((await store.insert(input(jobEvent()))).id).toBe(3)
      expect(await store.clear()).toBe(2)
      expect((await store.list()).items).toEqual([])
      expect((await store.insert(input(jobEvent()))).id).toBe(4)
      if (subject.reopen === undefined) return
      await replace(subject.reopen)
      expect((await store.insert(input(jobEvent()))).id).toBe(5)
    })

    it('filters by event, status, liveMode, jobId, orderId and job-or-order id', async () => {
      await store.insert(input(jobEvent({ status: 'RUNNING', jobId: 'j1' })))
      await store.insert(input(jobEvent({ status: 'FAILED', jobId: 'j1' })))
      await store.insert(input(jobEvent({ status: 'PENDING', liveMode: false, jobId: 'j2' })))
      await store.insert(input(orderEvent('FULFILLED', 'o1')))
      const ids = async (filter: Parameters<WebhookStore['list']>[0]) =>
        (await store.list(filter)).items.map((w) => w.id)
      expect(await ids({})).toEqual([4, 3, 2, 1])
      expect(await ids({ event: 'order.status' })).toEqual([4])
      expect(await ids({ status: 'FAILED' })).toEqual([2])
      expect(await ids({ liveMode: false })).toEqual([3])
      expect(await ids({ liveMode: true, event: 'job.status' })).toEqual([2, 1])
      expect(await ids({ jobId: 'j1' })).toEqual([2, 1])
      expect(await ids({ jobId: 'j2' })).toEqual([3])
      expect(await ids({ orderId: 'o1' })).toEqual([4])
      expect(await ids({ jobOrOrderId: 'o1' })).toEqual([4])
      expect(await ids({ jobOrOrderId: 'j2' })).toEqual([3])
    })

    it('searches the body full-text with q: every word, as a prefix, query syntax inert', async () => {
      await store.insert(input(EXAMPLE_EVENTS.jobTest))
      await store.insert(input(EXAMPLE_EVENTS.jobLive))
      await store.insert(input(EXAMPLE_EVENTS.orderLive))
      // a store may index for search in the background: wait until these are searchable
      await store.whenSearchable?.()
      const ids = async (q: string) => (await store.list({ q })).items.map((w) => w.id)
      expect(await ids('oneatlas')).toEqual([3])
      expect(await ids('FULFIL')).toEqual([3])
      expect(await ids('cancelled')).toEqual([2])
      expect(await ids('status')).toEqual([3, 2, 1])
      expect(await ids('6dbe8956-b8c5-47b3-9f56-b1686628aa19')).toEqual([2])
      expect(await ids('ARCHIVE FAILED')).toEqual([])
      expect(await ids('ARCHIVE FULFILLED')).toEqual([3])
      expect(await ids('" OR * NEAR(')).toEqual([])
      expect(await ids('   ')).toEqual([3, 2, 1])
      await store.delete(3)
      expect(await ids('oneatlas')).toEqual([])
    })

    it('finds a pretty-printed body by the same searches as its compact form', async () => {
      const compact = '{"event":"job.status","body":{"status":"RUNNING","note":"a  b","n":[1,2]}}'
      const pretty = JSON.stringify(JSON.parse(compact), null, '\t').replaceAll('\n', '\r\n  ')
      await store.insert(input(compact))
      await store.insert(input(pretty))
      await store.whenSearchable?.()
      const ids = async (q: string) => (await store.list({ q })).items.map((w) => w.id)
      // one search term of several tokens is a phrase: "status" then "RUNNING", adjacent
      for (const q of ['status":"RUNNING', 'RUNNING', 'a  b', 'n":[1,2', 'body status']) {
        expect(await ids(q), q).toEqual([2, 1])
      }
      expect(await ids('RUNNING":"status')).toEqual([])
    })

    it('pages newest first with a cursor until the last page', async () => {
      for (let i = 0; i < 7; i++) await store.insert(input(jobEvent()))
      const first = await store.list({}, { limit: 3 })
      expect(first.items.map((w) => w.id)).toEqual([7, 6, 5])
      const second = await store.list({}, { limit: 3, cursor: first.nextCursor })
      expect(second.items.map((w) => w.id)).toEqual([4, 3, 2])
      const third = await store.list({}, { limit: 3, cursor: second.nextCursor })
      expect(third.items.map((w) => w.id)).toEqual([1])
      expect(third.nextCursor).toBeNull()
      const exact = await store.list({}, { limit: 7 })
      expect(exact.nextCursor).toBeNull()
      const filtered = await store.list({ status: 'FAILED' }, { limit: 3 })
      expect(filtered).toEqual({ items: [], nextCursor: null })
    })

    it('iterates oldest first in chunks, with since, limit and filters, pretty bodies on one line', async () => {
      await replace(subject.open, { chunkSize: 2 })
      await store.insert(input('{\n  "event": "job.status",\n  "note": "a  b\\n"\n}'))
      for (let i = 0; i < 4; i++)
        await store.insert(input(jobEvent({ status: i % 2 ? 'FAILED' : 'RUNNING' })))
      const chunks = await collect(store.iterateCompact())
      expect(chunks.map((c) => c.length)).toEqual([2, 2, 1])
      const lines = chunks.flat()
      expect(lines[0]).toBe('{"event":"job.status","note":"a  b\\n"}')
      expect(lines.every((line) => !line.includes('\n'))).toBe(true)
      expect(lines.slice(1).map((l) => JSON.parse(l).body.status)).toEqual([
        'RUNNING',
        'FAILED',
        'RUNNING',
        'FAILED',
      ])
      expect((await collect(store.iterateCompact({ since: 3 }))).flat()).toHaveLength(2)
      expect((await collect(store.iterateCompact({ limit: 3 }))).flat()).toHaveLength(3)
      expect((await collect(store.iterateCompact({ status: 'FAILED' }))).flat()).toHaveLength(2)
      const records = await collect(store.iterate({ since: 1, limit: 3 }))
      expect(records.map((r) => r.id)).toEqual([2, 3, 4])
      expect(records[0]!.body).toBe(lines[1])
      // the pretty body itself is kept as it came; only the dump's line is compact
      expect((await store.get(1))!.body).toBe('{\n  "event": "job.status",\n  "note": "a  b\\n"\n}')
    })

    it('bounds each chunk by body bytes too: a chunk ends at the row reaching chunkBytes, none is skipped', async () => {
      await replace(subject.open, { chunkSize: 10, chunkBytes: 1000 })
      const sizes = [300, 300, 300, 2500, 100, 900, 900, 40]
      for (const [i, size] of sizes.entries()) {
        const head = JSON.stringify({ messageId: `sized-${i}`, pad: '' })
        await store.insert(
          input(JSON.stringify({ messageId: `sized-${i}`, pad: 'x'.repeat(size - head.length) }))
        )
      }
      const chunks = await collect(store.iterateCompact())
      expect(chunks.map((chunk) => chunk.map((line) => line.length))).toEqual([
        [300, 300, 300, 2500],
        [100, 900],
        [900, 40],
      ])
      const records = await collect(store.iterate({ since: 2, limit: 4 }))
      expect(records.map((r) => r.size)).toEqual([300, 2500, 100, 900])
    })

    it('lists arrivals oldest first as summaries with the envelope timestamp, by since and limit', async () => {
      await store.insert(input(orderEvent('PLACED', 'o1', '2022-07-25T16:00:00Z')))
      await store.insert(input(jobEvent({ jobId: 'j9' })))
      await store.insert(input(orderEvent('FULFILLED', 'o1', '2022-07-25T15:00:00Z')))
      const arrivals = await store.listArrivals({ jobOrOrderId: 'o1' })
      expect(arrivals.map((a) => [a.id, a.status, a.timestamp])).toEqual([
        [1, 'PLACED', '2022-07-25T16:00:00Z'],
        [3, 'FULFILLED', '2022-07-25T15:00:00Z'],
      ])
      expect(arrivals[0]).not.toHaveProperty('body')
      expect(arrivals[0]).not.toHaveProperty('headers')
      expect((await store.listArrivals({ since: 1, limit: 1 })).map((a) => a.id)).toEqual([2])
      expect((await store.listArrivals({ jobOrOrderId: 'nothing' })).length).toBe(0)
    })

    it('counts by event and status', async () => {
      await store.insert(input(jobEvent({ status: 'FAILED' })))
      await store.insert(input(jobEvent({ status: 'FAILED' })))
      await store.insert(input(orderEvent('FULFILLED', 'o')))
      await store.insert(input('{"x":[1,2]}'))
      expect(await store.stats()).toEqual({
        total: 4,
        byEvent: { '(none)': 1, 'job.status': 2, 'order.status': 1 },
        byStatus: { '(none)': 1, FAILED: 2, FULFILLED: 1 },
      })
      await store.clear()
      expect(await store.stats()).toEqual({ total: 0, byEvent: {}, byStatus: {} })
    })

    it('records replay attempts per webhook and drops them with the webhook', async () => {
      await store.insert(input(jobEvent()))
      const attempt = await store.addReplayAttempt(1, {
        at: Date.UTC(2026, 0, 1),
        url: 'http://127.0.0.1:9/receive-webhooks',
        mode: 'raw',
        status: 200,
        latencyMs: 12.5,
        error: null,
        responseExcerpt: '{"msg": "value with key 1 stored"}',
      })
      expect(attempt).toEqual({
        id: 1,
        webhookId: 1,
        at: '2026-01-01T00:00:00.000Z',
        url: 'http://127.0.0.1:9/receive-webhooks',
        mode: 'raw',
        status: 200,
        latencyMs: 12.5,
        error: null,
        responseExcerpt: '{"msg": "value with key 1 stored"}',
      })
      await store.addReplayAttempt(1, {
        url: 'http://x',
        mode: 'resigned',
        status: null,
        latencyMs: 3,
        error: 'ECONNREFUSED',
        responseExcerpt: null,
      })
      expect((await store.listReplayAttempts(1)).map((a) => [a.id, a.mode, a.error])).toEqual([
        [1, 'raw', null],
        [2, 'resigned', 'ECONNREFUSED'],
      ])
      expect(
        await store.addReplayAttempt(99, {
          url: 'x',
          mode: 'raw',
          status: null,
          latencyMs: 0,
          error: null,
          responseExcerpt: null,
        })
      ).toBeNull()
      await store.delete(1)
      expect(await store.listReplayAttempts(1)).toEqual([])
    })

    it('writes queued inserts before close resolves, then refuses work with StoreError CLOSED', async () => {
      const pending = store.insert(input(jobEvent()))
      await store.close()
      expect((await pending).id).toBe(1)
      await expect(store.insert(input(jobEvent()))).rejects.toMatchObject({
        name: 'StoreError',
        code: 'CLOSED',
      })
      await expect(store.get(1)).rejects.toBeInstanceOf(StoreError)
      await expect(store.list()).rejects.toMatchObject({ code: 'CLOSED' })
      await expect(store.close()).resolves.toBeUndefined()
      if (subject.reopen === undefined) return
      store = await subject.reopen()
      expect((await store.get(1))?.id).toBe(1)
    })
  })
}
