import path from 'node:path'
import { createTempDir, createTestDatabase, runTsx } from '@up42-webhooks/test-support'
import type { TempDir, TestDatabase } from '@up42-webhooks/test-support'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { copyDatabase } from './db-copy.ts'
import { createPostgresStore } from './postgres-store.ts'
import { createSqliteStore } from './sqlite-store.ts'
import { collect, input, jobEvent } from './store-contract.ts'
import type { WebhookStore } from './store.ts'

const serverUrl = inject('postgresUrl')
const T0 = Date.UTC(2026, 0, 1, 12)

/** Everything a store shows of its contents, for comparing two copies. */
async function contents(store: WebhookStore) {
  await store.whenSearchable?.() // SQLite indexes for search after the commit
  const records = await collect(store.iterate())
  return {
    records,
    replays: await Promise.all(records.map((r) => store.listReplayAttempts(r.id))),
    deliveries: (await store.listDeliveries({}, { limit: 500 })).items,
    search: (await store.list({ q: 'FAIL' })).items.map((w) => w.id),
  }
}

describe('copyDatabase', () => {
  let dir: TempDir
  let database: TestDatabase

  beforeEach(async () => {
    dir = await createTempDir()
    database = await createTestDatabase(serverUrl)
  })

  afterEach(async () => {
    await database.drop()
    await dir.remove()
  })

  it('copies SQLite into PostgreSQL and back with ids, times, counts, replay attempts and deliveries intact', async () => {
    const source = createSqliteStore({ path: dir.file('a.db') })
    const forward = { destination: 'app', kind: 'forward' } as const
    await source.insert({
      ...input(jobEvent({ messageId: 'm1' }), { receivedAt: T0 }),
      deliveries: [forward],
    })
    await source.insert(input(jobEvent({ messageId: 'm1' }), { receivedAt: T0 + 1 }))
    await source.insert(
      input(jobEvent({ status: 'FAILED' }), {
        receivedAt: T0 + 2,
        headers: { 'x-b': '2', 'x-a': '1' },
      })
    )
    await source.insert(
      input('{\n  "pretty": true\n}', { receivedAt: T0 + 3, idempotencyKey: 'k' })
    )
    await source.insert(input(jobEvent(), { receivedAt: T0 + 4 }))
    expect(await source.delete(4)).toBe(true) // the newest id is spent: the copy must not hand it out again
    await source.addReplayAttempt(3, {
      at: T0 + 10,
      url: 'http://127.0.0.1:9/x',
      mode: 'raw',
      status: 502,
      latencyMs: 1.5,
      error: null,
      responseExcerpt: 'bad',
    })
    const [claimed] = await source.claimDeliveries({ owner: 'o', leaseMs: 1000, limit: 1, now: T0 })
    await source.completeDeliveryAttempt(claimed!.id, {
      owner: 'o',
      at: T0 + 20,
      status: 503,
      error: null,
      responseExcerpt: 'later',
      latencyMs: 2,
      outcome: 'retry',
      nextAttemptAt: T0 + 5000,
    })
    const before = await contents(source)
    expect(before.records[0]).toMatchObject({ id: 1, deliveryCount: 2 })
    await source.close()

    expect(await copyDatabase(dir.file('a.db'), database.url)).toMatchObject({
      webhooks: 3,
      replayAttempts: 1,
      deliveries: 1,
    })
    const pg = await createPostgresStore({ url: database.url })
    expect(await contents(pg)).toEqual(before)
    expect((await pg.insert(input(jobEvent({ messageId: 'm1' })))).deliveryCount).toBe(3)
    await pg.close()

    // and back, into a new file
    expect(await copyDatabase(database.url, dir.file('b.db'))).toMatchObject({ webhooks: 3 })
    const back = createSqliteStore({ path: dir.file('b.db') })
    const after = await contents(back)
    expect(after.records.map((r) => r.deliveryCount)).toEqual([3, 1, 1])
    expect({ ...after, records: after.records.slice(1) }).toEqual({
      ...before,
      records: before.records.slice(1),
    })
    expect((await back.insert(input(jobEvent()))).id).toBe(5)
    await back.close()
    // PostgreSQL, too, goes on after the spent id 4
    const again = await createPostgresStore({ url: database.url })
    expect((await again.insert(input(jobEvent()))).id).toBe(5)
    await again.close()
  })

  it('refuses, exit 2, a target that holds webhooks, and prints no password', async () => {
    const target = await createPostgresStore({ url: database.url })
    await target.insert(input(jobEvent()))
    await target.close()
    const script = path.join(import.meta.dirname, 'db-copy-main.ts')
    const run = await runTsx(script, ['--', '--from', dir.file('empty.db'), '--to', database.url])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/already holds 1 webhook\(s\); copy into an empty database/)
    const password = new URL(database.url).password
    expect(run.stderr + run.stdout).not.toContain(password)
    expect(run.stderr).toContain(':***@')
  })
})
