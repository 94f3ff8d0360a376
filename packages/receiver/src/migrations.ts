import type Database from 'better-sqlite3'
import { StoreError } from './errors.ts'

export interface Migration {
  /** Becomes `PRAGMA user_version` once applied. */
  version: number
  description: string
  up(db: Database.Database): void
}

/** Append only: a released migration is never edited, so existing files upgrade in place. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'webhooks and replay attempts',
    up(db) {
      db.exec(`
        CREATE TABLE webhooks (
          -- AUTOINCREMENT: an id is never handed out twice, even after the newest row is deleted
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          received_at INTEGER NOT NULL,
          body BLOB NOT NULL,
          -- the body without insignificant whitespace; NULL when that is the body itself
          compact TEXT,
          headers TEXT NOT NULL,
          remote_address TEXT,
          event TEXT,
          live_mode INTEGER,
          status TEXT,
          message_id TEXT,
          job_id TEXT,
          order_id TEXT,
          idempotency_key TEXT,
          -- 'm:<messageId>' or else 'k:<Idempotency-Key>'
          dedup_key TEXT,
          delivery_count INTEGER NOT NULL DEFAULT 1,
          last_delivery_at INTEGER,
          verdict TEXT NOT NULL,
          size INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX webhooks_dedup_key ON webhooks (dedup_key) WHERE dedup_key IS NOT NULL;
        CREATE INDEX webhooks_event ON webhooks (event);
        CREATE INDEX webhooks_status ON webhooks (status);
        CREATE INDEX webhooks_live_mode ON webhooks (live_mode);
        CREATE INDEX webhooks_job_id ON webhooks (job_id) WHERE job_id IS NOT NULL;
        CREATE INDEX webhooks_order_id ON webhooks (order_id) WHERE order_id IS NOT NULL;
        CREATE TABLE replay_attempts (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
          at INTEGER NOT NULL,
          url TEXT NOT NULL,
          mode TEXT NOT NULL,
          status INTEGER,
          latency_ms REAL NOT NULL,
          error TEXT,
          response_excerpt TEXT
        );
        CREATE INDEX replay_attempts_webhook ON replay_attempts (webhook_id, id);
      `)
    },
  },
  {
    version: 2,
    description: 'full-text index over the compact body',
    up(db) {
      // contentless: the text already lives in webhooks; contentless_delete keeps DELETE simple
      db.exec(`
        CREATE VIRTUAL TABLE webhooks_fts USING fts5 (body, content = '', contentless_delete = 1);
        INSERT INTO webhooks_fts (rowid, body)
          SELECT id, coalesce(compact, CAST(body AS TEXT)) FROM webhooks;
      `)
    },
  },
  {
    version: 3,
    description: "the envelope's timestamp as a column, so a timeline reads no body",
    up(db) {
      // only a string timestamp, as extractFields does; CAST: a BLOB argument would be JSONB
      db.exec(`
        ALTER TABLE webhooks ADD COLUMN sent_at TEXT;
        UPDATE webhooks SET sent_at = json_extract(coalesce(compact, CAST(body AS TEXT)), '$.timestamp')
          WHERE json_valid(coalesce(compact, CAST(body AS TEXT)))
            AND json_type(coalesce(compact, CAST(body AS TEXT)), '$.timestamp') = 'text';
      `)
    },
  },
  {
    version: 4,
    description:
      'bodies and headers in their own table, the body stored once, counters for stats, search indexed in the background',
    up(db) {
      // A row with its raw body, a compact copy and its headers was over half a page, so every
      // webhook took a 4 KB page of its own: the body (once) and the headers move to their own
      // table, whose rows pack, and the compact copy goes (the dump derives it from the body;
      // `pretty` says which bodies need it). DROP COLUMN keeps the table, its ids and
      // sqlite_sequence, so ids are still never reused; the freed pages are reused by new rows.
      db.exec(`
        CREATE TABLE webhook_bodies (
          id INTEGER PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
          body BLOB NOT NULL,
          headers TEXT NOT NULL
        );
        INSERT INTO webhook_bodies (id, body, headers) SELECT id, body, headers FROM webhooks;
        ALTER TABLE webhooks ADD COLUMN pretty INTEGER NOT NULL DEFAULT 0;
        UPDATE webhooks SET pretty = 1 WHERE compact IS NOT NULL;
        ALTER TABLE webhooks DROP COLUMN compact;
        ALTER TABLE webhooks DROP COLUMN headers;
        ALTER TABLE webhooks DROP COLUMN body;
        -- two values: never selective, and the id order serves liveMode filters already
        DROP INDEX webhooks_live_mode;
        -- /api/stats reads these instead of counting every row; kept in the write transaction
        CREATE TABLE webhook_counts (
          dimension TEXT NOT NULL,
          value TEXT NOT NULL,
          n INTEGER NOT NULL,
          PRIMARY KEY (dimension, value)
        ) WITHOUT ROWID;
        INSERT INTO webhook_counts SELECT 'total', '', count(*) FROM webhooks HAVING count(*) > 0;
        INSERT INTO webhook_counts
          SELECT 'event', coalesce(event, '(none)'), count(*) FROM webhooks GROUP BY 2;
        INSERT INTO webhook_counts
          SELECT 'status', coalesce(status, '(none)'), count(*) FROM webhooks GROUP BY 2;
        -- the search index covers webhooks up to this id; newer ones are indexed in batches
        CREATE TABLE store_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO store_state SELECT 'search_indexed_through', coalesce(max(id), 0) FROM webhooks;
      `)
    },
  },
  {
    version: 5,
    description: 'the outbox: deliveries to destinations (notifications, --forward-to)',
    up(db) {
      // a delivery goes with its webhook (ON DELETE CASCADE), as replay attempts do; one row per
      // webhook and destination, so a crash between routing and commit cannot double one
      db.exec(`
        CREATE TABLE deliveries (
          id INTEGER PRIMARY KEY AUTOINCREMENT,
          webhook_id INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
          destination TEXT NOT NULL,
          kind TEXT NOT NULL,
          state TEXT NOT NULL DEFAULT 'pending',
          attempts INTEGER NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL,
          next_attempt_at INTEGER,
          lease_owner TEXT,
          lease_until INTEGER,
          last_attempt_at INTEGER,
          last_status INTEGER,
          last_error TEXT,
          last_response_excerpt TEXT,
          delivered_at INTEGER,
          UNIQUE (webhook_id, destination)
        );
        CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id) WHERE state = 'pending';
        CREATE INDEX deliveries_state ON deliveries (state, id);
      `)
    },
  },
  {
    version: 6,
    description: 'deliveries claimed through a per-destination index',
    up(db) {
      // The dispatcher claims per destination. With (next_attempt_at, id) SQLite picked the
      // (state, id) index and sorted every pending delivery for each claim: 5 ms a claim at a
      // backlog of 25,000, and intake fell to a fifth. Equality on the destination, then the
      // due order: a claim reads only the rows it takes.
      db.exec(`
        DROP INDEX deliveries_due;
        CREATE INDEX deliveries_claim ON deliveries (destination, next_attempt_at, id)
          WHERE state = 'pending';
      `)
    },
  },
  {
    version: 7,
    description: 'the search index moves to its own file, written by the worker thread',
    up(db) {
      // The index moves to `<path>-search` (search-index.ts), which the store fills from the
      // bodies in the background: an upgraded file is searchable again once that has caught up.
      // store_id ties that file to this database (a copy keeps it; another database, or an old
      // backup put in this one's place, gets its index rebuilt). 48 bits: a safe JS integer.
      db.exec(`
        DROP TABLE webhooks_fts;
        DELETE FROM store_state WHERE key = 'search_indexed_through';
        INSERT INTO store_state SELECT 'store_id', random() & 281474976710655;
      `)
    },
  },
]

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length

/**
 * Brings the schema to `to` (default: the latest), one transaction per migration, recording
 * each step in `PRAGMA user_version` so an interrupted upgrade resumes where it stopped.
 */
export function migrate(
  db: Database.Database,
  { to = LATEST_SCHEMA_VERSION }: { to?: number } = {}
): { from: number; to: number } {
  const version = () => db.pragma('user_version', { simple: true }) as number
  const from = version()
  if (from > LATEST_SCHEMA_VERSION) {
    throw new StoreError(
      `database schema v${from} is newer than this receiver understands (v${LATEST_SCHEMA_VERSION})`,
      { code: 'FAILED' }
    )
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= from || migration.version > to) continue
    // IMMEDIATE, and the version read again under the write lock: two processes starting on
    // one new file wait for each other here, and the second finds the step already done.
    db.transaction(() => {
      if (version() >= migration.version) return
      migration.up(db)
      db.pragma(`user_version = ${migration.version}`)
    }).immediate()
  }
  return { from, to: Math.max(from, to) }
}
