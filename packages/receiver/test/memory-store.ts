import { afterEach, beforeEach } from 'vitest'
import { createSqliteStore, type SqliteStoreOptions } from '../src/sqlite-store.ts'
import type { WebhookStore } from '../src/store.ts'

/**
 * A fresh in-memory SQLite store for each test of the calling `describe` (or file), closed after
 * the test. `opened` receives it before each test, to keep it and build the app on it:
 *
 * @example
 * let store: WebhookStore
 * let app: ReturnType<typeof createApp>
 * useMemoryStore((opened) => {
 *   store = opened
 *   app = createApp({ store })
 * })
 */
export function useMemoryStore(
  opened: (store: WebhookStore) => void | Promise<void>,
  options: Omit<SqliteStoreOptions, 'path'> = {}
): void {
  let store: WebhookStore | undefined
  beforeEach(async () => {
    store = createSqliteStore({ ...options, path: ':memory:' })
    await opened(store)
  })
  // closing twice is harmless: tests that close the store themselves (to see failures) may
  afterEach(async () => {
    await store?.close()
    store = undefined
  })
}
