// Worker thread entry of the SQLite store: owns the only writing connection, so SQLite's
// synchronous work and the fsync of every group commit happen off the HTTP thread.
// Protocol (in order, on the parent port): the parent posts arrays of WriteOp and finally
// `'close'`; the worker posts one WriteOutcome per group it commits, then `'closed'`.
import { parentPort, workerData } from 'node:worker_threads'
import { createWriter, openWriterConnection } from './sqlite-store-writer.mjs'

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort)
const { path, busyTimeoutMs } = /** @type {{ path: string, busyTimeoutMs: number }} */ (workerData)
const db = openWriterConnection(path, busyTimeoutMs)
const writer = createWriter(db)

/** @type {import('./sqlite-store-writer.d.mts').WriteOp[]} */
let queue = []
let flushScheduled = false
let closing = false

// Messages that arrived while the last transaction was committing are delivered together before
// setImmediate runs: they become the next group.
function flush() {
  flushScheduled = false
  const ops = queue
  queue = []
  if (ops.length > 0) port.postMessage(writer.write(ops))
  if (closing) {
    db.close()
    port.postMessage('closed')
    port.close()
  }
}

port.on(
  'message',
  (/** @type {import('./sqlite-store-writer.d.mts').WriteOp[] | 'close'} */ message) => {
    if (message === 'close') closing = true
    else for (const op of message) queue.push(op)
    if (!flushScheduled) {
      flushScheduled = true
      setImmediate(flush)
    }
  }
)
