import Database from 'better-sqlite3'
import { compactJson } from './compact-json.ts'
import { StoreError } from './errors.ts'
import { migrate } from './migrations.ts'
import {
  attachMemorySearch,
  attachSearchFile,
  prepareSearchFile,
  SEARCH_SCHEMA,
  SEARCH_SQL,
  searchIndexer,
  searchPath,
} from './search-index.ts'
import { DELIVERY_STATES, MAX_PAGE_SIZE } from './store.ts'
import { startStoreWorker } from './store-worker.ts'
import type { StoreWorker } from './store-worker.ts'
import type { StoreErrorCode } from './errors.ts'
import type {
  Delivery,
  DeliveryInput,
  DeliveryKind,
  DeliveryPage,
  DeliveryState,
  DeliveryClaim,
  DeliveryFilter,
  InsertResult,
  IterateOptions,
  Page,
  ReplayAttempt,
  ReplayAttemptInput,
  WebhookInput,
  WebhookRecord,
  OutboxStore,
  WebhookStats,
  WebhookStore,
  WebhookSummary,
} from './store.ts'

export interface SqliteStoreOptions {
  /** A file path (its folder must exist) or `:memory:`. */
  path: string
  /** Most rows fetched per query by `iterate`/`iterateCompact`. Default 128. */
  chunkSize?: number
  /**
   * A query of `iterate`/`iterateCompact` stops at the row whose body reaches this many bytes
   * in total: with the row count, this bounds their memory whatever the row size. Default 1 MiB.
   */
  chunkBytes?: number
  /** How long a write waits for another connection's lock before failing `BUSY`. Default 5000. */
  busyTimeoutMs?: number
  /**
   * How often a worker thread checkpoints the WAL into the database file (a file path only).
   * Default 1000 ms; 0 leaves it to SQLite, inside the commit that crosses 1000 pages.
   */
  checkpointIntervalMs?: number
  /** Called after each group commit with the number of inserts it made durable (metrics). */
  onCommit?: (batchSize: number) => void
}

const DEFAULT_PAGE_SIZE = 50
const NONE = '(none)'

const SUMMARY_COLUMNS =
  'id, received_at, event, live_mode, status, message_id, job_id, order_id, delivery_count, verdict, size'
const RECORD_COLUMNS = `${SUMMARY_COLUMNS}, body, headers, remote_address, idempotency_key`
// bodies and headers live in webhook_bodies (schema v4): rows of webhooks stay small and pack
const WITH_BODIES = 'webhooks JOIN webhook_bodies USING (id)'
/**
 * Webhooks indexed for search per transaction. FTS5 writes a segment per transaction and merges
 * them as they pile up: ~118 µs per webhook indexed alone, ~19 µs in batches of 64, ~15 in 512.
 * On the writer's thread (`:memory:`) a batch holds the thread that answers requests, so it is
 * small (~2 ms); the worker of a file store holds nothing anyone waits for.
 */
const SEARCH_BATCH = 128
const WORKER_SEARCH_BATCH = 4096
/** How soon after a commit the search index catches up (searches see a webhook by then). */
const SEARCH_DELAY_MS = 200

interface SummaryRow {
  id: number
  received_at: number
  event: string | null
  live_mode: number | null
  status: string | null
  message_id: string | null
  job_id: string | null
  order_id: string | null
  delivery_count: number
  verdict: string
  size: number
}

interface RecordRow extends SummaryRow {
  body: Buffer
  headers: string
  remote_address: string | null
  idempotency_key: string | null
}

interface ReplayRow {
  id: number
  webhook_id: number
  at: number
  url: string
  mode: string
  status: number | null
  latency_ms: number
  error: string | null
  response_excerpt: string | null
}

/** A webhook ready to be written: everything derived from the input is computed up front. */
interface PreparedRow {
  received_at: number
  body: Buffer
  pretty: number
  headers: string
  remote_address: string | null
  event: string | null
  live_mode: number | null
  status: string | null
  message_id: string | null
  job_id: string | null
  order_id: string | null
  idempotency_key: string | null
  dedup_key: string | null
  verdict: string
  size: number
  sent_at: string | null
  /** The outbox rows, written with the webhook (not a column). */
  deliveries: readonly DeliveryInput[]
}

/** The parameters of the webhooks insert, in its column order. */
type InsertColumns = [
  received_at: number,
  pretty: number,
  remote_address: string | null,
  event: string | null,
  live_mode: number | null,
  status: string | null,
  message_id: string | null,
  job_id: string | null,
  order_id: string | null,
  idempotency_key: string | null,
  dedup_key: string | null,
  verdict: string,
  size: number,
  sent_at: string | null,
]

interface Pending {
  row: PreparedRow
  resolve: (result: InsertResult) => void
  reject: (error: unknown) => void
}

function toSummary(row: SummaryRow): WebhookSummary {
  return {
    id: row.id,
    receivedAt: new Date(row.received_at).toISOString(),
    event: row.event,
    liveMode: row.live_mode === null ? null : row.live_mode === 1,
    status: row.status,
    messageId: row.message_id,
    jobId: row.job_id,
    orderId: row.order_id,
    deliveryCount: row.delivery_count,
    verdict: row.verdict,
    size: row.size,
  }
}

/**
 * The result of a first insert. Its summary is built when read: with nobody listening for
 * live events (the usual case under load), the route never reads it.
 */
function newWebhookResult(row: PreparedRow, id: number): InsertResult {
  let webhook: WebhookSummary | undefined
  return {
    id,
    duplicate: false,
    deliveryCount: 1,
    get webhook() {
      return (webhook ??= toSummary({ ...row, id, delivery_count: 1 }))
    },
  }
}

function toRecord(row: RecordRow): WebhookRecord {
  return {
    ...toSummary(row),
    headers: JSON.parse(row.headers) as Record<string, string>,
    body: row.body.toString('utf8'),
    bodyBase64: row.body.toString('base64'),
    remoteAddress: row.remote_address,
    idempotencyKey: row.idempotency_key,
  }
}

function toReplayAttempt(row: ReplayRow): ReplayAttempt {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    at: new Date(row.at).toISOString(),
    url: row.url,
    mode: row.mode,
    status: row.status,
    latencyMs: row.latency_ms,
    error: row.error,
    responseExcerpt: row.response_excerpt,
  }
}

function prepareRow(input: WebhookInput): PreparedRow {
  const body = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength)
  const { fields } = input
  return {
    received_at: input.receivedAt,
    body: Buffer.from(body),
    pretty: input.compactBody === null ? 0 : 1,
    headers: JSON.stringify(input.headers),
    remote_address: input.remoteAddress,
    event: fields.event,
    live_mode: fields.liveMode === null ? null : Number(fields.liveMode),
    status: fields.status,
    message_id: fields.messageId,
    job_id: fields.jobId,
    order_id: fields.orderId,
    idempotency_key: input.idempotencyKey,
    dedup_key: input.dedupKey,
    verdict: input.verdict,
    size: body.byteLength,
    sent_at: fields.timestamp,
    deliveries: input.deliveries ?? [],
  }
}

/** Every word must occur in the body, as a word prefix; quoting keeps FTS5 syntax inert. */
function toFtsQuery(q: string): string | null {
  const terms = q
    .split(/\s+/)
    .filter((term) => /[\p{L}\p{N}]/u.test(term))
    .map((term) => `"${term.replaceAll('"', '""')}"*`)
  return terms.length === 0 ? null : terms.join(' ')
}

function whereClause(filter: IterateOptions, params: unknown[]): string[] {
  const clauses: string[] = []
  const add = (sql: string, ...values: unknown[]) => {
    clauses.push(sql)
    params.push(...values)
  }
  if (filter.event !== undefined) add('event = ?', filter.event)
  if (filter.status !== undefined) add('status = ?', filter.status)
  if (filter.liveMode !== undefined) add('live_mode = ?', Number(filter.liveMode))
  if (filter.jobId !== undefined) add('job_id = ?', filter.jobId)
  if (filter.orderId !== undefined) add('order_id = ?', filter.orderId)
  if (filter.jobOrOrderId !== undefined) {
    add('(job_id = ? OR order_id = ?)', filter.jobOrOrderId, filter.jobOrOrderId)
  }
  if (filter.q !== undefined) {
    const match = toFtsQuery(filter.q)
    if (match !== null)
      add(
        `id IN (SELECT rowid FROM ${SEARCH_SCHEMA}.webhooks_fts WHERE webhooks_fts MATCH ?)`,
        match
      )
  }
  if (filter.since !== undefined) add('id > ?', filter.since)
  return clauses
}

/**
 * The query behind `list` (`DESC`, `before` = its cursor) and `listArrivals` (`ASC`): exported
 * so a test can hold each filter's `EXPLAIN QUERY PLAN` to an index.
 */
export function summaryQuery(
  filter: IterateOptions & { before?: number },
  order: 'ASC' | 'DESC',
  columns = SUMMARY_COLUMNS
): { sql: string; params: unknown[] } {
  const params: unknown[] = []
  const clauses = whereClause(filter, params)
  if (filter.before !== undefined) {
    clauses.push('id < ?')
    params.push(filter.before)
  }
  const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`
  return { sql: `SELECT ${columns} FROM webhooks ${where} ORDER BY id ${order} LIMIT ?`, params }
}

function storeErrorCode(error: unknown): StoreErrorCode {
  const code = String((error as { code?: unknown }).code)
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return 'BUSY'
  // extended codes too: SQLITE_READONLY_DIRECTORY, SQLITE_CORRUPT_INDEX, …
  if (/^SQLITE_(READONLY|CANTOPEN|PERM)/.test(code)) return 'UNWRITABLE'
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return 'CORRUPT'
  return 'FAILED'
}

function asStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error
  return new StoreError(`could not ${action}`, { code: storeErrorCode(error), cause: error })
}

/**
 * SQLite store with group commit: inserts that arrive while the event loop is busy are queued
 * and written together in one transaction on the next `setImmediate`, so one fsync covers the
 * whole group. WAL with `synchronous = FULL`: a resolved insert has been fsynced and survives a
 * crash of the process or of the machine.
 *
 * @param options.path - A file path (its folder must exist) or `:memory:`.
 * @throws {StoreError} `UNWRITABLE` when the file or its folder is read-only, `FAILED` when the
 *   file cannot be opened or its schema is newer than ours.
 */
export function createSqliteStore(options: SqliteStoreOptions): WebhookStore {
  const {
    chunkSize = 128,
    chunkBytes = 1024 * 1024,
    busyTimeoutMs = 5000,
    checkpointIntervalMs = 1000,
    onCommit,
  } = options
  let db!: Database.Database
  let scanner!: Database.Database
  // Two processes opening one new file at once can meet SQLITE_BUSY that no busy handler waits
  // for (SQLite returns it at once while the other connection initialises the WAL index or
  // switches the journal mode), so the whole open is retried within busyTimeoutMs. Start-up
  // only, so a synchronous sleep between tries is fine.
  const openUntil = Date.now() + busyTimeoutMs
  for (;;) {
    try {
      ;[db, scanner] = openConnections(options.path, busyTimeoutMs)
      break
    } catch (error) {
      if (isBusy(error) && Date.now() < openUntil) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25)
        continue
      }
      const code = storeErrorCode(error)
      throw code === 'UNWRITABLE'
        ? new StoreError(`cannot write the database ${options.path}`, { code: code, cause: error })
        : asStoreError(error, `open the database ${options.path}`)
    }
  }

  // A file store's search index and WAL checkpoints are the worker's (store-worker.ts); if it
  // dies, SQLite checkpoints inside commits again and the writer's thread indexes.
  let worker: StoreWorker | null = null
  // the index is attached to the writer and indexed on this thread (`:memory:`, or after the
  // worker died); neither: it could not be attached, and searches find what it holds
  let searchHere = options.path === ':memory:'
  if (!searchHere) {
    if (checkpointIntervalMs > 0) {
      // the WAL is copied back from another thread; a commit never stops to do it
      db.pragma('wal_autocheckpoint = 0')
      // after a checkpoint the WAL restarts from its start; this trims what a burst left behind
      db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`)
    }
    worker = startStoreWorker({
      path: options.path,
      searchPath: searchPath(options.path),
      busyTimeoutMs,
      checkpointIntervalMs,
      searchDelayMs: SEARCH_DELAY_MS,
      searchBatch: WORKER_SEARCH_BATCH,
      onFailure: () => {
        if (closed) return
        worker = null
        db.pragma('wal_autocheckpoint = 1000')
        try {
          attachSearchFile(db, options.path)
        } catch {
          return
        }
        searchHere = true
        scheduleIndexing(0)
      },
    })
  }

  const findDuplicate = db.prepare<[string], { id: number }>(
    'SELECT id FROM webhooks WHERE dedup_key = ?'
  )
  const countDelivery = db.prepare<[number, number], SummaryRow>(
    `UPDATE webhooks SET delivery_count = delivery_count + 1, last_delivery_at = ? WHERE id = ?
     RETURNING ${SUMMARY_COLUMNS}`
  )
  // Positional parameters: binding by name looks every one up on the object, per row. The
  // duplicate check stays a lookup before the insert: `ON CONFLICT DO NOTHING` would answer it
  // in the same statement, but AUTOINCREMENT hands out an id before the conflict is found, so
  // every repeat would leave a gap in the ids.
  const insertWebhook = db.prepare<InsertColumns>(
    `INSERT INTO webhooks (received_at, pretty, remote_address, event, live_mode,
       status, message_id, job_id, order_id, idempotency_key, dedup_key, verdict, size, sent_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
  )
  const insertBody = db.prepare<[number, Buffer, string]>(
    'INSERT INTO webhook_bodies (id, body, headers) VALUES (?, ?, ?)'
  )
  const selectRecord = db.prepare<[number], RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM ${WITH_BODIES} WHERE id = ?`
  )
  const deleteWebhook = db.prepare<[number], { event: string | null; status: string | null }>(
    'DELETE FROM webhooks WHERE id = ? RETURNING event, status'
  )
  const addCount = db.prepare<[string, string, number]>(
    `INSERT INTO webhook_counts (dimension, value, n) VALUES (?, ?, ?)
     ON CONFLICT DO UPDATE SET n = n + excluded.n`
  )
  const dropEmptyCounts = db.prepare('DELETE FROM webhook_counts WHERE n <= 0')
  const selectCounts = db.prepare<[], { dimension: string; value: string; n: number }>(
    'SELECT dimension, value, n FROM webhook_counts'
  )
  const selectWebhookExists = db.prepare<[number], { id: number }>(
    'SELECT id FROM webhooks WHERE id = ?'
  )
  const insertReplay = db.prepare<
    [number, number, string, string, number | null, number, string | null, string | null],
    ReplayRow
  >(
    `INSERT INTO replay_attempts (webhook_id, at, url, mode, status, latency_ms, error, response_excerpt)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`
  )
  const selectReplays = db.prepare<[number], ReplayRow>(
    'SELECT * FROM replay_attempts WHERE webhook_id = ? ORDER BY id'
  )
  const insertDelivery = db.prepare<[number, string, DeliveryKind, number, number]>(
    `INSERT INTO deliveries (webhook_id, destination, kind, created_at, next_attempt_at)
     VALUES (?, ?, ?, ?, ?)`
  )
  const statements = new Map<string, Database.Statement>()
  const statement = (sql: string, on = db): Database.Statement => {
    const key = on === db ? sql : `scan:${sql}`
    let cached = statements.get(key)
    if (cached === undefined) {
      cached = on.prepare(sql)
      statements.set(key, cached)
    }
    return cached
  }

  function writeOne(row: PreparedRow): InsertResult {
    if (row.dedup_key !== null) {
      const existing = findDuplicate.get(row.dedup_key)
      if (existing !== undefined) {
        const updated = countDelivery.get(row.received_at, existing.id)!
        return {
          id: existing.id,
          duplicate: true,
          deliveryCount: updated.delivery_count,
          webhook: toSummary(updated),
        }
      }
    }
    const inserted = insertWebhook.run(
      row.received_at,
      row.pretty,
      row.remote_address,
      row.event,
      row.live_mode,
      row.status,
      row.message_id,
      row.job_id,
      row.order_id,
      row.idempotency_key,
      row.dedup_key,
      row.verdict,
      row.size,
      row.sent_at
    )
    const id = Number(inserted.lastInsertRowid)
    insertBody.run(id, row.body, row.headers)
    for (const delivery of row.deliveries) {
      const due = delivery.notBefore ?? row.received_at
      insertDelivery.run(id, delivery.destination, delivery.kind, row.received_at, due)
    }
    return newWebhookResult(row, id)
  }

  // Every write transaction is BEGIN IMMEDIATE: it takes the write lock up front, waiting up
  // to busy_timeout for another process that holds it. A deferred transaction reads first
  // (the dedup lookup) and then upgrades, which fails at once with SQLITE_BUSY when another
  // connection wrote in between: busy_timeout cannot help a stale read snapshot.
  const writeBatchTransaction = db.transaction((batch: readonly Pending[]) => {
    const results = batch.map((p) => writeOne(p.row))
    // the counters of /api/stats, summed per group: one upsert per distinct value
    const deltas = new Map<string, number>()
    for (const [i, result] of results.entries()) {
      if (result.duplicate) continue
      const { event, status } = batch[i]!.row
      for (const key of ['total\0', `event\0${event ?? NONE}`, `status\0${status ?? NONE}`]) {
        deltas.set(key, (deltas.get(key) ?? 0) + 1)
      }
    }
    for (const [key, n] of deltas) {
      const [dimension, value] = key.split('\0') as [string, string]
      addCount.run(dimension, value, n)
    }
    return results
  })
  const writeBatch = (batch: readonly Pending[]) => writeBatchTransaction.immediate(batch)

  let queue: Pending[] = []
  let flushScheduled = false
  let closed = false
  // Once SQLite has reported the file damaged (on any read or write), no webhook is
  // acknowledged any more: an insert that happens to touch only healthy pages would succeed,
  // but into a file that may lose it. The sender retries until the file is repaired.
  let corruption: StoreError | null = null
  const toStoreError = (error: unknown, action: string): StoreError => {
    const storeError = asStoreError(error, action)
    if (storeError.code === 'CORRUPT') corruption ??= storeError
    return storeError
  }

  function flush(): void {
    flushScheduled = false
    const batch = queue
    queue = []
    if (batch.length === 0) return
    let results: InsertResult[]
    try {
      results = writeBatch(batch)
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(toStoreError(error, 'store the webhook'))
        return
      }
      // the group was rolled back as a whole; retry alone so one bad row fails only itself
      for (const pending of batch) {
        try {
          const [result] = writeBatch([pending])
          onCommit?.(1)
          pending.resolve(result!)
        } catch (single) {
          pending.reject(toStoreError(single, 'store the webhook'))
        }
      }
      return
    }
    onCommit?.(batch.length)
    if (searchHere) scheduleIndexing()
    batch.forEach((pending, i) => pending.resolve(results[i]!))
  }

  // Full-text indexing after the commit, in batches (search-index.ts): by the worker for a file
  // store; here, on the writer's connection, for `:memory:` (and a file store whose worker
  // died). Searches see a webhook SEARCH_DELAY_MS (plus the batches before it) after it was
  // acknowledged; the watermark is committed with the index, so a crash leaves nothing
  // unindexed for good.
  let indexTimer: NodeJS.Timeout | null = null
  const relaxed = relaxedWrites(db)
  // prepared once the index is attached here
  let indexBatchTransaction: Database.Transaction<(limit: number) => number> | null = null
  /** Indexes up to `limit` webhooks; false when none was left. */
  function indexBatch(limit: number): boolean {
    const transaction = (indexBatchTransaction ??= db.transaction(searchIndexer(db)))
    // No fsync of its own: the index (with its watermark) rebuilds from the webhooks if power
    // fails before the next webhook commit syncs the WAL; nothing acknowledged rests on it.
    return relaxed(() => transaction.immediate(limit)) === limit
  }
  function scheduleIndexing(delay = SEARCH_DELAY_MS): void {
    if (indexTimer !== null || closed) return
    indexTimer = setTimeout(() => {
      indexTimer = null
      let more = false
      try {
        more = indexBatch(SEARCH_BATCH)
      } catch (error) {
        // BUSY (another process writes) or a failing disk: try again later, nothing is lost
        toStoreError(error, 'index the webhooks for search')
        more = true
      }
      // the rest of a backlog in turns, so requests get the thread between batches
      if (more) scheduleIndexing(1)
    }, delay)
    indexTimer.unref()
  }
  function indexEverything(): void {
    if (indexTimer !== null) clearTimeout(indexTimer)
    indexTimer = null
    try {
      while (indexBatch(4096));
    } catch (error) {
      throw toStoreError(error, 'index the webhooks for search')
    }
  }

  // a backlog from before a crash or an upgrade is indexed in turns from the start
  if (searchHere) scheduleIndexing(0)

  function ensureOpen(): void {
    if (closed) throw new StoreError('the store is closed', { code: 'CLOSED' })
  }

  async function* chunks<Row>(
    columns: string,
    options: IterateOptions,
    raw: boolean,
    sizeOf: (row: Row) => number
  ): AsyncGenerator<Row[]> {
    let since = options.since ?? 0
    let remaining = options.limit ?? Number.POSITIVE_INFINITY
    while (remaining > 0) {
      ensureOpen()
      const params: unknown[] = []
      const clauses = whereClause({ ...options, since }, params)
      const sql = `SELECT ${columns} FROM ${WITH_BODIES} WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT ?`
      // One short query per chunk: no read transaction stays open while the client reads
      // slowly. Rows are stepped one by one and the chunk ends at the row that reaches
      // chunkBytes: 128 rows of 1 MiB would otherwise be read at once, several copies each.
      const rows: Row[] = []
      const size = Math.min(chunkSize, remaining)
      let full = false
      try {
        let bytes = 0
        const stepped = statement(sql, scanner)
          .raw(raw)
          .iterate(...params, size) as IterableIterator<Row>
        for (const row of stepped) {
          rows.push(row)
          bytes += sizeOf(row)
          if (bytes >= chunkBytes) {
            full = true
            break
          }
        }
      } catch (error) {
        throw toStoreError(error, 'read the webhooks')
      }
      if (rows.length === 0) return
      yield rows
      if (rows.length < size && !full) return
      remaining -= rows.length
      const last = rows[rows.length - 1] as unknown
      since = raw ? ((last as unknown[])[0] as number) : (last as { id: number }).id
    }
  }

  const outbox = createSqliteOutbox(db, relaxed, ensureOpen, toStoreError)

  return {
    insert(input) {
      if (closed) return Promise.reject(new StoreError('the store is closed', { code: 'CLOSED' }))
      if (corruption !== null) {
        const message = 'the database file is corrupt; nothing is stored until it is repaired'
        return Promise.reject(new StoreError(message, { code: 'CORRUPT', cause: corruption }))
      }
      let row: PreparedRow
      try {
        row = prepareRow(input)
      } catch (error) {
        return Promise.reject(error)
      }
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ row, resolve, reject })
        if (!flushScheduled) {
          flushScheduled = true
          setImmediate(flush)
        }
      })
    },

    async get(id) {
      ensureOpen()
      const row = selectRecord.get(id)
      return row === undefined ? null : toRecord(row)
    },

    async list(filter = {}, page = {}) {
      ensureOpen()
      const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
      const cursor =
        page.cursor === undefined || page.cursor === null ? {} : { before: Number(page.cursor) }
      const { sql, params } = summaryQuery({ ...filter, ...cursor }, 'DESC')
      // the search index is attached to the scanner, never to the writer (search-index.ts)
      const reader = filter.q === undefined ? db : scanner
      const rows = statement(sql, reader).all(...params, limit + 1) as SummaryRow[]
      const items = rows.slice(0, limit).map(toSummary)
      const nextCursor = rows.length > limit ? String(items[items.length - 1]!.id) : null
      return { items, nextCursor } satisfies Page
    },

    async listArrivals(options = {}) {
      ensureOpen()
      const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
      const query = summaryQuery(options, 'ASC', `${SUMMARY_COLUMNS}, sent_at`)
      // summary columns only: the bodies (1 MiB each, possibly) are never read into memory
      try {
        const rows = statement(query.sql, scanner).all(...query.params, limit) as (SummaryRow & {
          sent_at: string | null
        })[]
        return rows.map((row) => ({ ...toSummary(row), timestamp: row.sent_at }))
      } catch (error) {
        throw toStoreError(error, 'read the webhooks')
      }
    },

    async *iterate(options = {}) {
      for await (const rows of chunks<RecordRow>(
        RECORD_COLUMNS,
        options,
        false,
        (row) => row.size
      )) {
        for (const row of rows) yield toRecord(row)
      }
    },

    async *iterateCompact(options = {}) {
      // the body is stored once: a pretty-printed one is made compact here, as the intake did
      const columns = 'id, CAST(body AS TEXT), pretty'
      const sizeOf = (row: [number, string, number]) => {
        if (row[2] === 1) row[1] = compactJson(row[1])
        return row[1].length
      }
      for await (const rows of chunks<[number, string, number]>(columns, options, true, sizeOf)) {
        yield rows.map((row) => row[1])
      }
    },

    async stats() {
      ensureOpen()
      const stats: WebhookStats = { total: 0, byEvent: {}, byStatus: {} }
      // ordered by the primary key (dimension, value), as GROUP BY … ORDER BY was
      for (const { dimension, value, n } of selectCounts.all()) {
        if (dimension === 'total') stats.total = n
        else if (dimension === 'event') stats.byEvent[value] = n
        else if (dimension === 'status') stats.byStatus[value] = n
      }
      return stats
    },

    async whenSearchable() {
      ensureOpen()
      flush()
      if (worker !== null) await worker.whenSearchable()
      else if (searchHere) indexEverything()
    },

    async delete(id) {
      ensureOpen()
      try {
        const deleted = db
          .transaction(() => {
            const deleted = deleteWebhook.get(id)
            if (deleted === undefined) return false
            addCount.run('total', '', -1)
            addCount.run('event', deleted.event ?? NONE, -1)
            addCount.run('status', deleted.status ?? NONE, -1)
            dropEmptyCounts.run()
            // not yet indexed for search: the index's delete finds nothing, which is fine
            if (searchHere) statement(SEARCH_SQL.delete).run(id)
            return true
          })
          .immediate()
        if (deleted) worker?.delete(id)
        return deleted
      } catch (error) {
        throw toStoreError(error, 'delete the webhook')
      }
    },

    async clear() {
      ensureOpen()
      try {
        const changes = db
          .transaction(() => {
            const { changes } = statement('DELETE FROM webhooks').run()
            if (searchHere) statement(SEARCH_SQL.clear).run()
            statement('DELETE FROM webhook_counts').run()
            return changes
          })
          .immediate()
        worker?.clear()
        return changes
      } catch (error) {
        throw toStoreError(error, 'delete the webhooks')
      }
    },

    async addReplayAttempt(webhookId, attempt: ReplayAttemptInput) {
      ensureOpen()
      if (selectWebhookExists.get(webhookId) === undefined) return null
      try {
        const row = insertReplay.get(
          webhookId,
          attempt.at ?? Date.now(),
          attempt.url,
          attempt.mode,
          attempt.status,
          attempt.latencyMs,
          attempt.error,
          attempt.responseExcerpt
        )!
        return toReplayAttempt(row)
      } catch (error) {
        throw toStoreError(error, 'record the replay attempt')
      }
    },

    async listReplayAttempts(webhookId) {
      ensureOpen()
      return selectReplays.all(webhookId).map(toReplayAttempt)
    },

    ...outbox.store,

    async close() {
      if (closed) return
      flush()
      outbox.flush()
      // What is left of the backlog (about SEARCH_DELAY_MS of webhooks) on this thread; else, and
      // for the worker (whose backlog after an upgrade can be a whole database), the next open.
      try {
        if (searchHere) indexEverything()
      } catch {
        // the webhooks are committed; the next open indexes them
      }
      closed = true
      // before the writer: the last connection to close checkpoints and removes the WAL
      await worker?.close()
      if (scanner !== db) scanner.close()
      db.close()
    },
  }
}

/** Opens the writer (WAL, migrated, write-probed) and the scanner; closes both on failure. */
function openConnections(
  path: string,
  busyTimeoutMs: number
): [Database.Database, Database.Database] {
  // timeout = busy_timeout from the first statement: switching to WAL already takes a lock
  const db = new Database(path, { timeout: busyTimeoutMs })
  let scanner: Database.Database | undefined
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    migrate(db)
    // SQLite opens a file it may not write read-only without a word, and an up-to-date file
    // needs no write to start: without this probe the receiver would start, then answer 500
    // to every webhook. A write statement under BEGIN IMMEDIATE, rolled back, writes nothing.
    db.exec('BEGIN IMMEDIATE')
    try {
      db.prepare('DELETE FROM webhooks WHERE 0').run()
    } finally {
      db.exec('ROLLBACK')
    }
    // Full scans (dumps, exports) get their own connection with a small page cache: a dump of
    // every row would otherwise fill the writer's 16 MB cache with pages read once, and in WAL
    // mode a reader never blocks the writer. `:memory:` is private to one connection.
    if (path === ':memory:') {
      attachMemorySearch(db)
      return [db, db]
    }
    prepareSearchFile(db, path, busyTimeoutMs)
    scanner = new Database(path, { readonly: true })
    scanner.pragma('cache_size = -1000')
    // read-only here, and absent from the writer: a BEGIN IMMEDIATE would lock it too
    attachSearchFile(scanner, path)
    return [db, scanner]
  } catch (error) {
    if (scanner !== undefined && scanner !== db) scanner.close()
    db.close()
    throw error
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

interface DeliveryRow {
  id: number
  webhook_id: number
  destination: string
  kind: DeliveryKind
  state: DeliveryState
  attempts: number
  created_at: number
  next_attempt_at: number | null
  lease_owner: string | null
  lease_until: number | null
  last_attempt_at: number | null
  last_status: number | null
  last_error: string | null
  last_response_excerpt: string | null
  delivered_at: number | null
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    destination: row.destination,
    kind: row.kind,
    state: row.state,
    attempts: row.attempts,
    createdAt: iso(row.created_at)!,
    nextAttemptAt: row.state === 'pending' ? iso(row.next_attempt_at) : null,
    lastAttemptAt: iso(row.last_attempt_at),
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastResponseExcerpt: row.last_response_excerpt,
    deliveredAt: iso(row.delivered_at),
  }
}

type Relaxed = <T>(write: () => T) => T

/**
 * Runs writes with `synchronous = NORMAL` (WAL: committed, not fsynced), then back to FULL: for
 * what nothing acknowledged rests on (the search index, delivery leases and results). The two
 * pragmas are prepared once: db.pragma() prepares its statement on every call.
 */
function relaxedWrites(db: Database.Database): Relaxed {
  const normal = db.prepare('PRAGMA synchronous = NORMAL')
  const full = db.prepare('PRAGMA synchronous = FULL')
  return (write) => {
    normal.run()
    try {
      return write()
    } finally {
      full.run()
    }
  }
}

/**
 * Due deliveries of one destination (destination, now, now, limit), oldest due first. One
 * destination at a time, through deliveries_claim in due order, nothing sorted: the due rows of
 * a slow destination are never read to claim another's. Exported for its query-plan test.
 */
export const CLAIM_DUE_SQL = `SELECT id, next_attempt_at FROM deliveries
  WHERE destination = ? AND state = 'pending' AND next_attempt_at <= ?
    AND (lease_until IS NULL OR lease_until <= ?)
  ORDER BY next_attempt_at, id LIMIT ?`

/**
 * The `OutboxStore` half of the SQLite store, on the writer connection: claims and results
 * are group-committed in BEGIN IMMEDIATE transactions (select due, then lease), so two
 * processes on one file never lease one delivery twice.
 */
function createSqliteOutbox(
  db: Database.Database,
  relaxed: Relaxed,
  ensureOpen: () => void,
  toStoreError: (error: unknown, action: string) => StoreError
): { store: OutboxStore; flush: () => void } {
  const selectDelivery = db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?')
  const completeAttempt = db.prepare<
    [
      DeliveryState,
      number | null,
      number,
      number | null,
      string | null,
      string | null,
      number | null,
      number,
      string,
    ],
    DeliveryRow
  >(
    `UPDATE deliveries SET state = ?, next_attempt_at = ?, attempts = attempts + 1,
       last_attempt_at = ?, last_status = ?, last_error = ?, last_response_excerpt = ?,
       delivered_at = coalesce(?, delivered_at), lease_owner = NULL, lease_until = NULL
     WHERE id = ? AND lease_owner = ? AND state = 'pending' RETURNING *`
  )
  // a pending delivery keeps a lease it holds (its attempt is in flight and is not doubled); a
  // delivered or failed one is pending again, due at once
  const retry = db.prepare<[number, number], DeliveryRow>(
    `UPDATE deliveries SET next_attempt_at = ?,
       lease_owner = CASE state WHEN 'pending' THEN lease_owner END,
       lease_until = CASE state WHEN 'pending' THEN lease_until END,
       state = 'pending'
     WHERE id = ? RETURNING *`
  )
  // Leases and attempt results are committed without their own fsync: a process crash keeps
  // them (the OS has the pages), a power loss may forget one, which costs one more attempt,
  // never a delivery; the next webhook insert (FULL) fsyncs them along. Their fsyncs on the
  // event loop cut intake to a fifth.
  // Claims and results that arrive in one turn of the event loop are written in one
  // transaction, as webhooks are (group commit): a transaction per delivery result, each with
  // its own WAL frames, cost more than sending the delivery and grew the WAL faster than the
  // checkpoints could copy it back. Each write is a savepoint of its own, so one that fails
  // rolls back alone.
  interface Queued {
    write: () => unknown
    resolve: (value: unknown) => void
    reject: (error: unknown) => void
  }
  let queued: Queued[] = []
  const savepoint = db.transaction((write: () => unknown) => write())
  const writeGroup = db.transaction((group: readonly Queued[]) =>
    group.map((entry) => {
      try {
        return { ok: true as const, value: savepoint(entry.write) }
      } catch (error) {
        return { ok: false as const, error }
      }
    })
  )
  function flushGroup(): void {
    const group = queued
    queued = []
    if (group.length === 0) return
    let outcomes: ReturnType<typeof writeGroup>
    try {
      outcomes = relaxed(() => writeGroup.immediate(group))
    } catch (error) {
      for (const entry of group) entry.reject(error)
      return
    }
    outcomes.forEach((outcome, i) =>
      outcome.ok ? group[i]!.resolve(outcome.value) : group[i]!.reject(outcome.error)
    )
  }
  const grouped = <T>(write: () => T): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (queued.length === 0) setImmediate(flushGroup)
      queued.push({ write, resolve: resolve as (value: unknown) => void, reject })
    })
  const statements = new Map<string, Database.Statement>()
  const statement = (sql: string): Database.Statement => {
    let cached = statements.get(sql)
    if (cached === undefined) statements.set(sql, (cached = db.prepare(sql)))
    return cached
  }
  const selectDue = db.prepare<[string, number, number, number], [number, number]>(CLAIM_DUE_SQL)
  selectDue.raw(true)
  const selectDestinations = db.prepare<[], { destination: string }>(
    "SELECT DISTINCT destination FROM deliveries WHERE state = 'pending'"
  )
  const lease = db.prepare<[string, number, number], DeliveryRow>(
    'UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE id = ? RETURNING *'
  )
  // inside a group's transaction (BEGIN IMMEDIATE): two processes never lease one delivery twice
  const claimDue = (claim: DeliveryClaim, now: number): DeliveryRow[] => {
    const limit = Math.max(0, claim.limit)
    if (limit === 0) return []
    const destinations =
      claim.destinations ?? selectDestinations.all().map((row) => row.destination)
    let due: [number, number][] = []
    for (const destination of new Set(destinations)) {
      due.push(...selectDue.all(destination, now, now, limit))
    }
    // oldest due first across the destinations, as promised
    due.sort((a, b) => a[1] - b[1] || a[0] - b[0])
    if (due.length > limit) due = due.slice(0, limit)
    return due.map(([id]) => lease.get(claim.owner, now + claim.leaseMs, id)!)
  }

  const store: OutboxStore = {
    async claimDeliveries(claim) {
      ensureOpen()
      try {
        const rows = await grouped(() => claimDue(claim, claim.now ?? Date.now()))
        return rows.map(toDelivery)
      } catch (error) {
        throw toStoreError(error, 'claim deliveries')
      }
    },

    async completeDeliveryAttempt(id, result) {
      ensureOpen()
      const at = result.at ?? Date.now()
      const state: DeliveryState = result.outcome === 'retry' ? 'pending' : result.outcome
      if (result.outcome === 'retry' && result.nextAttemptAt === undefined) {
        throw new TypeError('[@up42-webhooks/receiver] a retry needs nextAttemptAt')
      }
      try {
        const row = await grouped(() =>
          completeAttempt.get(
            state,
            result.outcome === 'retry' ? result.nextAttemptAt! : null,
            at,
            result.status,
            result.error,
            result.responseExcerpt,
            result.outcome === 'delivered' ? at : null,
            id,
            result.owner
          )
        )
        return row === undefined ? null : toDelivery(row)
      } catch (error) {
        throw toStoreError(error, 'record the delivery attempt')
      }
    },

    async getDelivery(id) {
      ensureOpen()
      const row = selectDelivery.get(id)
      return row === undefined ? null : toDelivery(row)
    },

    async listDeliveries(filter: DeliveryFilter = {}, page = {}) {
      ensureOpen()
      const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
      const clauses: string[] = []
      const params: unknown[] = []
      if (filter.webhookId !== undefined)
        (clauses.push('webhook_id = ?'), params.push(filter.webhookId))
      if (filter.state !== undefined) (clauses.push('state = ?'), params.push(filter.state))
      if (filter.destination !== undefined)
        (clauses.push('destination = ?'), params.push(filter.destination))
      if (page.cursor !== undefined && page.cursor !== null) {
        clauses.push('id < ?')
        params.push(Number(page.cursor))
      }
      const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`
      const rows = statement(`SELECT * FROM deliveries ${where} ORDER BY id DESC LIMIT ?`).all(
        ...params,
        limit + 1
      ) as DeliveryRow[]
      const items = rows.slice(0, limit).map(toDelivery)
      const nextCursor = rows.length > limit ? String(items[items.length - 1]!.id) : null
      return { items, nextCursor } satisfies DeliveryPage
    },

    async retryDelivery(id, now = Date.now()) {
      ensureOpen()
      try {
        const row = retry.get(now, id)
        return row === undefined ? null : toDelivery(row)
      } catch (error) {
        throw toStoreError(error, 'retry the delivery')
      }
    },

    async deliveryCounts() {
      ensureOpen()
      const rows = statement(
        'SELECT state, count(*) AS n FROM deliveries GROUP BY state'
      ).all() as {
        state: DeliveryState
        n: number
      }[]
      const counts = Object.fromEntries(DELIVERY_STATES.map((s) => [s, 0])) as Record<
        DeliveryState,
        number
      >
      for (const row of rows) counts[row.state] = row.n
      return counts
    },
  }
  return { store, flush: flushGroup }
}
