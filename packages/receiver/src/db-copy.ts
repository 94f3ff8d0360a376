import type { ErrorOptions } from '@up42-webhooks/common'
import Database from 'better-sqlite3'
import { compactJson } from './compact-json.ts'
import type { Sql } from 'postgres'
import { isPostgresUrl, redactUrl } from './postgres-errors.ts'
import { toSearchVector } from './postgres-search.ts'
import { createPostgresStore } from './postgres-store.ts'
import { createSqliteStore } from './sqlite-store.ts'

/** Why a copy did not start: the target already holds webhooks (`NOT_EMPTY`), or bad arguments. */
export class CopyError extends Error {
  readonly code: 'NOT_EMPTY' | 'SAME_DATABASE'

  constructor(message: string, options: ErrorOptions<'NOT_EMPTY' | 'SAME_DATABASE'>) {
    super(message, { cause: options.cause })
    this.name = 'CopyError'
    this.code = options.code
  }
}

/** Every table's rows in one neutral form (times in ms), as both schemas hold them. */
interface WebhookRow {
  id: number
  received_at: number
  body: Buffer
  compact: string | null
  /** JSON text */
  headers: string
  remote_address: string | null
  event: string | null
  live_mode: boolean | null
  status: string | null
  message_id: string | null
  job_id: string | null
  order_id: string | null
  idempotency_key: string | null
  dedup_key: string | null
  delivery_count: number
  last_delivery_at: number | null
  verdict: string
  size: number
  sent_at: string | null
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

interface DeliveryRow {
  id: number
  webhook_id: number
  destination: string
  kind: string
  state: string
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

type Table = 'webhooks' | 'replay_attempts' | 'deliveries'
const TABLES: readonly Table[] = ['webhooks', 'replay_attempts', 'deliveries']
const TIME_COLUMNS = new Set([
  'received_at',
  'last_delivery_at',
  'at',
  'created_at',
  'next_attempt_at',
  'lease_until',
  'last_attempt_at',
  'delivered_at',
])
const BATCH = 200

/** One side of a copy. */
interface Side {
  label: string
  count(): Promise<number>
  /** Rows of a table in id order, in batches. */
  read(table: Table): AsyncIterable<Record<string, unknown>[]>
  /** The last id a table handed out (deleted rows included), 0 when none. */
  lastId(table: Table): Promise<number>
  write(table: Table, rows: Record<string, unknown>[]): Promise<void>
  setLastId(table: Table, id: number): Promise<void>
  /** Runs the whole copy in one transaction. */
  transaction(body: () => Promise<void>): Promise<void>
  close(): Promise<void>
}

async function openSqlite(path: string): Promise<Side> {
  // the store creates and migrates the file; the copy then works on the tables themselves
  await createSqliteStore({ path }).close()
  const db = new Database(path)
  db.pragma('foreign_keys = ON')
  const toNeutral = (row: Record<string, unknown>) => {
    if ('live_mode' in row) row.live_mode = row.live_mode === null ? null : row.live_mode === 1
    if ('pretty' in row) {
      row.compact = row.pretty === 1 ? compactJson((row.body as Buffer).toString('utf8')) : null
      delete row.pretty
    }
    return row
  }
  // /api/stats reads counters kept in the write transaction; the copy keeps them too. The
  // search index is not written here: the store indexes every webhook past its watermark (0 in
  // the new file) in the background once it opens the file.
  const count = db.prepare(
    `INSERT INTO webhook_counts (dimension, value, n) VALUES (?, ?, 1)
       ON CONFLICT (dimension, value) DO UPDATE SET n = n + 1`
  )
  return {
    label: path,
    async count() {
      return (db.prepare('SELECT count(*) AS n FROM webhooks').get() as { n: number }).n
    },
    async *read(table) {
      // schema v4 keeps the body once, with the headers, in webhook_bodies; the neutral form
      // carries the compact line the other side's schema keeps
      const query =
        table === 'webhooks'
          ? `SELECT w.*, b.body, b.headers FROM webhooks w JOIN webhook_bodies b USING (id)
               WHERE w.id > ? ORDER BY w.id LIMIT ${BATCH}`
          : `SELECT * FROM ${table} WHERE id > ? ORDER BY id LIMIT ${BATCH}`
      let since = 0
      for (;;) {
        const rows = db.prepare(query).all(since) as Record<string, unknown>[]
        if (rows.length === 0) return
        yield rows.map(toNeutral)
        since = rows[rows.length - 1]!.id as number
      }
    },
    async lastId(table) {
      const row = db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as
        { seq: number } | undefined
      return row?.seq ?? 0
    },
    async write(table, rows) {
      if (rows.length === 0) return
      const split = (
        row: Record<string, unknown>
      ): { row: Record<string, unknown>; body: Record<string, unknown> | null } => {
        if (table !== 'webhooks') return { row, body: null }
        const { body, headers, compact, ...rest } = row
        return {
          row: { ...rest, pretty: compact === null ? 0 : 1 },
          body: { id: row.id, body, headers },
        }
      }
      const columns = Object.keys(split(rows[0]!).row)
      const insert = db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`
      )
      const insertBody = db.prepare(
        'INSERT INTO webhook_bodies (id, body, headers) VALUES (@id, @body, @headers)'
      )
      for (const original of rows) {
        const { row, body } = split(original)
        const values = { ...row }
        if (typeof values.live_mode === 'boolean') values.live_mode = Number(values.live_mode)
        insert.run(values)
        if (body !== null) {
          insertBody.run(body)
          const webhook = original as unknown as WebhookRow
          count.run('total', '')
          count.run('event', webhook.event ?? '(none)')
          count.run('status', webhook.status ?? '(none)')
        }
      }
    },
    async setLastId(table, id) {
      const updated = db.prepare('UPDATE sqlite_sequence SET seq = ? WHERE name = ?').run(id, table)
      if (updated.changes === 0) {
        db.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(table, id)
      }
    },
    async transaction(body) {
      db.exec('BEGIN IMMEDIATE')
      try {
        await body()
        db.exec('COMMIT')
      } catch (error) {
        db.exec('ROLLBACK')
        throw error
      }
    },
    async close() {
      db.close()
    },
  }
}

async function openPostgres(url: string): Promise<Side> {
  const store = await createPostgresStore({ url, poolSize: 2 })
  const pool = store.sql
  let sql: Sql = pool
  const toNeutral = (row: Record<string, unknown>) => {
    for (const key of Object.keys(row)) {
      const value = row[key]
      if (value instanceof Date) row[key] = value.getTime()
    }
    if ('headers' in row) row.headers = JSON.stringify(row.headers)
    delete row.search
    return row
  }
  const fromNeutral = (table: Table, row: Record<string, unknown>) => {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(row)) {
      out[key] = TIME_COLUMNS.has(key) && typeof value === 'number' ? new Date(value) : value
    }
    if (table === 'webhooks') {
      const webhook = row as unknown as WebhookRow
      out.search = toSearchVector(webhook.compact ?? webhook.body.toString('utf8'))
    }
    return out
  }
  return {
    label: redactUrl(url),
    async count() {
      const [row] = await sql<{ n: number }[]>`SELECT count(*)::int8 AS n FROM webhooks`
      return row!.n
    },
    async *read(table) {
      let since = 0
      for (;;) {
        const rows = await sql.unsafe<Record<string, unknown>[]>(
          `SELECT * FROM ${table} WHERE id > $1::int8 ORDER BY id LIMIT ${BATCH}`,
          [since]
        )
        if (rows.length === 0) return
        yield rows.map((row) => toNeutral({ ...row }))
        since = rows[rows.length - 1]!.id as number
      }
    },
    async lastId(table) {
      const [row] = await sql<{ last: number | null }[]>`
        SELECT pg_sequence_last_value(pg_get_serial_sequence(${table}, 'id')::regclass)::int8 AS last`
      return row?.last ?? 0
    },
    async write(table, rows) {
      if (rows.length === 0) return
      const converted = rows.map((row) => fromNeutral(table, row))
      const columns = Object.keys(converted[0]!)
      // headers go in as JSON text (a json column), the search vector as a tsvector literal
      const values = converted.map((row, r) =>
        columns.map((column, c) => {
          const n = r * columns.length + c + 1
          if (column === 'search') return `$${n}::text::tsvector`
          if (column === 'headers') return `$${n}::text::json`
          return `$${n}`
        })
      )
      await sql.unsafe(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.map((v) => `(${v.join(', ')})`).join(', ')}`,
        converted.flatMap((row) => columns.map((column) => row[column] ?? null)) as never[]
      )
    },
    async setLastId(table, id) {
      if (id > 0) await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), ${id}::int8)`
    },
    async transaction(body) {
      await pool.begin(async (tx) => {
        sql = tx as unknown as Sql
        try {
          await body()
        } finally {
          sql = pool
        }
      })
    },
    close: () => store.close(),
  }
}

const open = (location: string) =>
  isPostgresUrl(location) ? openPostgres(location) : openSqlite(location)

export interface CopyResult {
  from: string
  to: string
  webhooks: number
  replayAttempts: number
  deliveries: number
}

/**
 * Copies every webhook, replay attempt and delivery from one database to another (a SQLite file
 * or a `postgres://` URL, either way), in one transaction on the target, keeping ids, times,
 * delivery counts, states and each table's last handed-out id, so no id is reused afterwards.
 *
 * @throws {CopyError} `NOT_EMPTY` when the target already holds webhooks (nothing is written)
 */
export async function copyDatabase(from: string, to: string): Promise<CopyResult> {
  if (from === to)
    throw new CopyError('--from and --to are the same database', { code: 'SAME_DATABASE' })
  const source = await open(from)
  try {
    const target = await open(to)
    try {
      const existing = await target.count()
      if (existing > 0) {
        throw new CopyError(
          `${target.label} already holds ${existing} webhook(s); copy into an empty database`,
          { code: 'NOT_EMPTY' }
        )
      }
      const counts: Record<Table, number> = { webhooks: 0, replay_attempts: 0, deliveries: 0 }
      await target.transaction(async () => {
        for (const table of TABLES) {
          for await (const rows of source.read(table)) {
            await target.write(table, rows)
            counts[table] += rows.length
          }
          const last = Math.max(await source.lastId(table), await target.lastId(table))
          await target.setLastId(table, last)
        }
      })
      return {
        from: source.label,
        to: target.label,
        webhooks: counts.webhooks,
        replayAttempts: counts.replay_attempts,
        deliveries: counts.deliveries,
      }
    } finally {
      await target.close()
    }
  } finally {
    await source.close()
  }
}
