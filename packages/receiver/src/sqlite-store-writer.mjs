// Plain JavaScript with JSDoc types: this module also runs as a worker thread
// (sqlite-store-writer-thread.mjs), and a worker gets no TypeScript loader under tsx on Node 20.
// Types for TypeScript callers are in sqlite-store-writer.d.mts.
import Database from 'better-sqlite3'

const SUMMARY_COLUMNS =
  'id, received_at, event, live_mode, status, message_id, job_id, order_id, delivery_count, verdict, size'

/**
 * Opens the writer's connection with the pragmas durability depends on: WAL, and `synchronous =
 * FULL` so a commit returns only after the WAL is fsynced.
 *
 * @param {string} path
 * @param {number} busyTimeoutMs
 * @returns {Database.Database}
 */
export function openWriterConnection(path, busyTimeoutMs) {
  const db = new Database(path)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  } catch (error) {
    db.close()
    throw error
  }
  return db
}

/**
 * @param {unknown} error
 * @returns {import('./sqlite-store-writer.d.mts').WriteFailure}
 */
function toFailure(error) {
  const sqliteCode = /** @type {{ code?: unknown }} */ (error).code
  const busy = sqliteCode === 'SQLITE_BUSY' || sqliteCode === 'SQLITE_LOCKED'
  return {
    ok: false,
    code: busy ? 'BUSY' : 'FAILED',
    message: error instanceof Error ? error.message : String(error),
    sqliteCode: typeof sqliteCode === 'string' ? sqliteCode : null,
  }
}

/**
 * Every write of the store, on one connection. `write` runs a group of operations in one
 * transaction (one fsync for the whole group); when the group fails, each operation is retried
 * alone so one bad row fails only itself.
 *
 * @param {Database.Database} db
 * @returns {import('./sqlite-store-writer.d.mts').Writer}
 */
export function createWriter(db) {
  const findDuplicate = db.prepare('SELECT id FROM webhooks WHERE dedup_key = ?')
  const countDelivery = db.prepare(
    `UPDATE webhooks SET delivery_count = delivery_count + 1, last_delivery_at = ? WHERE id = ?
     RETURNING ${SUMMARY_COLUMNS}`
  )
  const insertWebhook = db.prepare(
    `INSERT INTO webhooks (received_at, body, compact, headers, remote_address, event, live_mode,
       status, message_id, job_id, order_id, idempotency_key, dedup_key, verdict, size)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const insertFts = db.prepare('INSERT INTO webhooks_fts (rowid, body) VALUES (?, ?)')
  const deleteWebhook = db.prepare('DELETE FROM webhooks WHERE id = ?')
  const deleteFts = db.prepare('DELETE FROM webhooks_fts WHERE rowid = ?')
  const deleteAll = db.prepare('DELETE FROM webhooks')
  const deleteAllFts = db.prepare('DELETE FROM webhooks_fts')
  const selectWebhookExists = db.prepare('SELECT id FROM webhooks WHERE id = ?')
  const insertReplay = db.prepare(
    `INSERT INTO replay_attempts (webhook_id, at, url, mode, status, latency_ms, error, response_excerpt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`
  )

  /**
   * @param {import('./sqlite-store-writer.d.mts').WriteOp} op
   * @returns {unknown}
   */
  function apply(op) {
    switch (op.type) {
      case 'insert': {
        const row = op.row
        if (row.dedupKey !== null) {
          const existing = findDuplicate.get(row.dedupKey)
          if (existing !== undefined) {
            return { id: existing.id, duplicate: countDelivery.get(row.receivedAt, existing.id) }
          }
        }
        // a structured clone turns a Buffer into a plain Uint8Array, which SQLite would not bind
        const body = Buffer.isBuffer(row.body)
          ? row.body
          : Buffer.from(row.body.buffer, row.body.byteOffset, row.body.byteLength)
        const id = Number(
          insertWebhook.run(
            row.receivedAt,
            body,
            row.compact,
            row.headers,
            row.remoteAddress,
            row.event,
            row.liveMode,
            row.status,
            row.messageId,
            row.jobId,
            row.orderId,
            row.idempotencyKey,
            row.dedupKey,
            row.verdict,
            row.size
          ).lastInsertRowid
        )
        insertFts.run(id, row.fts)
        return { id, duplicate: null }
      }
      case 'delete': {
        const deleted = deleteWebhook.run(op.id).changes > 0
        if (deleted) deleteFts.run(op.id)
        return deleted
      }
      case 'clear': {
        const { changes } = deleteAll.run()
        deleteAllFts.run()
        return changes
      }
      case 'replay': {
        if (selectWebhookExists.get(op.webhookId) === undefined) return null
        const a = op.attempt
        return insertReplay.get(
          op.webhookId,
          a.at,
          a.url,
          a.mode,
          a.status,
          a.latencyMs,
          a.error,
          a.responseExcerpt
        )
      }
    }
  }

  /** @param {readonly import('./sqlite-store-writer.d.mts').WriteOp[]} ops */
  const applyAll = db.transaction((ops) => ops.map(apply))

  /** @param {readonly import('./sqlite-store-writer.d.mts').WriteOp[]} ops */
  const inserts = (ops) => ops.reduce((n, op) => (op.type === 'insert' ? n + 1 : n), 0)

  return {
    write(ops) {
      if (ops.length === 0) return { replies: [], commits: [] }
      try {
        const values = applyAll(ops)
        return {
          replies: values.map((value) => ({ ok: true, value })),
          commits: inserts(ops) > 0 ? [inserts(ops)] : [],
        }
      } catch (error) {
        if (ops.length === 1) return { replies: [toFailure(error)], commits: [] }
      }
      /** @type {import('./sqlite-store-writer.d.mts').WriteOutcome} */
      const outcome = { replies: [], commits: [] }
      for (const op of ops) {
        try {
          const [value] = applyAll([op])
          outcome.replies.push({ ok: true, value })
          if (op.type === 'insert') outcome.commits.push(1)
        } catch (error) {
          outcome.replies.push(toFailure(error))
        }
      }
      return outcome
    },
  }
}
