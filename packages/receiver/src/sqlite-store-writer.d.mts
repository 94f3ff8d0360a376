import type Database from 'better-sqlite3'

/** A webhook ready to be written: everything derived from the input is computed up front. */
export interface PreparedRow {
  receivedAt: number
  body: Uint8Array
  /** The body without insignificant whitespace; null when that is the body itself. */
  compact: string | null
  /** Text for the full-text index. */
  fts: string
  headers: string
  remoteAddress: string | null
  event: string | null
  liveMode: number | null
  status: string | null
  messageId: string | null
  jobId: string | null
  orderId: string | null
  idempotencyKey: string | null
  dedupKey: string | null
  verdict: string
  size: number
}

export interface ReplayAttemptRow {
  at: number
  url: string
  mode: string
  status: number | null
  latencyMs: number
  error: string | null
  responseExcerpt: string | null
}

export type WriteOp =
  | { type: 'insert'; row: PreparedRow }
  | { type: 'delete'; id: number }
  | { type: 'clear' }
  | { type: 'replay'; webhookId: number; attempt: ReplayAttemptRow }

export interface WriteFailure {
  ok: false
  /** `BUSY`: another connection held the lock past the busy timeout. */
  code: 'BUSY' | 'FAILED'
  message: string
  /** SQLite's error code, e.g. `SQLITE_FULL`. */
  sqliteCode: string | null
}

/**
 * What each operation returned: `insert` gives `{ id, duplicate }` where `duplicate` is the
 * updated row of an earlier copy (or null when a new row was written), `delete` a boolean,
 * `clear` a count, `replay` the stored row or null when the webhook does not exist.
 */
export type WriteReply = { ok: true; value: unknown } | WriteFailure

export interface WriteOutcome {
  /** One per operation, in order. */
  replies: WriteReply[]
  /** Inserts made durable per committed transaction. */
  commits: number[]
}

export interface Writer {
  write(ops: readonly WriteOp[]): WriteOutcome
}

export function openWriterConnection(path: string, busyTimeoutMs: number): Database.Database
export function createWriter(db: Database.Database): Writer
