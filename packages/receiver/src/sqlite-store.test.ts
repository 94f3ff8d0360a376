import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { EXAMPLE_EVENTS } from '@up42-webhooks/shared'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { StoreError } from './errors.ts'
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.ts'
import { describeOutboxContract } from './outbox-contract.ts'
import { attachMemorySearch } from './search-index.ts'
import { CLAIM_DUE_SQL, createSqliteStore, summaryQuery } from './sqlite-store.ts'
import { collect, describeStoreContract, input, jobEvent } from './store-contract.ts'
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

  it('indexes for search after the commit, in the background: found without any call soon after', async () => {
    const { id } = await store.insert(input(jobEvent({ jobId: 'background-job' })))
    await vi.waitFor(
      async () =>
        expect((await store.list({ q: 'background-job' })).items.map((w) => w.id)).toEqual([id]),
      { timeout: 5000, interval: 50 }
    )
  })

  it('leaves no webhook unindexed when another connection catches up first, and indexes none twice', async () => {
    const a = await store.insert(input(jobEvent({ jobId: 'shared-job' })))
    // a second store on the file (another process, or the next start after a crash) finds the
    // backlog through the watermark in the file
    const other = createSqliteStore({ path: file })
    try {
      await other.whenSearchable?.()
      expect((await other.list({ q: 'shared-job' })).items.map((w) => w.id)).toEqual([a.id])
      const b = await store.insert(input(jobEvent({ jobId: 'shared-job' })))
      await store.whenSearchable?.()
      await other.whenSearchable?.()
      for (const s of [store, other]) {
        expect((await s.list({ q: 'shared-job' })).items.map((w) => w.id)).toEqual([b.id, a.id])
      }
      const fts = new Database(`${file}-search`, { readonly: true })
      const hits = fts
        .prepare('SELECT count(*) FROM webhooks_fts WHERE webhooks_fts MATCH \'"shared"\'')
        .pluck()
        .get()
      fts.close()
      expect(hits).toBe(2)
    } finally {
      await other.close()
    }
  })

  it("indexes from its worker without the webhooks' write lock: another connection holding it delays no search", async () => {
    const ids = await Promise.all(
      ['lock-a', 'lock-b'].map(async (jobId) => (await store.insert(input(jobEvent({ jobId })))).id)
    )
    const other = new Database(file, { timeout: 0 })
    other.exec('BEGIN IMMEDIATE')
    try {
      // indexing on the writer's connection (or any connection of this file) would be BUSY here
      await store.whenSearchable?.()
      expect((await store.list({ q: 'lock' })).items.map((w) => w.id)).toEqual(ids.reverse())
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
  })

  it('rebuilds the search file when it is missing, of another database, ahead of the ids (an old backup restored) or not a database', async () => {
    const { id } = await store.insert(input(jobEvent({ jobId: 'rebuilt-job' })))
    await store.whenSearchable?.()
    await store.close()
    const found = async () => {
      store = createSqliteStore({ path: file })
      await store.whenSearchable?.()
      const hits = (await store.list({ q: 'rebuilt-job' })).items.map((w) => w.id)
      await store.close()
      return hits
    }
    const searchFile = `${file}-search`
    const state = (sql: string) => {
      const search = new Database(searchFile)
      search.exec(sql)
      search.close()
    }
    // another database's index: a different store_id, and it holds nothing of ours
    state(
      `DELETE FROM webhooks_fts; UPDATE search_state SET value = value + 1 WHERE key = 'store_id'`
    )
    expect(await found()).toEqual([id])
    // an index ahead of the ids: the database is older than its index
    state(`INSERT INTO webhooks_fts (webhooks_fts) VALUES ('delete-all');
      UPDATE search_state SET value = 99 WHERE key = 'indexed_through'`)
    expect(await found()).toEqual([id])
    rmSync(searchFile)
    expect(await found()).toEqual([id])
    // not a database at all: removed and built again
    writeFileSync(searchFile, 'not a database, and longer than a header of one'.repeat(20))
    expect(await found()).toEqual([id])
    // and an index that matches is kept as it is: nothing is indexed again
    state(`INSERT INTO webhooks_fts (webhooks_fts) VALUES ('delete-all')`)
    expect(await found()).toEqual([])
    store = createSqliteStore({ path: file })
  })

  it('checkpoints the WAL into the database file from its worker, with no request waiting for it', async () => {
    await store.close()
    store = createSqliteStore({ path: file, checkpointIntervalMs: 20 })
    const before = statSync(file).size
    await Promise.all(Array.from({ length: 200 }, () => store.insert(input(jobEvent()))))
    // the commits only appended to the WAL; the worker's checkpoint copies the pages back
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before), {
      timeout: 5000,
      interval: 20,
    })
    const reader = new Database(file, { readonly: true })
    expect(reader.prepare('SELECT count(*) FROM webhooks').pluck().get()).toBe(200)
    reader.close()
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
      // v7 moved the index to its own file, rebuilt in the background from the bodies
      await store.whenSearchable?.()
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

  it('upgrades a schema v3 file in place: bodies, headers, dump lines, search, stats and ids read back as before', async () => {
    const file = path.join(dir, 'v3.db')
    const old = new Database(file)
    migrate(old, { to: 3 })
    // written as the v3 store did: the body, its compact copy (NULL when the body is one), the
    // headers in the row, and the search index in the same transaction
    const insert = old.prepare(
      `INSERT INTO webhooks (received_at, body, compact, headers, remote_address, event, live_mode,
         status, message_id, job_id, order_id, idempotency_key, dedup_key, verdict, size, sent_at)
       VALUES (?, ?, ?, ?, '127.0.0.1', ?, 1, ?, ?, NULL, NULL, NULL, ?, 'unchecked', ?, NULL)`
    )
    const pretty = '{\n  "event": "job.status",\n  "messageId": "m-pretty",\n  "note": "a  b"\n}'
    const prettyCompact = '{"event":"job.status","messageId":"m-pretty","note":"a  b"}'
    const rows = [
      {
        body: EXAMPLE_EVENTS.orderLive,
        compact: null,
        event: 'order.status',
        status: 'FULFILLED',
        id: 'm-1',
      },
      { body: pretty, compact: prettyCompact, event: 'job.status', status: null, id: 'm-pretty' },
      {
        body: jobEvent({ messageId: 'm-3', status: 'FAILED' }),
        compact: null,
        event: 'job.status',
        status: 'FAILED',
        id: 'm-3',
      },
      {
        body: jobEvent({ messageId: 'm-deleted' }),
        compact: null,
        event: 'job.status',
        status: 'RUNNING',
        id: 'm-deleted',
      },
    ]
    for (const [i, row] of rows.entries()) {
      const { lastInsertRowid } = insert.run(
        1_658_766_748_000 + i,
        Buffer.from(row.body),
        row.compact,
        JSON.stringify({ 'content-type': 'application/json', 'x-n': String(i) }),
        row.event,
        row.status,
        row.id,
        `m:${row.id}`,
        Buffer.byteLength(row.body)
      )
      old
        .prepare('INSERT INTO webhooks_fts (rowid, body) VALUES (?, ?)')
        .run(lastInsertRowid, row.compact ?? row.body)
    }
    // the newest is deleted: its id 4 must never come back
    old.prepare('DELETE FROM webhooks WHERE id = 4').run()
    old.prepare('DELETE FROM webhooks_fts WHERE rowid = 4').run()
    old.close()

    const store = createSqliteStore({ path: file })
    try {
      const check = new Database(file, { readonly: true })
      expect(check.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION)
      const columns = check.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('webhooks')
      expect(columns).not.toContain('compact')
      check.close()
      // the dump: the compact copy for the pretty body, the body itself for the others
      expect((await collect(store.iterateCompact())).flat()).toEqual([
        EXAMPLE_EVENTS.orderLive,
        prettyCompact,
        rows[2]!.body,
      ])
      // the export and the API: exact bodies, bytes and headers
      const records = await collect(store.iterate())
      expect(records.map((r) => [r.id, r.body, r.bodyBase64, r.headers, r.size])).toEqual(
        rows
          .slice(0, 3)
          .map((row, i) => [
            i + 1,
            row.body,
            Buffer.from(row.body).toString('base64'),
            { 'content-type': 'application/json', 'x-n': String(i) },
            Buffer.byteLength(row.body),
          ])
      )
      expect(await store.get(2)).toEqual(records[1])
      expect(await store.get(4)).toBeNull()
      // search: the rows indexed before the upgrade, rebuilt in the index's own file (v7)
      await store.whenSearchable?.()
      expect((await store.list({ q: 'oneatlas' })).items.map((w) => w.id)).toEqual([1])
      expect((await store.list({ q: 'note' })).items.map((w) => w.id)).toEqual([2])
      expect(await store.stats()).toEqual({
        total: 3,
        byEvent: { 'job.status': 2, 'order.status': 1 },
        byStatus: { '(none)': 1, FAILED: 1, FULFILLED: 1 },
      })
      const next = await store.insert(input(jobEvent({ messageId: 'm-new', status: 'FAILED' })))
      expect(next.id).toBe(5)
      expect((await store.insert(input('{"messageId":"m-3"}'))).duplicate).toBe(true)
      await store.whenSearchable?.()
      expect((await store.list({ q: 'm-new' })).items.map((w) => w.id)).toEqual([5])
      expect((await store.stats()).byStatus).toEqual({ '(none)': 1, FAILED: 2, FULFILLED: 1 })
      expect(await store.delete(1)).toBe(true)
      expect(await store.stats()).toEqual({
        total: 3,
        byEvent: { 'job.status': 3 },
        byStatus: { '(none)': 1, FAILED: 2 },
      })
    } finally {
      await store.close()
    }
  })

  it('upgrades a schema v5 file in place: pending deliveries are claimed after the upgrade', async () => {
    const file = path.join(dir, 'v5.db')
    const old = new Database(file)
    migrate(old, { to: 5 })
    old.exec(`
      INSERT INTO webhooks (received_at, pretty, live_mode, verdict, size) VALUES (1000, 0, 1, 'unchecked', 2);
      INSERT INTO webhook_bodies (id, body, headers) VALUES (1, CAST('{}' AS BLOB), '{}');
      INSERT INTO deliveries (webhook_id, destination, kind, created_at, next_attempt_at)
        VALUES (1, 'app', 'forward', 1000, 1000), (1, 'phone', 'notify', 1000, 5000);
    `)
    old.close()
    const store = createSqliteStore({ path: file })
    try {
      const claim = (now: number) =>
        store.claimDeliveries({ owner: 'o', leaseMs: 60_000, limit: 10, now })
      expect((await claim(2000)).map((d) => d.destination)).toEqual(['app'])
      expect((await claim(6000)).map((d) => d.destination)).toEqual(['phone'])
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

describe('summaryQuery: every filter the API runs has an index or stops early in id order', () => {
  // the plans SQLite picks for the file schema (no ANALYZE statistics: the plans hold at any size)
  const db = new Database(':memory:')
  migrate(db)
  attachMemorySearch(db)
  const plan = (filter: Parameters<typeof summaryQuery>[0], order: 'ASC' | 'DESC') => {
    const { sql, params } = summaryQuery(filter, order)
    return db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params, 50)
      .map((row) => (row as { detail: string }).detail)
      .join('; ')
  }

  it.each([
    ['event', { event: 'job.status' }, 'webhooks_event'],
    ['status', { status: 'FAILED' }, 'webhooks_status'],
    ['jobId', { jobId: 'j' }, 'webhooks_job_id'],
    ['orderId', { orderId: 'o' }, 'webhooks_order_id'],
    ['event and status', { event: 'job.status', status: 'FAILED' }, 'webhooks_'],
    ['q', { q: 'oneatlas' }, 'VIRTUAL TABLE INDEX'],
  ] as const)(
    'uses an index for %s, newest and oldest first, sorting nothing',
    (_, filter, index) => {
      for (const order of ['DESC', 'ASC'] as const) {
        const detail = plan(filter, order)
        expect(detail).toContain(index)
        expect(detail).not.toContain('TEMP B-TREE')
      }
    }
  )

  it('looks up both indexes for a job-or-order timeline', () => {
    const detail = plan({ jobOrOrderId: 'x' }, 'ASC')
    expect(detail).toContain('webhooks_job_id')
    expect(detail).toContain('webhooks_order_id')
  })

  it.each([
    ['no filter', {}],
    ['liveMode (two values: no index pays)', { liveMode: true }],
    ['a cursor', { before: 1000 }],
    ['since', { since: 1000 }],
  ] as const)('walks the ids in order for %s, sorting nothing', (_, filter) => {
    for (const order of ['DESC', 'ASC'] as const) {
      const detail = plan(filter, order)
      expect(detail).toMatch(/SCAN webhooks|SEARCH webhooks USING INTEGER PRIMARY KEY/)
      expect(detail).not.toContain('TEMP B-TREE')
    }
  })

  it('claims deliveries per destination through deliveries_claim, sorting nothing, also with statistics', () => {
    const outbox = new Database(':memory:')
    migrate(outbox)
    const claimPlan = () =>
      outbox
        .prepare(`EXPLAIN QUERY PLAN ${CLAIM_DUE_SQL}`)
        .all('app', 1, 1, 4)
        .map((row) => (row as { detail: string }).detail)
        .join('; ')
    expect(claimPlan()).toContain('deliveries_claim')
    expect(claimPlan()).not.toContain('TEMP B-TREE')
    // a backlog of one destination and ANALYZE (PRAGMA optimize) must not change the plan
    outbox.exec(`
      INSERT INTO webhooks (received_at, pretty, live_mode, verdict, size)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
        SELECT i, 0, 1, 'unchecked', 2 FROM n;
      INSERT INTO deliveries (webhook_id, destination, kind, created_at, next_attempt_at)
        SELECT id, 'app', 'forward', id, id FROM webhooks;
      INSERT INTO deliveries (webhook_id, destination, kind, created_at, next_attempt_at, state)
        SELECT id, 'phone', 'notify', id, NULL, 'delivered' FROM webhooks;
      ANALYZE;
    `)
    expect(claimPlan()).toContain('deliveries_claim')
    expect(claimPlan()).not.toContain('TEMP B-TREE')
    outbox.close()
  })

  it('finds a duplicate through the dedup index, not a scan', () => {
    const detail = db
      .prepare('EXPLAIN QUERY PLAN SELECT id FROM webhooks WHERE dedup_key = ?')
      .all('m:x')
      .map((row) => (row as { detail: string }).detail)
      .join('; ')
    expect(detail).toContain('webhooks_dedup_key')
  })
})
