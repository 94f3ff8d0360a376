import postgres from 'postgres'
import type { Sql } from 'postgres'
import { StoreError } from './errors.ts'
import { asPostgresStoreError, redactUrl } from './postgres-errors.ts'
import { INSERT_LOCK, migratePostgres, WEBHOOKS_CHANNEL } from './postgres-migrations.ts'
import { createPostgresOutbox } from './postgres-outbox.ts'
import { toSearchQuery, toSearchVector } from './postgres-search.ts'
import { MAX_PAGE_SIZE } from './store.ts'
import type {
  InsertResult,
  IterateOptions,
  Page,
  ReplayAttempt,
  WebhookInput,
  WebhookRecord,
  WebhookStats,
  WebhookStore,
  WebhookSummary,
} from './store.ts'

export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database` (also `postgresql://`). */
  url: string
  /** Connections in the pool. Default 10 (RECEIVER_DB_POOL). */
  poolSize?: number
  /** Most rows fetched per query by `iterate`/`iterateCompact`. Default 128. */
  chunkSize?: number
  /** A chunk of `iterate`/`iterateCompact` ends at the row whose body reaches this. Default 1 MiB. */
  chunkBytes?: number
  /** Most inserts written by one group commit. Default 500. */
  maxBatch?: number
  /** Called after each group commit with the number of inserts it made durable (metrics). */
  onCommit?: (batchSize: number) => void
  /** How often a live subscription also reads new rows, should a notification be lost. Default 1000. */
  pollMs?: number
  /**
   * Follow new webhooks (`LISTEN`) from the start rather than from the first `subscribe`, so a
   * first subscriber late in the store's life does not read every webhook stored since it opened.
   */
  live?: boolean
}

/** Listener of `subscribe`: webhooks committed by any process on the database, in id order. */
export type NewWebhooksListener = (webhooks: readonly WebhookSummary[]) => void

/** The PostgreSQL store: a `WebhookStore` whose `subscribe` sees every instance's webhooks. */
export interface PostgresStore extends WebhookStore {
  subscribe(listener: NewWebhooksListener): () => void
  /** The pool, for tools (`db:copy`) and tests; the store's own queries go through it too. */
  readonly sql: Sql
}

const DEFAULT_PAGE_SIZE = 50
const NONE = '(none)'

const SUMMARY_COLUMNS =
  'id, received_at, event, live_mode, status, message_id, job_id, order_id, delivery_count, verdict, size'
const RECORD_COLUMNS = `${SUMMARY_COLUMNS}, body, headers, remote_address, idempotency_key`

interface SummaryRow {
  id: number
  received_at: Date
  event: string | null
  live_mode: boolean | null
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
  headers: Record<string, string>
  remote_address: string | null
  idempotency_key: string | null
}

interface ReplayRow {
  id: number
  webhook_id: number
  at: Date
  url: string
  mode: string
  status: number | null
  latency_ms: number
  error: string | null
  response_excerpt: string | null
}

interface Pending {
  input: WebhookInput
  resolve: (result: InsertResult) => void
  reject: (error: unknown) => void
}

function toSummary(row: SummaryRow): WebhookSummary {
  return {
    id: row.id,
    receivedAt: row.received_at.toISOString(),
    event: row.event,
    liveMode: row.live_mode,
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
    headers: row.headers,
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
    at: row.at.toISOString(),
    url: row.url,
    mode: row.mode,
    status: row.status,
    latencyMs: row.latency_ms,
    error: row.error,
    responseExcerpt: row.response_excerpt,
  }
}

function whereClause(filter: IterateOptions, params: unknown[]): string[] {
  const clauses: string[] = []
  const add = (sql: (n: () => string) => string, ...values: unknown[]) => {
    clauses.push(
      sql(() => {
        params.push(values.shift())
        return `$${params.length}`
      })
    )
  }
  if (filter.event !== undefined) add((p) => `event = ${p()}`, filter.event)
  if (filter.status !== undefined) add((p) => `status = ${p()}`, filter.status)
  if (filter.liveMode !== undefined) add((p) => `live_mode = ${p()}::boolean`, filter.liveMode)
  if (filter.jobId !== undefined) add((p) => `job_id = ${p()}`, filter.jobId)
  if (filter.orderId !== undefined) add((p) => `order_id = ${p()}`, filter.orderId)
  if (filter.jobOrOrderId !== undefined) {
    const id = filter.jobOrOrderId
    add((p) => `(job_id = ${p()} OR order_id = ${p()})`, id, id)
  }
  if (filter.q !== undefined) {
    const query = toSearchQuery(filter.q)
    if (query !== null) add((p) => `search @@ ${p()}::tsquery`, query)
  }
  if (filter.since !== undefined) add((p) => `id > ${p()}::int8`, filter.since)
  return clauses
}

const where = (clauses: string[]) => (clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`)

// One statement per group commit (one round trip, one transaction): the advisory lock orders
// the groups of every instance, so ids become visible in id order (a reader following `id > last`
// never skips one committed late); existing dedup keys count deliveries without using an id; new
// rows take their ids in arrival order, the outbox rows go in with them, and ON CONFLICT covers a
// key another instance stored after this statement's snapshot.
const INSERT_BATCH = `
WITH src AS MATERIALIZED (
  SELECT r.* FROM (SELECT pg_advisory_xact_lock(${INSERT_LOCK})) AS l,
    unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
      $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
      $14::text[], $15::int4[], $16::text[], $17::text[], $18::int4[], $19::timestamptz[])
    WITH ORDINALITY AS r(received_at, body_hex, compact, headers, remote_address, event, live_mode,
      status, message_id, job_id, order_id, idempotency_key, dedup_key, verdict, size, sent_at,
      search, n, last_at, ord)
),
upd AS (
  UPDATE webhooks w SET delivery_count = w.delivery_count + s.n, last_delivery_at = s.last_at
  FROM src s WHERE w.dedup_key = s.dedup_key
  RETURNING s.ord, w.id, false AS inserted, w.received_at, w.event, w.live_mode, w.status,
    w.message_id, w.job_id, w.order_id, w.delivery_count, w.verdict, w.size
),
fresh AS MATERIALIZED (
  SELECT nextval(pg_get_serial_sequence('webhooks', 'id')) AS id, s.* FROM src s
  WHERE s.dedup_key IS NULL OR NOT EXISTS (SELECT 1 FROM webhooks w WHERE w.dedup_key = s.dedup_key)
  ORDER BY s.ord
),
ins AS (
  INSERT INTO webhooks (id, received_at, body, compact, headers, remote_address, event, live_mode,
    status, message_id, job_id, order_id, idempotency_key, dedup_key, verdict, size, sent_at,
    search, delivery_count, last_delivery_at)
  SELECT id, received_at, decode(body_hex, 'hex'), compact, headers::json, remote_address, event, live_mode::boolean, status,
    message_id, job_id, order_id, idempotency_key, dedup_key, verdict, size, sent_at,
    search::tsvector, n, CASE WHEN n > 1 THEN last_at END
  FROM fresh ORDER BY id
  ON CONFLICT (dedup_key) DO UPDATE SET
    delivery_count = webhooks.delivery_count + EXCLUDED.delivery_count,
    last_delivery_at = coalesce(EXCLUDED.last_delivery_at, EXCLUDED.received_at)
  RETURNING id, dedup_key, (xmax = 0) AS inserted, received_at, event, live_mode, status,
    message_id, job_id, order_id, delivery_count, verdict, size
),
outbox AS (
  INSERT INTO deliveries (webhook_id, destination, kind, created_at, next_attempt_at)
  SELECT f.id, d.destination, d.kind, f.received_at, coalesce(d.not_before, f.received_at)
  FROM unnest($20::int8[], $21::text[], $22::text[], $23::timestamptz[])
    AS d(ord, destination, kind, not_before)
  JOIN fresh f ON f.ord = d.ord JOIN ins i ON i.id = f.id AND i.inserted
  ON CONFLICT (webhook_id, destination) DO NOTHING
)
SELECT f.ord, i.id, i.inserted, i.received_at, i.event, i.live_mode, i.status, i.message_id,
  i.job_id, i.order_id, i.delivery_count, i.verdict, i.size
FROM fresh f JOIN ins i ON i.id = f.id OR i.dedup_key = f.dedup_key
UNION ALL
SELECT ord, id, inserted, received_at, event, live_mode, status, message_id, job_id, order_id,
  delivery_count, verdict, size FROM upd`

interface BatchRow extends SummaryRow {
  ord: number
  inserted: boolean
}

/** One row per dedup key (or per keyless webhook) of a group, with how often it came. */
interface Unique {
  input: WebhookInput
  pending: Pending[]
}

function batchParams(uniques: readonly Unique[]): unknown[] {
  const columns: unknown[][] = Array.from({ length: 23 }, () => [])
  const push = (...values: unknown[]) => values.forEach((v, i) => columns[i]!.push(v))
  uniques.forEach(({ input, pending }, i) => {
    const body = Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength)
    const { fields } = input
    const last = pending[pending.length - 1]!.input.receivedAt
    // text elements only: postgres.js types a parameter by its first element (a Buffer as bytea,
    // not bytea[]), while an untyped text array is cast by the server to the declared array type;
    // (and serialized by that type: so booleans go as text too); bodies travel as hex, decoded
    // in the statement
    push(
      new Date(input.receivedAt).toISOString(),
      body.toString('hex'),
      input.compactBody,
      JSON.stringify(input.headers),
      input.remoteAddress,
      fields.event,
      fields.liveMode === null ? null : String(fields.liveMode),
      fields.status,
      fields.messageId,
      fields.jobId,
      fields.orderId,
      input.idempotencyKey,
      input.dedupKey,
      input.verdict,
      body.byteLength,
      fields.timestamp,
      toSearchVector(input.compactBody ?? body.toString('utf8')),
      pending.length,
      new Date(last).toISOString()
    )
    for (const delivery of input.deliveries ?? []) {
      columns[19]!.push(i + 1)
      columns[20]!.push(delivery.destination)
      columns[21]!.push(delivery.kind)
      columns[22]!.push(
        delivery.notBefore === undefined ? null : new Date(delivery.notBefore).toISOString()
      )
    }
  })
  return columns
}

/** Opens a pool on `url` with ids and counts (int8) as numbers and notices kept quiet. */
export function connectPostgres(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 10,
    onnotice: () => {},
    connection: { application_name: 'up42-webhooks receiver' },
    types: {
      // ids and counts stay far below 2^53
      bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: Number },
    },
  })
}

/**
 * PostgreSQL store with group commit: inserts that arrive while one group is being written are
 * queued and written together by the next, in one statement (`unnest`, dedup, outbox rows, the
 * `NOTIFY`) and one transaction; each resolves only after its commit. Several receivers may share
 * the database: ids are unique and increase, a dedup key is stored once, and `subscribe` hears
 * every instance's new webhooks through `LISTEN`.
 *
 * @param options.url - `postgres://user:password@host:port/database`
 * @throws {StoreError} `UNAVAILABLE` when the server cannot be reached, `FAILED` when the
 *   schema is newer than this code; messages never contain the password
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const { chunkSize = 128, chunkBytes = 1024 * 1024, maxBatch = 500, onCommit } = options
  const pollMs = options.pollMs ?? 1000
  const sql = connectPostgres(options.url, { max: options.poolSize ?? 10 })
  try {
    await migratePostgres(sql)
  } catch (error) {
    await sql.end({ timeout: 1 }).catch(() => undefined)
    throw asPostgresStoreError(error, `open the database ${redactUrl(options.url)}`)
  }

  let queue: Pending[] = []
  let flushScheduled = false
  let writing: Promise<void> | null = null
  let closed = false

  const ensureOpen = () => {
    if (closed) throw new StoreError('the store is closed', { code: 'CLOSED' })
  }
  const query = async <T>(action: string, text: string, params: unknown[] = []): Promise<T[]> => {
    ensureOpen()
    try {
      return (await sql.unsafe(text, params as never[])) as unknown as T[]
    } catch (error) {
      throw asPostgresStoreError(error, action)
    }
  }

  async function writeBatch(batch: readonly Pending[]): Promise<void> {
    const byKey = new Map<string, Unique>()
    const uniques: Unique[] = []
    for (const pending of batch) {
      const key = pending.input.dedupKey
      const known = key === null ? undefined : byKey.get(key)
      if (known !== undefined) {
        known.pending.push(pending)
        continue
      }
      const unique = { input: pending.input, pending: [pending] }
      uniques.push(unique)
      if (key !== null) byKey.set(key, unique)
    }
    const rows = (await sql.unsafe(
      INSERT_BATCH,
      batchParams(uniques) as never[]
    )) as unknown as BatchRow[]
    const byOrd = new Map(rows.map((row) => [Number(row.ord), row]))
    uniques.forEach((unique, i) => {
      const row = byOrd.get(i + 1)
      if (row === undefined) {
        const error = new StoreError('could not store the webhook (no row came back)', {
          code: 'FAILED',
        })
        for (const p of unique.pending) p.reject(error)
        return
      }
      // the group's own repeats of one key count after the first: 1, 2, … up to the total
      const first = row.delivery_count - unique.pending.length + 1
      unique.pending.forEach((p, k) => {
        const deliveryCount = first + k
        p.resolve({
          id: row.id,
          duplicate: !(row.inserted && k === 0),
          deliveryCount,
          webhook: toSummary({ ...row, delivery_count: deliveryCount }),
        })
      })
    })
    onCommit?.(batch.length)
  }

  async function flush(): Promise<void> {
    flushScheduled = false
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch)
      queue = queue.slice(maxBatch)
      try {
        await writeBatch(batch)
      } catch (error) {
        const storeError = asPostgresStoreError(error, 'store the webhook')
        if (batch.length === 1 || storeError.code !== 'FAILED') {
          for (const p of batch) p.reject(storeError)
          continue
        }
        // the group was rolled back as a whole; retry alone so one bad row fails only itself
        for (const p of batch) {
          try {
            await writeBatch([p])
          } catch (single) {
            p.reject(asPostgresStoreError(single, 'store the webhook'))
          }
        }
      }
    }
  }

  function scheduleFlush(): void {
    if (flushScheduled || writing !== null) return
    flushScheduled = true
    setImmediate(() => {
      writing = flush().finally(() => {
        writing = null
        // inserts that came while this group was written form the next group
        if (queue.length > 0) scheduleFlush()
      })
    })
  }

  async function* chunks<Row extends { id: number }>(
    columns: string,
    options: IterateOptions
  ): AsyncGenerator<Row[]> {
    let since = options.since ?? 0
    let remaining = options.limit ?? Number.POSITIVE_INFINITY
    while (remaining > 0) {
      const params: unknown[] = []
      const clauses = whereClause({ ...options, since }, params)
      const size = Math.min(chunkSize, remaining)
      params.push(size, chunkBytes)
      // one short query per chunk (no transaction stays open while the client reads slowly);
      // the window sum ends the chunk at the row that reaches chunkBytes, in the server
      const rows = await query<Row & { before: number }>(
        'read the webhooks',
        `WITH c AS (SELECT id, sum(size) OVER (ORDER BY id) - size AS before FROM webhooks
           ${where(clauses)} ORDER BY id LIMIT $${params.length - 1})
         SELECT ${columns}, c.before::int8 AS before FROM webhooks JOIN c USING (id)
         WHERE c.before < $${params.length}::int8 ORDER BY id`,
        params
      )
      if (rows.length === 0) return
      yield rows
      const last = rows[rows.length - 1]!
      const full = Number(last.before) + (last as unknown as { size: number }).size >= chunkBytes
      if (rows.length < size && !full) return
      remaining -= rows.length
      since = last.id
    }
  }

  // live: one LISTEN per store, from the start (`live`) or the first subscriber on; the cursor
  // starts at the newest id when the store opened and only a read in id order moves it, so a
  // subscriber, which reads the store after subscribing, misses nothing committed in between
  const listeners = new Set<NewWebhooksListener>()
  let [{ newest: cursor = 0 } = { newest: 0 }] = await query<{ newest: number }>(
    'read the newest id',
    'SELECT coalesce(max(id), 0)::int8 AS newest FROM webhooks'
  )
  let feed: { unlisten: () => Promise<void>; timer: NodeJS.Timeout } | null = null
  let reading = false
  let readAgain = false
  async function readNew(): Promise<void> {
    if (reading) {
      readAgain = true
      return
    }
    reading = true
    try {
      do {
        readAgain = false
        for (;;) {
          if (closed) return
          const rows = await sql.unsafe<SummaryRow[]>(
            `SELECT ${SUMMARY_COLUMNS} FROM webhooks WHERE id > $1::int8 ORDER BY id LIMIT ${MAX_PAGE_SIZE}`,
            [cursor]
          )
          if (rows.length === 0) break
          cursor = rows[rows.length - 1]!.id
          const webhooks = rows.map(toSummary)
          for (const listener of listeners) {
            try {
              listener(webhooks)
            } catch (error) {
              console.error('new webhooks listener failed', error)
            }
          }
          if (rows.length < MAX_PAGE_SIZE) break
        }
      } while (readAgain)
    } catch {
      // the server is away: the next notification or poll reads from the same cursor
    } finally {
      reading = false
    }
  }
  async function startFeed(): Promise<void> {
    const timer = setInterval(() => void readNew(), pollMs)
    timer.unref()
    feed = { unlisten: async () => {}, timer }
    try {
      // onlisten runs on every (re)connect: catch up from the cursor then
      const { unlisten } = await sql.listen(
        WEBHOOKS_CHANNEL,
        () => void readNew(),
        () => void readNew()
      )
      if (feed === null) await unlisten()
      else feed.unlisten = unlisten
    } catch {
      // not listening yet: the poll covers it until a reconnect
    }
  }

  const outbox = createPostgresOutbox(query)
  if (options.live === true) await startFeed()

  const store: PostgresStore = {
    sql,

    insert(input) {
      if (closed) return Promise.reject(new StoreError('the store is closed', { code: 'CLOSED' }))
      return new Promise<InsertResult>((resolve, reject) => {
        queue.push({ input, resolve, reject })
        scheduleFlush()
      })
    },

    async get(id) {
      const [row] = await query<RecordRow>(
        'read the webhook',
        `SELECT ${RECORD_COLUMNS} FROM webhooks WHERE id = $1::int8`,
        [id]
      )
      return row === undefined ? null : toRecord(row)
    },

    async list(filter = {}, page = {}) {
      const limit = Math.min(Math.max(1, page.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
      const params: unknown[] = []
      const clauses = whereClause(filter, params)
      if (page.cursor !== undefined && page.cursor !== null) {
        params.push(Number(page.cursor))
        clauses.push(`id < $${params.length}::int8`)
      }
      params.push(limit + 1)
      const rows = await query<SummaryRow>(
        'read the webhooks',
        `SELECT ${SUMMARY_COLUMNS} FROM webhooks ${where(clauses)} ORDER BY id DESC LIMIT $${params.length}`,
        params
      )
      const items = rows.slice(0, limit).map(toSummary)
      const nextCursor = rows.length > limit ? String(items[items.length - 1]!.id) : null
      return { items, nextCursor } satisfies Page
    },

    async listArrivals(options = {}) {
      const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
      const params: unknown[] = []
      const clauses = whereClause(options, params)
      params.push(limit)
      const rows = await query<SummaryRow & { sent_at: string | null }>(
        'read the webhooks',
        `SELECT ${SUMMARY_COLUMNS}, sent_at FROM webhooks ${where(clauses)} ORDER BY id LIMIT $${params.length}`,
        params
      )
      return rows.map((row) => ({ ...toSummary(row), timestamp: row.sent_at }))
    },

    async *iterate(options = {}) {
      for await (const rows of chunks<RecordRow>(RECORD_COLUMNS, options)) {
        for (const row of rows) yield toRecord(row)
      }
    },

    async *iterateCompact(options = {}) {
      // the body as bytes when there is no compact form: decoded here, whatever the server's encoding
      const columns = 'id, size, compact, CASE WHEN compact IS NULL THEN body END AS body'
      type Row = { id: number; size: number; compact: string | null; body: Buffer | null }
      for await (const rows of chunks<Row>(columns, options)) {
        yield rows.map((row) => row.compact ?? row.body!.toString('utf8'))
      }
    },

    async stats() {
      const [total] = await query<{ n: number }>(
        'count the webhooks',
        'SELECT count(*)::int8 AS n FROM webhooks'
      )
      const group = async (column: string): Promise<Record<string, number>> => {
        const rows = await query<{ k: string; n: number }>(
          'count the webhooks',
          `SELECT coalesce(${column}, '${NONE}') AS k, count(*)::int8 AS n FROM webhooks GROUP BY 1`
        )
        return Object.fromEntries(rows.map((r) => [r.k, r.n]))
      }
      const [byEvent, byStatus] = await Promise.all([group('event'), group('status')])
      return { total: total!.n, byEvent, byStatus } satisfies WebhookStats
    },

    async delete(id) {
      const rows = await query(
        'delete the webhook',
        'DELETE FROM webhooks WHERE id = $1::int8 RETURNING id',
        [id]
      )
      return rows.length > 0
    },

    async clear() {
      // DELETE, not TRUNCATE … RESTART IDENTITY: ids are never handed out again
      const [row] = await query<{ n: number }>(
        'delete the webhooks',
        'WITH d AS (DELETE FROM webhooks RETURNING 1) SELECT count(*)::int8 AS n FROM d'
      )
      return row!.n
    },

    async addReplayAttempt(webhookId, attempt) {
      const [row] = await query<ReplayRow>(
        'record the replay attempt',
        `INSERT INTO replay_attempts (webhook_id, at, url, mode, status, latency_ms, error, response_excerpt)
         SELECT id, $2::timestamptz, $3, $4, $5::int4, $6::float8, $7, $8 FROM webhooks WHERE id = $1::int8
         RETURNING *`,
        [
          webhookId,
          new Date(attempt.at ?? Date.now()).toISOString(),
          attempt.url,
          attempt.mode,
          attempt.status,
          attempt.latencyMs,
          attempt.error,
          attempt.responseExcerpt,
        ]
      )
      return row === undefined ? null : toReplayAttempt(row)
    },

    async listReplayAttempts(webhookId) {
      const rows = await query<ReplayRow>(
        'read the replay attempts',
        'SELECT * FROM replay_attempts WHERE webhook_id = $1::int8 ORDER BY id',
        [webhookId]
      )
      return rows.map(toReplayAttempt)
    },

    ...outbox,

    subscribe(listener) {
      ensureOpen()
      listeners.add(listener)
      if (feed === null) void startFeed()
      void readNew()
      return () => {
        listeners.delete(listener)
      }
    },

    async close() {
      if (closed) return
      // the queued inserts are written first, then nothing more is taken
      while (writing !== null || queue.length > 0 || flushScheduled) {
        if (writing === null && !flushScheduled) scheduleFlush()
        await (writing ?? new Promise((resolve) => setImmediate(resolve)))
      }
      closed = true
      listeners.clear()
      if (feed !== null) {
        clearInterval(feed.timer)
        const { unlisten } = feed
        feed = null
        await unlisten().catch(() => undefined)
      }
      await sql.end({ timeout: 5 })
    },
  }
  return store
}
