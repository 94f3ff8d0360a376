import { Worker } from 'node:worker_threads'
import Database from 'better-sqlite3'
import { compactJson } from './compact-json.ts'
import { InvalidBodyError, StoreError } from './errors.ts'
import { extractFields } from './extract-fields.ts'
import { migrate } from './migrations.ts'
import { inlineWriteQueue, threadWriteQueue } from './sqlite-store-write-queue.ts'
import { openWriterConnection } from './sqlite-store-writer.mjs'
import type { PreparedRow, WriteOp } from './sqlite-store-writer.mjs'
import type {
  IterateOptions,
  Page,
  ReplayAttempt,
  ReplayAttemptInput,
  WebhookInput,
  WebhookRecord,
  WebhookStats,
  WebhookStore,
  WebhookSummary,
} from './store.ts'

export interface SqliteStoreOptions {
  /** A file path (its folder must exist) or `:memory:`. */
  path: string
  /** Rows fetched per query by `iterate`/`iterateCompact`; bounds their memory. Default 128. */
  chunkSize?: number
  /** How long a write waits for another connection's lock before failing `BUSY`. Default 5000. */
  busyTimeoutMs?: number
  /** Called after each group commit with the number of inserts it made durable (metrics). */
  onCommit?: (batchSize: number) => void
}

const DEFAULT_PAGE_SIZE = 50
const MAX_PAGE_SIZE = 500
const NONE = '(none)'

const SUMMARY_COLUMNS =
  'id, received_at, event, live_mode, status, message_id, job_id, order_id, delivery_count, verdict, size'
const RECORD_COLUMNS = `${SUMMARY_COLUMNS}, body, headers, remote_address, idempotency_key`

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

const WRITER_THREAD = new URL('./sqlite-store-writer-thread.mjs', import.meta.url)

const utf8 = new TextDecoder('utf-8', { fatal: true })

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
  const body = input.body
  let text: string
  let parsed: unknown
  try {
    text = utf8.decode(body)
    parsed = JSON.parse(text)
  } catch (error) {
    throw new InvalidBodyError('the webhook body is not UTF-8 JSON', { cause: error })
  }
  const fields = extractFields(parsed)
  const compact = compactJson(text)
  const idempotencyKey = input.idempotencyKey ?? null
  return {
    receivedAt: input.receivedAt ?? Date.now(),
    // a copy: the caller may reuse its buffer once insert returns
    body: Buffer.from(body),
    compact: compact === text ? null : compact,
    fts: compact,
    headers: JSON.stringify(input.headers),
    remoteAddress: input.remoteAddress ?? null,
    event: fields.event,
    liveMode: fields.liveMode === null ? null : Number(fields.liveMode),
    status: fields.status,
    messageId: fields.messageId,
    jobId: fields.jobId,
    orderId: fields.orderId,
    idempotencyKey,
    dedupKey:
      fields.messageId !== null
        ? `m:${fields.messageId}`
        : idempotencyKey !== null
          ? `k:${idempotencyKey}`
          : null,
    verdict: input.verdict,
    size: body.byteLength,
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
      add('id IN (SELECT rowid FROM webhooks_fts WHERE webhooks_fts MATCH ?)', match)
  }
  if (filter.since !== undefined) add('id > ?', filter.since)
  return clauses
}

function toStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error
  const code = (error as { code?: unknown }).code
  const busy = code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED'
  return new StoreError(busy ? 'BUSY' : 'FAILED', `could not ${action}`, { cause: error })
}

/**
 * SQLite store with group commit on a writer thread. Every write goes to a worker thread that
 * owns the only writing connection: writes that arrive while it commits are written together in
 * its next transaction, so one fsync covers the whole group and the HTTP thread never waits for
 * the disk. WAL with `synchronous = FULL`: a resolved write has been fsynced and survives a crash
 * of the process or of the machine. Reads run on this thread, on their own read-only connection
 * (WAL readers never block the writer). `:memory:` cannot be shared between connections, so it
 * writes on this thread, still grouping the writes of one event-loop turn.
 *
 * @param options.path - A file path (its folder must exist) or `:memory:`.
 * @throws {StoreError} `FAILED` when the file cannot be opened or its schema is newer than ours.
 */
export function createSqliteStore(options: SqliteStoreOptions): WebhookStore {
  const { chunkSize = 128, busyTimeoutMs = 5000, onCommit } = options
  const inMemory = options.path === ':memory:'
  let reader: Database.Database
  try {
    // opened, migrated and checked here, so a bad file fails the constructor, not a later write
    const setup = openWriterConnection(options.path, busyTimeoutMs)
    try {
      migrate(setup)
      if (inMemory) {
        reader = setup
      } else {
        reader = new Database(options.path, { readonly: true })
        reader.pragma(`busy_timeout = ${busyTimeoutMs}`)
      }
    } finally {
      // the writer thread opens its own; closing after the reader opened keeps the WAL files
      if (!inMemory) setup.close()
    }
  } catch (error) {
    throw toStoreError(error, `open the database ${options.path}`)
  }

  const selectRecord = reader.prepare<[number], RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM webhooks WHERE id = ?`
  )
  const selectReplays = reader.prepare<[number], ReplayRow>(
    'SELECT * FROM replay_attempts WHERE webhook_id = ? ORDER BY id'
  )
  const statements = new Map<string, Database.Statement>()
  const statement = (sql: string): Database.Statement => {
    let cached = statements.get(sql)
    if (cached === undefined) {
      cached = reader.prepare(sql)
      statements.set(sql, cached)
    }
    return cached
  }

  let closed = false
  let closing: Promise<void> | null = null
  const writes = inMemory
    ? inlineWriteQueue(reader, onCommit)
    : threadWriteQueue(
        new Worker(WRITER_THREAD, {
          workerData: { path: options.path, busyTimeoutMs },
          // plain JavaScript: the thread needs no TypeScript loader, so none is loaded again there
          execArgv: [],
        }),
        onCommit
      )

  function submit(op: WriteOp): Promise<unknown> {
    if (closed) return Promise.reject(new StoreError('CLOSED', 'the store is closed'))
    return writes.submit(op)
  }

  function ensureOpen(): void {
    if (closed) throw new StoreError('CLOSED', 'the store is closed')
  }

  async function* chunks<Row>(
    columns: string,
    options: IterateOptions,
    raw: boolean
  ): AsyncGenerator<Row[]> {
    let since = options.since ?? 0
    let remaining = options.limit ?? Number.POSITIVE_INFINITY
    while (remaining > 0) {
      ensureOpen()
      const params: unknown[] = []
      const clauses = whereClause({ ...options, since }, params)
      const size = Math.min(chunkSize, remaining)
      const sql = `SELECT ${columns} FROM webhooks WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT ${size}`
      // one short query per chunk: no read transaction stays open while the client reads slowly
      const stmt = statement(sql)
      const rows = (raw ? stmt.raw(true).all(...params) : stmt.raw(false).all(...params)) as Row[]
      if (rows.length === 0) return
      yield rows
      if (rows.length < size) return
      remaining -= rows.length
      const last = rows[rows.length - 1] as unknown
      since = raw ? ((last as unknown[])[0] as number) : (last as { id: number }).id
    }
  }

  return {
    async insert(input) {
      ensureOpen()
      const row = prepareRow(input)
      const { id, duplicate } = (await submit({ type: 'insert', row })) as {
        id: number
        duplicate: SummaryRow | null
      }
      if (duplicate !== null) {
        return {
          id,
          duplicate: true,
          deliveryCount: duplicate.delivery_count,
          webhook: toSummary(duplicate),
        }
      }
      return {
        id,
        duplicate: false,
        deliveryCount: 1,
        webhook: {
          id,
          receivedAt: new Date(row.receivedAt).toISOString(),
          event: row.event,
          liveMode: row.liveMode === null ? null : row.liveMode === 1,
          status: row.status,
          messageId: row.messageId,
          jobId: row.jobId,
          orderId: row.orderId,
          deliveryCount: 1,
          verdict: row.verdict,
          size: row.size,
        },
      }
    },

    async get(id) {
      ensureOpen()
      const row = selectRecord.get(id)
      return row === undefined ? null : toRecord(row)
    },

    async list(filter = {}, page = {}) {
      ensureOpen()
      const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
      const params: unknown[] = []
      const clauses = whereClause(filter, params)
      if (page.cursor !== undefined && page.cursor !== null) {
        clauses.push('id < ?')
        params.push(Number(page.cursor))
      }
      const where = clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`
      const rows = statement(
        `SELECT ${SUMMARY_COLUMNS} FROM webhooks ${where} ORDER BY id DESC LIMIT ?`
      ).all(...params, limit + 1) as SummaryRow[]
      const items = rows.slice(0, limit).map(toSummary)
      const nextCursor = rows.length > limit ? String(items[items.length - 1]!.id) : null
      return { items, nextCursor } satisfies Page
    },

    async *iterate(options = {}) {
      for await (const rows of chunks<RecordRow>(RECORD_COLUMNS, options, false)) {
        for (const row of rows) yield toRecord(row)
      }
    },

    async *iterateCompact(options = {}) {
      const columns = 'id, coalesce(compact, CAST(body AS TEXT))'
      for await (const rows of chunks<[number, string]>(columns, options, true)) {
        yield rows.map((row) => row[1])
      }
    },

    async stats() {
      ensureOpen()
      const total = (statement('SELECT count(*) AS n FROM webhooks').get() as { n: number }).n
      const group = (column: string): Record<string, number> => {
        const rows = statement(
          `SELECT coalesce(${column}, '${NONE}') AS k, count(*) AS n FROM webhooks GROUP BY 1 ORDER BY 1`
        ).all() as { k: string; n: number }[]
        return Object.fromEntries(rows.map((r) => [r.k, r.n]))
      }
      return { total, byEvent: group('event'), byStatus: group('status') } satisfies WebhookStats
    },

    async delete(id) {
      return (await submit({ type: 'delete', id })) as boolean
    },

    async clear() {
      return (await submit({ type: 'clear' })) as number
    },

    async addReplayAttempt(webhookId, attempt: ReplayAttemptInput) {
      const row = (await submit({
        type: 'replay',
        webhookId,
        attempt: { ...attempt, at: attempt.at ?? Date.now() },
      })) as ReplayRow | null
      return row === null ? null : toReplayAttempt(row)
    },

    async listReplayAttempts(webhookId) {
      ensureOpen()
      return selectReplays.all(webhookId).map(toReplayAttempt)
    },

    close() {
      closing ??= (async () => {
        closed = true
        // the writer closes last: the last connection to close checkpoints the WAL away
        if (!inMemory) reader.close()
        await writes.close()
        if (inMemory) reader.close()
      })()
      return closing
    },
  }
}
