import path from 'node:path'
import { createTestDatabase, runTsx } from '@up42-webhooks/test-support'
import type { TestDatabase } from '@up42-webhooks/test-support'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { StoreError } from './errors.ts'
import { describeOutboxContract } from './outbox-contract.ts'
import { redactUrl } from './postgres-errors.ts'
import { LATEST_POSTGRES_SCHEMA_VERSION } from './postgres-migrations.ts'
import { connectPostgres, createPostgresStore } from './postgres-store.ts'
import type { PostgresStore } from './postgres-store.ts'
import { describeStoreContract, input, jobEvent } from './store-contract.ts'
import type { StoreUnderTest } from './store-contract.ts'
import type { WebhookSummary } from './store.ts'

const serverUrl = inject('postgresUrl')

/** Each test gets a database of its own, dropped afterwards. */
function subject(): StoreUnderTest {
  let database: TestDatabase | null = null
  return {
    open: async (tuning) => {
      database = await createTestDatabase(serverUrl)
      return createPostgresStore({ url: database.url, ...tuning })
    },
    reopen: (tuning) => createPostgresStore({ url: database!.url, ...tuning }),
    cleanup: async () => {
      await database?.drop()
      database = null
    },
  }
}

describeStoreContract('createPostgresStore', subject())
describeOutboxContract('createPostgresStore', subject())

describe('createPostgresStore', () => {
  let database: TestDatabase
  let store: PostgresStore
  let commits: number[]

  beforeEach(async () => {
    database = await createTestDatabase(serverUrl)
    commits = []
    store = await createPostgresStore({ url: database.url, onCommit: (n) => commits.push(n) })
  })

  afterEach(async () => {
    await store.close()
    await database.drop()
  })

  it('writes inserts that arrive together in one statement (group commit), ids in arrival order', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => store.insert(input(jobEvent())))
    )
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(commits).toEqual([100])
    await store.insert(input(jobEvent()))
    expect(commits).toEqual([100, 1])
  })

  it('claims one destination through deliveries_claim in due order, sorting nothing', async () => {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        store.insert({
          ...input(jobEvent()),
          deliveries: [
            { destination: 'app', kind: 'forward' },
            { destination: 'phone', kind: 'notify' },
          ],
        })
      )
    )
    const sql = connectPostgres(database.url, { max: 1 })
    try {
      await sql`ANALYZE deliveries`
      // a table this small is read whole; the plan for a large one is the one to check
      await sql`SET enable_seqscan = off`
      const plan = await sql.unsafe(
        `EXPLAIN SELECT id FROM deliveries
         WHERE state = 'pending' AND next_attempt_at <= now()
           AND (lease_until IS NULL OR lease_until <= now()) AND destination = 'app'
         ORDER BY next_attempt_at, id LIMIT 4`
      )
      const text = plan.map((row) => Object.values(row)[0]).join('\n')
      expect(text).toContain('deliveries_claim')
      expect(text).not.toMatch(/Sort/)
    } finally {
      await sql.end()
    }
    const claimed = await store.claimDeliveries({
      owner: 'o',
      leaseMs: 60_000,
      limit: 4,
      destinations: ['app'],
    })
    expect(claimed.map((d) => d.webhookId)).toEqual([1, 2, 3, 4])
  })
})

describe('createPostgresStore on one database with several stores (several receivers)', () => {
  let database: TestDatabase
  const stores: PostgresStore[] = []
  const open = async () => {
    const store = await createPostgresStore({ url: database.url, poolSize: 3 })
    stores.push(store)
    return store
  }

  beforeEach(async () => {
    database = await createTestDatabase(serverUrl)
  })

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()))
    await database.drop()
  })

  it('hands each due delivery to exactly one of two stores claiming at once', async () => {
    const [a, b] = await Promise.all([open(), open()])
    const now = Date.UTC(2026, 0, 1)
    for (let i = 0; i < 40; i++) {
      await a!.insert({
        ...input(jobEvent(), { receivedAt: now }),
        deliveries: [{ destination: 'slack', kind: 'notify' }],
      })
    }
    const claimed: number[] = []
    const claimAll = async (store: PostgresStore, owner: string) => {
      for (;;) {
        const got = await store.claimDeliveries({ owner, leaseMs: 60_000, limit: 3, now })
        if (got.length === 0) return
        claimed.push(...got.map((d) => d.id))
      }
    }
    await Promise.all([
      claimAll(a!, 'a'),
      claimAll(b!, 'b'),
      claimAll(a!, 'a2'),
      claimAll(b!, 'b2'),
    ])
    expect(claimed).toHaveLength(40)
    expect(new Set(claimed).size).toBe(40)
  })

  it('tells a subscriber of one store every webhook the others store, in id order, none twice', async () => {
    const [a, b, c] = await Promise.all([open(), open(), open()])
    const seen: WebhookSummary[] = []
    let wake = () => {}
    const unsubscribe = c!.subscribe((webhooks) => {
      seen.push(...webhooks)
      wake()
    })
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => (i % 2 ? a! : b!).insert(input(jobEvent())))
    )
    const ids = results.map((r) => r.id).sort((x, y) => x - y)
    while (seen.length < ids.length) await new Promise<void>((resolve) => (wake = resolve))
    unsubscribe()
    expect(seen.map((w) => w.id)).toEqual(ids)
    expect(new Set(ids).size).toBe(120)
    expect(seen[0]).toMatchObject({ event: 'job.status', deliveryCount: 1 })
  })

  it('migrates once when three processes start on a new database at the same moment', async () => {
    const script = path.join(import.meta.dirname, '../test/postgres-migrate-main.ts')
    const startAt = String(Date.now() + 2500)
    const runs = await Promise.all([1, 2, 3].map(() => runTsx(script, [database.url, startAt])))
    for (const run of runs) expect(run.stderr).toBe('')
    const results = runs.map((run) => JSON.parse(run.stdout) as { applied: number; to: number })
    expect(results.map((r) => r.to)).toEqual([1, 2, 3].map(() => LATEST_POSTGRES_SCHEMA_VERSION))
    // each migration once, by whichever process took its lock first
    expect(results.reduce((sum, r) => sum + r.applied, 0)).toBe(LATEST_POSTGRES_SCHEMA_VERSION)
    const sql = connectPostgres(database.url, { max: 1 })
    try {
      const rows = await sql`SELECT version FROM schema_migrations ORDER BY version`
      expect(rows.map((r) => r.version)).toEqual(POSTGRES_VERSIONS)
    } finally {
      await sql.end()
    }
  })
})

const POSTGRES_VERSIONS = Array.from({ length: LATEST_POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1)

describe('PostgreSQL URLs and passwords', () => {
  it('redacts the password (and password-like parameters) of a URL', () => {
    expect(redactUrl('postgres://app:s3cr%C3%A9t@db.local:5432/hooks?sslmode=require')).toBe(
      'postgres://app:***@db.local:5432/hooks?sslmode=require'
    )
    expect(redactUrl('postgresql://app@db/hooks?password=x')).toBe(
      'postgresql://app@db/hooks?password=***'
    )
  })

  it('rejects with StoreError UNAVAILABLE, naming no password, when the server cannot be reached', async () => {
    const url = new URL(serverUrl)
    url.password = 'pässwörd-never-printed'
    url.port = '1'
    const error = await createPostgresStore({ url: url.href }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(StoreError)
    expect(error).toMatchObject({ code: 'UNAVAILABLE' })
    const text = `${String(error)} ${String((error as StoreError).cause)}`
    expect(text).toContain('postgres://postgres:***@127.0.0.1:1/postgres')
    expect(text).not.toMatch(/pässwörd|p%C3%A4sswörd|never-printed/)
  })
})
