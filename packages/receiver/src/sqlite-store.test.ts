import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidBodyError, StoreError } from './errors.ts'
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.ts'
import { createSqliteStore } from './sqlite-store.ts'
import type { WebhookInput, WebhookStore } from './store.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

let counter = 0
function jobEvent(
  fields: { status?: string; liveMode?: boolean; jobId?: string; messageId?: string } = {}
) {
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

function orderEvent(status: string, orderId: string) {
  counter++
  return JSON.stringify({
    event: 'order.status',
    liveMode: true,
    messageId: `order-msg-${counter}`,
    timestamp: '2022-07-25T16:32:28.994158Z',
    body: { orderId, status },
  })
}

const input = (body: string, extra: Partial<WebhookInput> = {}): WebhookInput => ({
  body: bytes(body),
  headers: { 'content-type': 'application/json' },
  verdict: 'unchecked',
  ...extra,
})

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

describe('createSqliteStore', () => {
  let dir: string
  let file: string
  let store: WebhookStore
  let commits: number[]

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'receiver-store-'))
    file = path.join(dir, 'webhooks.db')
    commits = []
    store = createSqliteStore({ path: file, onCommit: (n) => commits.push(n) })
  })

  afterEach(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
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
  })

  it('writes inserts that arrive together in one transaction (group commit)', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.insert(input(jobEvent())))
    )
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(commits).toEqual([100])
    await store.insert(input(jobEvent()))
    expect(commits).toEqual([100, 1])
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
  })

  it('never reuses an id, even after deleting the newest webhook or clearing everything', async () => {
    await store.insert(input(jobEvent()))
    await store.insert(input(jobEvent()))
    expect(await store.delete(2)).toBe(true)
    expect(await store.delete(2)).toBe(false)
    expect((await store.insert(input(jobEvent()))).id).toBe(3)
    expect(await store.clear()).toBe(2)
    expect((await store.insert(input(jobEvent()))).id).toBe(4)
    await store.close()
    store = createSqliteStore({ path: file })
    expect((await store.insert(input(jobEvent()))).id).toBe(5)
  })

  it('rejects a body that is not UTF-8 JSON and writes nothing', async () => {
    await expect(store.insert(input('not json'))).rejects.toThrow(InvalidBodyError)
    await expect(
      store.insert({ ...input(''), body: new Uint8Array([0x22, 0xff, 0x22]) })
    ).rejects.toThrow('UTF-8 JSON')
    expect((await store.insert(input('{}'))).id).toBe(1)
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

  it('searches the body full-text with q: every word, as a prefix, FTS syntax inert', async () => {
    await store.insert(input(EXAMPLE_EVENTS.jobTest))
    await store.insert(input(EXAMPLE_EVENTS.jobLive))
    await store.insert(input(EXAMPLE_EVENTS.orderLive))
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
  })

  it('iterates oldest first in chunks, with since, limit and filters, pretty bodies on one line', async () => {
    await store.close()
    store = createSqliteStore({ path: file, chunkSize: 2 })
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
  })

  it('bounds each chunk by body bytes too: a chunk ends at the row reaching chunkBytes, none is skipped', async () => {
    await store.close()
    store = createSqliteStore({ path: file, chunkSize: 10, chunkBytes: 1000 })
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

  it('counts by event and status', async () => {
    await store.insert(input(jobEvent({ status: 'FAILED' })))
    await store.insert(input(jobEvent({ status: 'FAILED' })))
    await store.insert(input(orderEvent('FULFILLED', 'o')))
    await store.insert(input('[1,2]'))
    expect(await store.stats()).toEqual({
      total: 4,
      byEvent: { '(none)': 1, 'job.status': 2, 'order.status': 1 },
      byStatus: { '(none)': 1, FAILED: 2, FULFILLED: 1 },
    })
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

  it('flushes queued inserts on close, then refuses work with StoreError CLOSED', async () => {
    const pending = store.insert(input(jobEvent()))
    await store.close()
    expect((await pending).id).toBe(1)
    await expect(store.insert(input(jobEvent()))).rejects.toMatchObject({
      name: 'StoreError',
      code: 'CLOSED',
    })
    await expect(store.get(1)).rejects.toBeInstanceOf(StoreError)
    store = createSqliteStore({ path: file })
    expect((await store.get(1))?.id).toBe(1)
  })

  it('rejects with StoreError BUSY, storing nothing, while another connection holds the lock', async () => {
    await store.close()
    store = createSqliteStore({ path: file, busyTimeoutMs: 20 })
    const other = new Database(file)
    other.exec('BEGIN EXCLUSIVE')
    try {
      const results = await Promise.allSettled([
        store.insert(input(jobEvent())),
        store.insert(input(jobEvent())),
      ])
      for (const r of results) {
        expect(r.status).toBe('rejected')
        expect((r as PromiseRejectedResult).reason).toMatchObject({
          name: 'StoreError',
          code: 'BUSY',
        })
      }
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect((await store.insert(input(jobEvent()))).id).toBe(1)
  })
})

describe('migrate', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'receiver-migrate-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('upgrades a schema v1 file in place, keeping its webhooks and indexing them for search', async () => {
    const file = path.join(dir, 'old.db')
    const old = new Database(file)
    expect(migrate(old, { to: 1 })).toEqual({ from: 0, to: 1 })
    old
      .prepare(
        `INSERT INTO webhooks (received_at, body, compact, headers, event, live_mode, status, message_id,
           order_id, dedup_key, verdict, size)
         VALUES (?, ?, NULL, '{}', 'order.status', 1, 'FULFILLED', 'm-old', 'o-old', 'm:m-old', 'unchecked', ?)`
      )
      .run(
        1_658_766_748_000,
        Buffer.from(EXAMPLE_EVENTS.orderLive),
        EXAMPLE_EVENTS.orderLive.length
      )
    old.close()

    const store = createSqliteStore({ path: file })
    try {
      const check = new Database(file, { readonly: true })
      expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION)
      check.close()
      const record = await store.get(1)
      expect(record?.body).toBe(EXAMPLE_EVENTS.orderLive)
      expect(record?.receivedAt).toBe('2022-07-25T16:32:28.000Z')
      expect((await store.list({ q: 'oneatlas' })).items.map((w) => w.id)).toEqual([1])
      // v3 took the envelope's timestamp out of the stored body
      expect(await store.listArrivals()).toMatchObject([
        { id: 1, timestamp: JSON.parse(EXAMPLE_EVENTS.orderLive).timestamp },
      ])
      expect((await store.insert(input(EXAMPLE_EVENTS.orderLive))).id).toBe(2)
      expect(
        (await store.insert({ ...input('{}'), body: bytes('{"messageId":"m-old"}') })).duplicate
      ).toBe(true)
    } finally {
      await store.close()
    }
  })

  it('refuses a file whose schema is newer than this code', () => {
    const file = path.join(dir, 'new.db')
    const db = new Database(file)
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`)
    db.close()
    expect(() => createSqliteStore({ path: file })).toThrow(/newer than this receiver/)
  })
})
