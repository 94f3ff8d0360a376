import type Database from 'better-sqlite3'

/** The `store_state` key of the newest webhook id the search index covers. */
export const SEARCH_WATERMARK = 'search_indexed_through'

/**
 * The statements that index the next webhooks for search, shared by the writer connection and
 * the background worker (`wal-checkpointer.ts`), which embeds them in its own code.
 *
 * The raw body is indexed, pretty-printed or not: JSON whitespace outside strings always stands
 * next to a quote, a bracket, a colon or a comma, all of which separate tokens anyway, so the
 * tokenizer sees the same tokens at the same positions as in the compact form. Indexing is then
 * one INSERT … SELECT inside SQLite, with no row brought into JavaScript.
 */
export const SEARCH_SQL = {
  watermark: 'SELECT value FROM store_state WHERE key = ?',
  setWatermark: 'INSERT OR REPLACE INTO store_state (key, value) VALUES (?, ?)',
  /** How many of the next `limit` webhooks after the watermark exist, and the newest of them. */
  nextBatch:
    'SELECT count(*) AS n, max(id) AS last FROM (SELECT id FROM webhook_bodies WHERE id > ? ORDER BY id LIMIT ?)',
  index:
    'INSERT INTO webhooks_fts (rowid, body) SELECT id, CAST(body AS TEXT) FROM webhook_bodies WHERE id > ? AND id <= ? ORDER BY id',
} as const

/**
 * One batch of search indexing as a function of the connection: run it inside a write
 * transaction (BEGIN IMMEDIATE), so the watermark read and the index move together even with
 * another connection indexing the same file.
 * @returns how many webhooks it indexed (fewer than `limit`: the index has caught up)
 */
export function searchIndexer(db: Database.Database): (limit: number) => number {
  const watermark = db.prepare<[string], number>(SEARCH_SQL.watermark).pluck()
  const setWatermark = db.prepare<[string, number]>(SEARCH_SQL.setWatermark)
  const nextBatch = db.prepare<[number, number], { n: number; last: number | null }>(
    SEARCH_SQL.nextBatch
  )
  const index = db.prepare<[number, number]>(SEARCH_SQL.index)
  return (limit) => {
    const from = watermark.get(SEARCH_WATERMARK) ?? 0
    const { n, last } = nextBatch.get(from, limit)!
    if (last === null) return 0
    index.run(from, last)
    setWatermark.run(SEARCH_WATERMARK, last)
    return n
  }
}
