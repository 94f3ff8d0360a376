import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { StoreError } from './errors.ts'
import { SEARCH_SCHEMA, SEARCH_SQL } from './search-index.ts'

// Plain CommonJS evaluated in the worker: no file to resolve next to the bundle, no loader. The
// SQL comes in workerData from search-index.ts, so the statements exist once.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const { sql, schema } = workerData
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs })
db.prepare('ATTACH ? AS ' + schema).run(workerData.searchPath)
// derived data: committed without an fsync (WAL, NORMAL), never corrupted by a power cut
db.pragma(schema + '.synchronous = NORMAL')
const lock = db.prepare(sql.lock)
const watermark = db.prepare(sql.watermark).pluck()
const setWatermark = db.prepare(sql.setWatermark)
const nextBatch = db.prepare(sql.nextBatch)
const index = db.prepare(sql.index)
const remove = db.prepare(sql.delete)
const clear = db.prepare(sql.clear)
// deferred: the bodies are read in a snapshot, and only the index's lock is ever taken
const indexBatch = db.transaction(() => {
  lock.run()
  const from = watermark.get() ?? 0
  const { n, last } = nextBatch.get(from, workerData.searchBatch)
  if (last === null) return 0
  index.run(from, last)
  setWatermark.run(last)
  return n
})
const indexAll = () => {
  while (indexBatch() === workerData.searchBatch);
}
const timers = [
  setInterval(() => {
    try {
      indexAll()
    } catch {
      // BUSY (another process indexes this file) or a failing disk: the next tick tries again
    }
  }, workerData.searchDelayMs),
]
if (workerData.checkpointIntervalMs > 0) {
  timers.push(setInterval(() => {
    try {
      db.pragma('main.wal_checkpoint(PASSIVE)')
    } catch {
      // BUSY with another checkpointer (a second process): the next tick tries again
    }
  }, workerData.checkpointIntervalMs))
}
parentPort.on('message', (message) => {
  if (message.type === 'close') {
    timers.forEach(clearInterval)
    db.close()
    parentPort.close()
    return
  }
  let error = null
  try {
    if (message.type === 'sync') indexAll()
    else if (message.type === 'delete') remove.run(message.id)
    else if (message.type === 'clear') clear.run()
  } catch (cause) {
    error = String(cause && cause.message)
  }
  parentPort.postMessage({ seq: message.seq, error })
})
`

export interface StoreWorker {
  /** Resolves once every webhook committed before the call is indexed for search. */
  whenSearchable(): Promise<void>
  /** Drops a deleted webhook from the index (a stale entry is harmless: searches join webhooks). */
  delete(id: number): void
  /** Drops every entry of the index, after `clear()`. */
  clear(): void
  /** Stops the timers and closes the worker's connection. */
  close(): Promise<void>
}

/**
 * The background thread of a file store, with its own connection, so that neither job holds the
 * thread that answers requests:
 * - search indexing into `<path>-search` (see search-index.ts), every `searchDelayMs`, in
 *   batches of `searchBatch` (larger batches make fewer FTS5 segments to merge);
 * - WAL checkpoints every `checkpointIntervalMs` (0: none; SQLite's own, inside the commit that
 *   crosses 1000 pages, with `wal_autocheckpoint = 0` off on the writer). PASSIVE never waits
 *   for the writer or readers; the writer restarts the WAL once it is copied.
 */
export function startStoreWorker(options: {
  path: string
  searchPath: string
  busyTimeoutMs: number
  checkpointIntervalMs: number
  searchDelayMs: number
  searchBatch: number
  /** The worker stopped without being closed (it could not open the file, or crashed). */
  onFailure: (error: unknown) => void
}): StoreWorker {
  const { onFailure, ...settings } = options
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { ...settings, driver, sql: SEARCH_SQL, schema: SEARCH_SCHEMA },
  })
  // a store that is never closed must not keep the process alive
  worker.unref()
  let closing = false
  let failure: StoreError | null = null
  let seq = 0
  const waiting = new Map<number, { resolve: () => void; reject: (error: StoreError) => void }>()
  const fail = (error: unknown) => {
    failure ??= new StoreError('the search indexer stopped', { code: 'FAILED', cause: error })
    for (const pending of waiting.values()) pending.reject(failure)
    waiting.clear()
    if (!closing) onFailure(error)
  }
  worker.on('message', (reply: { seq: number; error: string | null }) => {
    const pending = waiting.get(reply.seq)
    waiting.delete(reply.seq)
    if (waiting.size === 0 && !closing) worker.unref()
    if (reply.error === null) pending?.resolve()
    else
      pending?.reject(
        new StoreError('could not index the webhooks for search', {
          code: 'FAILED',
          cause: new Error(reply.error),
        })
      )
  })
  const exited = new Promise<void>((resolve) => {
    worker.once('error', fail)
    worker.once('exit', (code) => {
      if (!closing || code !== 0) fail(new Error(`the store worker exited with ${code}`))
      resolve()
    })
  })
  const send = (type: 'sync' | 'delete' | 'clear', id?: number): Promise<void> => {
    if (failure !== null) return Promise.reject(failure)
    if (closing) return Promise.reject(new StoreError('the store is closed', { code: 'CLOSED' }))
    const message = { type, id, seq: ++seq }
    // held while a reply is awaited, so an awaited search cannot hang on an unref'd worker
    worker.ref()
    return new Promise<void>((resolve, reject) => {
      waiting.set(message.seq, { resolve, reject })
      worker.postMessage(message)
    })
  }
  // a lost delete or clear leaves entries no search can return (they join webhooks)
  const ignore = () => {}
  return {
    whenSearchable: () => send('sync'),
    delete: (id) => void send('delete', id).catch(ignore),
    clear: () => void send('clear').catch(ignore),
    close() {
      if (!closing) {
        closing = true
        // held until it has exited: the caller awaits this before closing its own connection
        worker.ref()
        worker.postMessage({ type: 'close' })
      }
      return exited
    },
  }
}
