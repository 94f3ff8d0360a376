import { rmSync } from 'node:fs'
import Database from 'better-sqlite3'

/**
 * The full-text index lives in a database of its own, attached as `search`: for a file store,
 * the file `<path>-search` (with its own WAL), written by the store's worker thread
 * (`store-worker.ts`); for `:memory:`, an in-memory database indexed on the writer's thread.
 *
 * Why a second file: SQLite has one writer per file. Indexed on the writer's connection, every
 * batch held the thread that answers requests (FTS5 costs 15–20 µs a webhook, a fifth of the
 * write path) and was most of the p99; indexed by another connection on the same file, each
 * batch would hold the write lock and the next group commit would sleep in the busy handler.
 * With its own file the worker never takes the webhooks' lock: it reads the bodies in a read
 * snapshot and writes only here. The index is derived data: nothing acknowledged rests on it,
 * and it is rebuilt from the bodies when it is missing or belongs to another database.
 */
export const SEARCH_SCHEMA = 'search'

/** `search_state` keys: the newest webhook id the index covers; the database it indexes. */
const INDEXED_THROUGH = 'indexed_through'
const STORE_ID = 'store_id'

/**
 * The statements of one indexing batch, run by the worker (which gets them as data, so there is
 * one copy) and by the in-thread indexer of `:memory:` stores.
 *
 * The raw body is indexed, pretty-printed or not: JSON whitespace outside strings always stands
 * next to a quote, a bracket, a colon or a comma, all of which separate tokens anyway, so the
 * tokenizer sees the same tokens at the same positions as in the compact form. Indexing is then
 * one INSERT … SELECT inside SQLite, with no row brought into JavaScript.
 */
export const SEARCH_SQL = {
  /**
   * First statement of a batch (a deferred transaction): takes the index's write lock, and
   * only its lock, before the watermark is read, so two processes indexing one file take turns.
   */
  lock: `UPDATE ${SEARCH_SCHEMA}.search_state SET value = value WHERE key = '${INDEXED_THROUGH}'`,
  watermark: `SELECT value FROM ${SEARCH_SCHEMA}.search_state WHERE key = '${INDEXED_THROUGH}'`,
  setWatermark: `UPDATE ${SEARCH_SCHEMA}.search_state SET value = ? WHERE key = '${INDEXED_THROUGH}'`,
  /** How many of the next `limit` webhooks after the watermark exist, and the newest of them. */
  nextBatch:
    'SELECT count(*) AS n, max(id) AS last FROM (SELECT id FROM main.webhook_bodies WHERE id > ? ORDER BY id LIMIT ?)',
  index: `INSERT INTO ${SEARCH_SCHEMA}.webhooks_fts (rowid, body) SELECT id, CAST(body AS TEXT) FROM main.webhook_bodies WHERE id > ? AND id <= ? ORDER BY id`,
  delete: `DELETE FROM ${SEARCH_SCHEMA}.webhooks_fts WHERE rowid = ?`,
  clear: `INSERT INTO ${SEARCH_SCHEMA}.webhooks_fts (webhooks_fts) VALUES ('delete-all')`,
} as const

/**
 * Creates the index's tables in `schema` if they are missing, and empties the index when it
 * belongs to another database (its `store_id`) or reaches past the newest id (ids are never
 * reused, so an index ahead of the sequence indexed other webhooks: an old backup of the
 * database was put in its place). The worker then fills it from the bodies. Run it inside a
 * write transaction: checked and reset under the index's lock, a second process starting at the
 * same moment finds it done.
 */
function reconcileSearchTables(db: Database.Database, schema: string, main: Database.Database) {
  const storeId = main
    .prepare<[], number>(`SELECT value FROM store_state WHERE key = '${STORE_ID}'`)
    .pluck()
    .get()!
  const sequence =
    main
      .prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'webhooks'")
      .pluck()
      .get() ?? 0
  // contentless: the text lives in webhook_bodies; contentless_delete keeps DELETE simple
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${schema}.search_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    CREATE VIRTUAL TABLE IF NOT EXISTS ${schema}.webhooks_fts USING fts5 (body, content = '', contentless_delete = 1);
  `)
  const state = new Map(
    db
      .prepare<[], { key: string; value: number }>(`SELECT key, value FROM ${schema}.search_state`)
      .all()
      .map((row) => [row.key, row.value])
  )
  const through = state.get(INDEXED_THROUGH)
  if (state.get(STORE_ID) === storeId && through !== undefined && through <= sequence) return
  db.exec(`INSERT INTO ${schema}.webhooks_fts (webhooks_fts) VALUES ('delete-all')`)
  db.prepare(
    `INSERT OR REPLACE INTO ${schema}.search_state (key, value) VALUES (?, 0), (?, ?)`
  ).run(INDEXED_THROUGH, STORE_ID, storeId)
}

/** The file that holds the search index of the database at `path`. */
export const searchPath = (path: string): string => `${path}-search`

/**
 * Makes sure `<path>-search` is the index of the database `db` holds (`reconcileSearchTables`):
 * created when missing, emptied for a rebuild when it is another's or ahead of the ids, removed
 * and created again when it is not a database or is damaged. Start-up only: synchronous.
 */
export function prepareSearchFile(db: Database.Database, path: string, busyTimeoutMs: number) {
  const file = searchPath(path)
  const reconcile = () => {
    const search = new Database(file, { timeout: busyTimeoutMs })
    try {
      search.pragma('journal_mode = WAL')
      search.transaction(() => reconcileSearchTables(search, 'main', db)).immediate()
    } finally {
      search.close()
    }
  }
  try {
    reconcile()
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw error
    // derived data: nothing is lost by starting it again
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
    reconcile()
  }
}

/** Attaches the index of a file store to a connection (read-only on a read-only connection). */
export function attachSearchFile(db: Database.Database, path: string): void {
  db.prepare(`ATTACH ? AS ${SEARCH_SCHEMA}`).run(searchPath(path))
}

/** Attaches an empty in-memory index to the (only) connection of a `:memory:` store. */
export function attachMemorySearch(db: Database.Database): void {
  db.exec(`ATTACH ':memory:' AS ${SEARCH_SCHEMA}`)
  reconcileSearchTables(db, SEARCH_SCHEMA, db)
}

/**
 * One batch of search indexing on a connection with `search` attached, as a function of the
 * connection: run it inside a transaction that begins with `SEARCH_SQL.lock`.
 * @returns how many webhooks it indexed (fewer than `limit`: the index has caught up)
 */
export function searchIndexer(db: Database.Database): (limit: number) => number {
  const lock = db.prepare(SEARCH_SQL.lock)
  const watermark = db.prepare<[], number>(SEARCH_SQL.watermark).pluck()
  const setWatermark = db.prepare<[number]>(SEARCH_SQL.setWatermark)
  const nextBatch = db.prepare<[number, number], { n: number; last: number | null }>(
    SEARCH_SQL.nextBatch
  )
  const index = db.prepare<[number, number]>(SEARCH_SQL.index)
  return (limit) => {
    lock.run()
    const from = watermark.get() ?? 0
    const { n, last } = nextBatch.get(from, limit)!
    if (last === null) return 0
    index.run(from, last)
    setWatermark.run(last)
    return n
  }
}
