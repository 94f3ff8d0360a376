import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// Plain CommonJS evaluated in the worker: no file to resolve next to the bundle, no loader.
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { timeout: workerData.busyTimeoutMs })
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)')
  } catch {
    // BUSY with another checkpointer (a second process): the next tick tries again
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface WalCheckpointer {
  /** Stops the timer and closes the worker's connection. */
  close(): Promise<void>
}

/**
 * Checkpoints the WAL of `path` every `intervalMs` from a worker thread with its own
 * connection, so copying pages into the database file and its fsync happen off the thread
 * that answers requests (with `wal_autocheckpoint = 0` on the writer: SQLite's own checkpoint
 * runs inside the commit that crosses the threshold, and that request waits for it). PASSIVE
 * never waits for the writer or readers; the writer restarts the WAL once it is copied.
 */
export function startWalCheckpointer(options: {
  path: string
  intervalMs: number
  busyTimeoutMs: number
  /** The worker stopped without being closed (it could not open the file, or crashed). */
  onFailure: (error: unknown) => void
}): WalCheckpointer {
  const { onFailure, ...settings } = options
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { ...settings, driver } })
  // a store that is never closed must not keep the process alive
  worker.unref()
  let closing = false
  const exited = new Promise<void>((resolve) => {
    worker.once('error', (error) => {
      if (!closing) onFailure(error)
    })
    worker.once('exit', (code) => {
      if (!closing && code !== 0) onFailure(new Error(`the WAL checkpointer exited with ${code}`))
      resolve()
    })
  })
  return {
    close() {
      if (!closing) {
        closing = true
        // held until it has exited: the caller awaits this before closing its own connection
        worker.ref()
        worker.postMessage('close')
      }
      return exited
    },
  }
}
