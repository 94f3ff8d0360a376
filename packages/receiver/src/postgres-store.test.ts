import { createTestDatabase } from '@up42-webhooks/test-support'
import type { TestDatabase } from '@up42-webhooks/test-support'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { describeOutboxContract } from './outbox-contract.ts'
import { createPostgresStore } from './postgres-store.ts'
import type { PostgresStore } from './postgres-store.ts'
import { describeStoreContract, input, jobEvent } from './store-contract.ts'
import type { StoreUnderTest } from './store-contract.ts'

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
})
