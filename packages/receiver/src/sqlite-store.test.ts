import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { StoreError } from './errors.ts'
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.ts'
import { describeOutboxContract } from './outbox-contract.ts'
import { createSqliteStore } from './sqlite-store.ts'
import { describeStoreContract, input, jobEvent } from './store-contract.ts'
import type { WebhookStore } from './store.ts'

const dirs: string[] = []
const tempFile = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'receiver-store-'))
  dirs.push(dir)
  return path.join(dir, 'webhooks.db')
}
const removeTempDirs = () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
}

let contractFile = ''
describeStoreContract('createSqliteStore (file)', {
  open: (tuning) => createSqliteStore({ path: (contractFile = tempFile()), ...tuning }),
  reopen: (tuning) => createSqliteStore({ path: contractFile, ...tuning }),
  cleanup: removeTempDirs,
})
describeStoreContract('createSqliteStore (:memory:)', {
  open: (tuning) => createSqliteStore({ path: ':memory:', ...tuning }),
})
describeOutboxContract('createSqliteStore (file)', {
  open: () => createSqliteStore({ path: (contractFile = tempFile()) }),
  reopen: () => createSqliteStore({ path: contractFile }),
  cleanup: removeTempDirs,
})
describeOutboxContract('createSqliteStore (:memory:)', {
  open: () => createSqliteStore({ path: ':memory:' }),
})

describe('createSqliteStore', () => {
  let file: string
  let store: WebhookStore
  let commits: number[]

  beforeEach(() => {
    file = tempFile()
    commits = []
    store = createSqliteStore({ path: file, onCommit: (n) => commits.push(n) })
  })

  afterEach(async () => {
    await store.close()
    removeTempDirs()
  })

  it('retries a failed group commit row by row: the other rows are stored and acknowledged, the bad one gets its error', async () => {
    // the storage refuses one row of the group, as a constraint or a full disk would
    const other = new Database(file)
    other.exec(`CREATE TRIGGER poison BEFORE INSERT ON webhooks WHEN NEW.message_id = 'poison'
      BEGIN SELECT RAISE(ABORT, 'poisoned row'); END`)
    other.close()
    const results = await Promise.allSettled([
      store.insert(input(jobEvent({ messageId: 'a' }))),
      store.insert(input(jobEvent({ messageId: 'poison' }))),
      store.insert(input(jobEvent({ messageId: 'c' }))),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    const rejected = results[1] as PromiseRejectedResult
    expect(rejected.reason).toBeInstanceOf(StoreError)
    expect(rejected.reason).toMatchObject({
      code: 'FAILED',
      message: 'could not store the webhook',
    })
    expect(String((rejected.reason as StoreError).cause)).toContain('poisoned row')
    // the group was rolled back whole, then each row was committed alone
    expect(commits).toEqual([1, 1])
    const stored = results.filter((r) => r.status === 'fulfilled').map((r) => r.value)
    for (const result of stored) {
      const record = await store.get(result.id)
      expect(record?.messageId).toBe(result.webhook.messageId)
    }
    expect(stored.map((r) => r.webhook.messageId)).toEqual(['a', 'c'])
    expect((await store.list()).items.map((w) => w.messageId)).toEqual(['c', 'a'])
    // a lone failing insert is rejected without a retry
    await expect(store.insert(input(jobEvent({ messageId: 'poison' })))).rejects.toMatchObject({
      code: 'FAILED',
    })
    expect(commits).toEqual([1, 1])
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
      expect((await store.insert(input('{"messageId":"m-old"}'))).duplicate).toBe(true)
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
